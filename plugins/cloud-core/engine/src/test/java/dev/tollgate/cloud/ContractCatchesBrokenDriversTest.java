package dev.tollgate.cloud;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

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
