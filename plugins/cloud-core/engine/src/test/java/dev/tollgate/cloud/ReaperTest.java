package dev.tollgate.cloud;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.tollgate.cloud.port.CloudInstance;
import dev.tollgate.cloud.port.Fingerprint;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.Test;

/** Orphans, lost instances, ghost agents: each after its grace, with one listing per cycle. */
public class ReaperTest {

    private static Harness harness() {
        return new Harness(Harness.settings().reaperGrace(Duration.ofMinutes(5))
                .template(Harness.small().buildWaitTimeout(Duration.ofSeconds(-1)).build()).build());
    }

    @Test
    public void oneListingAndAtMostOneTerminatePerCycle() {
        Harness h = harness();
        for (int i = 0; i < 3; i++) {
            h.driver.plant(new Fingerprint("ctl-1", "test", "small", "test-small-old" + i, h.clock.instant().minusSeconds(3600)));
        }
        ReaperReport r = h.engine.reap();
        assertEquals(3, r.listed());
        assertEquals(2, r.apiCalls());
        assertEquals(1, h.driver.count(FaultyCloudDriver.Op.LIST));
        assertEquals(1, h.driver.count(FaultyCloudDriver.Op.TERMINATE));
        assertEquals(0, h.driver.alive().size());
        assertEquals(3, h.metrics.snapshot().orphansTerminated());
        assertEquals(1, h.engine.reap().apiCalls()); // nothing left to end: just the listing
    }

    @Test
    public void anUnrecordedInstanceIsEndedOnlyAfterTheGraceFromItsCreatedAt() {
        Harness h = harness();
        String id = h.driver.plant(new Fingerprint("ctl-1", "test", "small", "test-small-midcreate", h.clock.instant()));
        h.advance(Duration.ofMinutes(4));
        h.engine.reap();
        assertTrue("may be mid-create: left alone", h.driver.alive().contains(id));
        h.advance(Duration.ofMinutes(1));
        h.engine.reap();
        assertFalse(h.driver.alive().contains(id));
    }

    @Test
    public void otherControllersAndCloudsAreLeftAlone() {
        Harness h = harness();
        Instant old = h.clock.instant().minusSeconds(86400);
        String other = h.driver.plant(new Fingerprint("ctl-2", "test", "small", "x", old));
        String otherCloud = h.driver.plant(new Fingerprint("ctl-1", "openstack", "small", "y", old));
        h.engine.reap();
        assertTrue(h.driver.alive().containsAll(List.of(other, otherCloud)));
    }

    @Test
    public void anInstanceMissingFromTheListingIsLostOnlyAfterTheGrace() {
        Harness h = harness();
        String a = h.engine.provision("linux", 1).planned().get(0).agentName();
        String id = h.rec(a).instanceId();
        h.engine.agentConnected(a, id);
        h.driver.visibilityDelay(Duration.ZERO);
        h.driver.setState(id, CloudInstance.State.TERMINATED); // ended outside the engine (console, spot reclaim)
        h.advance(Duration.ofMinutes(4));
        h.driver.get(id); // still listed as terminated: the engine learns it from the state
        h.engine.reap();
        assertEquals(AgentState.TERMINATED, h.rec(a).state());
        assertFalse(h.registry.agents.containsKey(a));
    }

    @Test
    public void aRecordWhoseInstanceVanishedFromListingsEndsItsAgentAfterTheGrace() {
        Harness h = harness();
        h.driver.visibilityDelay(Duration.ofHours(1)); // never listed within the test: as if gone
        String a = h.engine.provision("linux", 1).planned().get(0).agentName();
        h.engine.agentConnected(a, h.rec(a).instanceId());
        h.advance(Duration.ofMinutes(4));
        h.engine.reap();
        assertEquals("eventual consistency: not yet", AgentState.CONNECTED, h.rec(a).state());
        h.advance(Duration.ofMinutes(1));
        h.engine.reap();
        assertFalse(h.registry.agents.containsKey(a));
        assertTrue(h.rec(a).state() == AgentState.TERMINATED || h.rec(a).state() == AgentState.TERMINATING);
        h.engine.tick();
        assertEquals("and the id was terminated anyway", CloudInstance.State.TERMINATED,
                h.driver.get(h.rec(a).instanceId()).state);
    }

    @Test
    public void ghostAgentsAreRemoved() {
        Harness h = harness();
        h.registry.plantAgent("test-small-ghost");
        String a = h.engine.provision("linux", 1).planned().get(0).agentName();
        ReaperReport r = h.engine.reap();
        assertEquals(1, r.ghostAgents());
        assertEquals(List.of(a), List.copyOf(h.registry.listOwned()));
        assertEquals(1, h.metrics.snapshot().ghostAgentsRemoved());
    }

    @Test
    public void anInstanceStillAliveLongAfterItsRecordEndedIsEndedAgain() {
        Harness h = harness();
        String a = h.engine.provision("linux", 1).planned().get(0).agentName();
        String id = h.rec(a).instanceId();
        h.engine.release(a, "test");
        h.engine.tick();
        h.driver.setState(id, CloudInstance.State.RUNNING); // the terminate "did not take"
        h.engine.reap();
        assertTrue("within the grace the terminated state may lag", h.driver.alive().contains(id));
        h.advance(Duration.ofMinutes(5));
        h.engine.reap();
        assertFalse(h.driver.alive().contains(id));
    }

    @Test
    public void tickRunsTheReaperEveryReaperInterval() {
        Harness h = new Harness(Harness.settings().reaperInterval(Duration.ofMinutes(5))
                .template(Harness.small().build()).build());
        h.engine.tick();
        assertEquals(0, h.driver.count(FaultyCloudDriver.Op.LIST));
        h.advance(Duration.ofMinutes(5));
        h.engine.tick();
        h.engine.tick();
        assertEquals(1, h.driver.count(FaultyCloudDriver.Op.LIST));
    }

    @Test
    public void aFailedListingEndsNothingButStillRemovesGhosts() {
        Harness h = harness();
        String a = h.engine.provision("linux", 1).planned().get(0).agentName();
        h.registry.plantAgent("test-small-ghost");
        h.driver.failNext(FaultyCloudDriver.Op.LIST, 1, dev.tollgate.cloud.port.CloudException.Kind.TRANSIENT);
        h.advance(Duration.ofHours(1));
        ReaperReport r = h.engine.reap();
        assertTrue(r.listingFailed());
        assertEquals(1, r.ghostAgents());
        assertTrue(h.rec(a).state().isLive());
    }
}
