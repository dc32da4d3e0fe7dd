package dev.tollgate.ec2;

import dev.tollgate.cloud.port.CloudInstance;
import org.junit.After;
import org.junit.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

/** Spot interruption notices, cost per agent by the clock, and the elastic IP once the instance runs. */
public class InterruptionAndCostTest {
    private final Ec2Fixture f = new Ec2Fixture();

    public InterruptionAndCostTest() throws Exception {
        f.server.price("m5.large", "us-east-1a", "0.040", f.clock.instant().minus(Duration.ofHours(1)));
        f.server.price("m5.large", "us-east-1b", "0.040", f.clock.instant().minus(Duration.ofHours(1)));
    }

    @After
    public void close() {
        f.close();
    }

    @Test
    public void twoMinuteNoticeIsReportedOnTheNextDescribe() throws Exception {
        CloudInstance a = f.driver.create(f.spec("spot", "a"));
        CloudInstance b = f.driver.create(f.spec("spot", "b"));
        assertFalse(f.driver.describe(List.of(a.id(), b.id())).get(0).interruptionNotice());
        Map<String, String> check = f.server.calls("DescribeSpotInstanceRequests").get(0).params();
        assertEquals(List.of("marked-for-hibernation", "marked-for-stop", "marked-for-termination"),
                FakeEc2Server.filters(check).get("status-code").stream().sorted().toList());
        assertEquals(1, FakeEc2Server.filters(check).size()); // status only: one call for any number of instances

        f.server.markForInterruption(a.id());
        f.clock.advance(Duration.ofSeconds(30));
        List<CloudInstance> now = f.driver.describe(List.of(a.id(), b.id()));
        assertTrue(now.get(0).interruptionNotice());
        assertEquals(CloudInstance.State.RUNNING, now.get(0).state());
        assertFalse(now.get(1).interruptionNotice());
        assertEquals(2, f.server.calls("DescribeSpotInstanceRequests").size());

        // within the check interval no new check is made, and the notice stays
        f.clock.advance(Duration.ofSeconds(10));
        assertTrue(f.driver.describe(List.of(a.id())).get(0).interruptionNotice());
        assertTrue(f.driver.listOwned(Ec2Fixture.CONTROLLER).stream().filter(c -> c.id().equals(a.id()))
                .findFirst().orElseThrow().interruptionNotice());
        assertEquals(2, f.server.calls("DescribeSpotInstanceRequests").size());
    }

    @Test
    public void reclaimedInstanceCarriesTheNoticeFromItsStateReason() throws Exception {
        CloudInstance a = f.driver.create(f.spec("spot", "a"));
        f.server.reclaim(a.id());
        CloudInstance now = f.driver.describe(List.of(a.id())).get(0);
        assertTrue(now.interruptionNotice());
        assertTrue(now.isGone()); // shutting-down → terminated on this describe
    }

    @Test
    public void onDemandInstancesNeedNoInterruptionCheck() throws Exception {
        CloudInstance a = f.driver.create(f.spec("ondemand", "a"));
        f.driver.describe(List.of(a.id()));
        assertEquals(0, f.server.calls("DescribeSpotInstanceRequests").size());
    }

    @Test
    public void theEnginesCheckMakesNoCallForOnDemandInstancesOnly() throws Exception {
        CloudInstance od = f.driver.create(f.spec("ondemand", "a"));
        assertEquals(List.of(), f.driver.interruptedInstances(List.of(od.id())));
        assertEquals(0, f.server.calls("DescribeSpotInstanceRequests").size());
        CloudInstance spot = f.driver.create(f.spec("spot", "b"));
        f.server.markForInterruption(spot.id());
        assertEquals(List.of(spot.id()), f.driver.interruptedInstances(List.of(od.id(), spot.id())));
        assertEquals(1, f.server.calls("DescribeSpotInstanceRequests").size());
        // an id the driver has not seen (after a controller restart) may be spot: asked
        f.driver.interruptedInstances(List.of("i-0123456789abcdef0"));
        assertEquals(2, f.server.calls("DescribeSpotInstanceRequests").size());
    }

    @Test
    public void aFailedInterruptionCheckDoesNotFailTheDescribe() throws Exception {
        CloudInstance a = f.driver.create(f.spec("spot", "a"));
        f.server.fail("DescribeSpotInstanceRequests", 1, 503, "RequestLimitExceeded");
        assertEquals(1, f.driver.describe(List.of(a.id())).size());
        f.server.markForInterruption(a.id());
        // failed checks are retried on the next describe, not after the interval
        assertTrue(f.driver.describe(List.of(a.id())).get(0).interruptionNotice());
    }

    @Test
    public void costIsPriceTimesLifetimeByTheClock() throws Exception {
        Instant t0 = f.clock.instant();
        CloudInstance s = f.driver.create(f.spec("spot", "s"));
        CloudInstance o = f.driver.create(f.spec("ondemand", "o"));
        f.clock.advance(Duration.ofMinutes(90));
        AgentCost sc = f.driver.cost(s.id()).orElseThrow();
        assertEquals(0.04, sc.hourlyPrice(), 1e-9); // expected spot price, not the bid
        assertEquals(0.06, sc.usd(), 1e-9);
        assertTrue(sc.spot());
        assertNull(sc.ended());
        assertEquals(t0, sc.started());
        f.driver.terminate(List.of(o.id()));
        f.clock.advance(Duration.ofMinutes(30)); // an ended instance costs no more
        AgentCost oc = f.driver.cost(o.id()).orElseThrow();
        assertEquals(0.17 * 1.5, oc.usd(), 1e-9);
        assertEquals(Duration.ofMinutes(90), oc.lifetime());
        assertEquals("o", oc.agentName());
        assertEquals(2, f.driver.costs().size());
    }

    @Test
    public void anInstanceEndedBehindOurBackStopsCostingOnceAListingMissesIt() throws Exception {
        CloudInstance a = f.driver.create(f.spec("ondemand", "a"));
        CloudInstance b = f.driver.create(f.spec("ondemand", "b"));
        f.server.setState(a.id(), "terminated"); // e.g. from the console; listings leave it out
        f.driver.listOwned(Ec2Fixture.CONTROLLER);
        assertNull("too young to tell from eventual consistency", f.driver.cost(a.id()).orElseThrow().ended());
        f.clock.advance(Duration.ofMinutes(6));
        f.driver.listOwned(Ec2Fixture.CONTROLLER);
        assertEquals(f.clock.instant(), f.driver.cost(a.id()).orElseThrow().ended());
        assertNull(f.driver.cost(b.id()).orElseThrow().ended());
    }

    @Test
    public void costSurvivesARestartThroughThePriceTag() throws Exception {
        CloudInstance s = f.driver.create(f.spec("spot", "s"));
        f.clock.advance(Duration.ofHours(2));
        Ec2SpotDriver restarted = f.use(f.config.templates(), c -> c);
        assertTrue(restarted.cost(s.id()).isEmpty());
        restarted.listOwned(Ec2Fixture.CONTROLLER);
        AgentCost c = restarted.cost(s.id()).orElseThrow();
        assertEquals(0.08, c.usd(), 1e-9);
        assertEquals("s", c.agentName());
    }

    @Test
    public void elasticIpIsAssociatedOnceTheInstanceRuns() throws Exception {
        f.use(List.of(Ec2Fixture.onDemand(Ec2Fixture.onDemandOptions().elasticIpAllocationId("eipalloc-0123abcd")
                .attachVolumes(List.of(new VolumeAttachment("vol-0abc", "/dev/sdf"))))),
                c -> c.withUsePublicAddress(true));
        f.server.autoRun = false;
        CloudInstance a = f.driver.create(f.spec("ondemand", "a"));
        f.driver.describe(List.of(a.id()));
        assertEquals(0, f.server.calls("AssociateAddress").size()); // still pending: EC2 would refuse
        f.server.setState(a.id(), "running");
        f.driver.describe(List.of(a.id()));
        f.driver.describe(List.of(a.id()));
        assertEquals(1, f.server.calls("AssociateAddress").size());
        Map<String, String> p = f.server.calls("AssociateAddress").get(0).params();
        assertEquals("eipalloc-0123abcd", p.get("AllocationId"));
        assertEquals(a.id(), p.get("InstanceId"));
        assertEquals("false", p.get("AllowReassociation"));
        assertEquals(1, f.server.calls("AttachVolume").size());
        assertEquals("/dev/sdf", f.server.calls("AttachVolume").get(0).get("Device"));
        String address = f.driver.describe(List.of(a.id())).get(0).address();
        assertNotNull(address);
        assertTrue(address, address.startsWith("203.0.113."));
    }
}
