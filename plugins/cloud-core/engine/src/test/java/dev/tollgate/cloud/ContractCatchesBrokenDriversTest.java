package dev.tollgate.cloud;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.tollgate.cloud.port.CloudDriver;
import dev.tollgate.cloud.port.CloudException;
import dev.tollgate.cloud.port.CloudInstance;
import dev.tollgate.cloud.port.LaunchSpec;
import dev.tollgate.testing.ManualClock;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Test;
import org.junit.runner.JUnitCore;
import org.junit.runner.Request;
import org.junit.runner.Result;

/** The driver contract suite can fail: each broken in-memory driver fails the test written for its fault. */
public class ContractCatchesBrokenDriversTest {

    private static void failsOnlyBecauseOf(Class<? extends MemoryCloudContractTest> broken, String test) {
        Result r = new JUnitCore().run(Request.method(broken, test));
        assertEquals(1, r.getRunCount());
        assertTrue(broken.getSimpleName() + " should fail " + test, r.getFailureCount() >= 1);
    }

    @Test
    public void aTwinOnARetriedLaunch() {
        failsOnlyBecauseOf(TwinOnRetry.class, "aRetriedLaunchDoesNotMakeTwo");
    }

    @Test
    public void listingOtherControllersInstances() {
        failsOnlyBecauseOf(ListsEveryone.class, "listOwnedReturnsTheControllersInstancesAndNeverOthers");
    }

    @Test
    public void terminateThatFailsForAGoneInstance() {
        failsOnlyBecauseOf(TerminateUnknownFails.class, "terminateEndsTheInstanceAndIsIdempotent");
    }

    @Test
    public void anUnreachableCloudThatLooksEmpty() {
        failsOnlyBecauseOf(SilentWhenUnreachable.class, "anUnreachablePeerIsTransient");
    }

    @Test
    public void noFingerprintAtCreation() {
        failsOnlyBecauseOf(NoFingerprint.class, "createAppliesTheFingerprintAndDescribeReadsItBack");
    }

    @Test
    public void theCorrectDriverPassesTheSameTests() {
        for (String t : new String[] {"aRetriedLaunchDoesNotMakeTwo", "listOwnedReturnsTheControllersInstancesAndNeverOthers",
                "terminateEndsTheInstanceAndIsIdempotent", "anUnreachablePeerIsTransient",
                "createAppliesTheFingerprintAndDescribeReadsItBack"}) {
            Result r = new JUnitCore().run(Request.method(MemoryCloudContractTest.class, t));
            assertTrue(t + ": " + r.getFailures(), r.wasSuccessful());
        }
    }

    @Test
    public void aSettleHookCannotHideALeak() {
        LeaksButSettles.settles.set(0);
        failsOnlyBecauseOf(LeaksButSettles.class, "faultTerminateFailsThenWorks");
        assertTrue("the suite waited for the peer to settle before judging", LeaksButSettles.settles.get() > 0);
    }

    /** A terminate that claims success and ends nothing, behind a subject that does wait for its peer. */
    public static class LeaksButSettles extends MemoryCloudContractTest {
        static final AtomicInteger settles = new AtomicInteger();

        @Override
        protected Subject open(ManualClock clock) {
            Subject real = super.open(clock);
            CloudDriver leaking = new CloudDriver() {
                @Override
                public CloudInstance create(LaunchSpec spec) throws CloudException {
                    return real.driver().create(spec);
                }

                @Override
                public List<CloudInstance> describe(Collection<String> ids) throws CloudException {
                    return real.driver().describe(ids);
                }

                @Override
                public List<CloudInstance> listOwned(String controllerId) throws CloudException {
                    return real.driver().listOwned(controllerId);
                }

                @Override
                public void terminate(Collection<String> ids) {
                    // accepted, and nothing ends
                }
            };
            return new Subject() {
                @Override
                public CloudDriver driver() {
                    return leaking;
                }

                @Override
                public String cloudName() {
                    return real.cloudName();
                }

                @Override
                public String templateName() {
                    return real.templateName();
                }

                @Override
                public String unknownInstanceId() {
                    return real.unknownInstanceId();
                }

                @Override
                public Set<String> liveInPeer(String controllerId) throws Exception {
                    return real.liveInPeer(controllerId);
                }

                @Override
                public String plantUnmarked() throws Exception {
                    return real.plantUnmarked();
                }

                @Override
                public CloudDriver unreachableDriver() throws Exception {
                    return real.unreachableDriver();
                }

                @Override
                public void settle() {
                    settles.incrementAndGet();
                }

                @Override
                public void close() throws Exception {
                    real.close();
                }
            };
        }
    }

    public static class TwinOnRetry extends MemoryCloudContractTest {
        @Override
        Breakage breakage() {
            Breakage b = new Breakage();
            b.twinOnRetry = true;
            return b;
        }
    }

    public static class ListsEveryone extends MemoryCloudContractTest {
        @Override
        Breakage breakage() {
            Breakage b = new Breakage();
            b.listsEveryone = true;
            return b;
        }
    }

    public static class TerminateUnknownFails extends MemoryCloudContractTest {
        @Override
        Breakage breakage() {
            Breakage b = new Breakage();
            b.terminateUnknownFails = true;
            return b;
        }
    }

    public static class SilentWhenUnreachable extends MemoryCloudContractTest {
        @Override
        Breakage breakage() {
            Breakage b = new Breakage();
            b.silentWhenUnreachable = true;
            return b;
        }
    }

    public static class NoFingerprint extends MemoryCloudContractTest {
        @Override
        Breakage breakage() {
            Breakage b = new Breakage();
            b.noFingerprint = true;
            return b;
        }
    }
}
