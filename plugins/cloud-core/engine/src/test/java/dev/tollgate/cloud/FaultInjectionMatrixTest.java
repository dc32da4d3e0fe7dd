package dev.tollgate.cloud;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.tollgate.cloud.port.CloudDriver;
import dev.tollgate.cloud.port.CloudException;
import dev.tollgate.cloud.port.CloudInstance;
import dev.tollgate.cloud.port.Fingerprint;
import dev.tollgate.cloud.port.LaunchSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import org.junit.AfterClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

/**
 * The engine against a cloud that fails on purpose. Every scenario ends the same way: faults clear, the
 * clock passes the grace, ONE reaper cycle runs, and then no instance is alive that no live record
 * accounts for (zero leaked) and no agent is registered without a live record and instance (zero
 * ghosts). The matrix of results is printed at the end.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class FaultInjectionMatrixTest {
    private static final List<String[]> ROWS = new ArrayList<>();

    private static Harness harness(AgentTemplate<?> t) {
        return new Harness(Harness.settings().reaperGrace(Duration.ofMinutes(5)).describeInterval(Duration.ofSeconds(30))
                .terminateBackoff(Duration.ofSeconds(5)).maxBackoff(Duration.ofMinutes(5))
                .throttleBackoff(Duration.ofSeconds(1)).template(t).build());
    }

    private static Harness harness() {
        return harness(Harness.small().buildWaitTimeout(Duration.ZERO).build());
    }

    /** Faults clear, one reaper cycle, then the invariants. Records the matrix row. */
    private static void finish(Harness h, String scenario, String faults) {
        String result = "PASS";
        List<String> leaks = List.of(), ghosts = List.of();
        try {
            h.driver.clearFaults();
            h.registry.crashOnAdd = 0;
            h.advance(Duration.ofMinutes(6));
            h.engine.reap();
            leaks = h.leaks();
            ghosts = h.ghosts();
            assertEquals("leaked instances in " + scenario, List.of(), leaks);
            assertEquals("ghost agents in " + scenario, List.of(), ghosts);
        } catch (AssertionError e) {
            result = "FAIL";
            throw e;
        } finally {
            synchronized (ROWS) {
                ROWS.add(new String[] {scenario, faults,
                        h.driver.count(FaultyCloudDriver.Op.CREATE) + "/" + h.driver.count(FaultyCloudDriver.Op.DESCRIBE)
                                + "/" + h.driver.count(FaultyCloudDriver.Op.LIST) + "/"
                                + h.driver.count(FaultyCloudDriver.Op.TERMINATE),
                        String.valueOf(leaks.size()), String.valueOf(ghosts.size()), result});
            }
        }
    }

    private static void runOneBuild(Harness h, String agent) {
        assertEquals(ConnectDecision.ACCEPTED, h.engine.agentConnected(agent, h.rec(agent).instanceId()));
        h.engine.buildStarted(agent);
        h.engine.buildFinished(agent);
        h.engine.tick();
        assertEquals(AgentState.TERMINATED, h.rec(agent).state());
    }

    @Test
    public void s01_crashAfterCreateBeforeTheInstanceIdWasRecorded() {
        Harness h = harness();
        // engine A: the create succeeds in the cloud, then the controller dies before it records the id
        CloudDriver crashing = new CloudDriver() {
            public CloudInstance create(LaunchSpec spec) throws CloudException {
                h.driver.create(spec);
                throw new ControllerCrash();
            }
            public List<CloudInstance> describe(Collection<String> ids) throws CloudException { return h.driver.describe(ids); }
            public List<CloudInstance> listOwned(String c) throws CloudException { return h.driver.listOwned(c); }
            public void terminate(Collection<String> ids) throws CloudException { h.driver.terminate(ids); }
        };
        CloudEngine a = CloudEngine.builder(h.settings).driver(crashing).registry(h.registry).store(h.store)
                .clock(h.clock).executor(Runnable::run).random(new Random(7)).build();
        try {
            a.provision("linux", 1);
        } catch (ControllerCrash expected) {
            // the controller is gone
        }
        AgentRecord stored = h.store.loadAll().iterator().next();
        assertEquals(AgentState.REQUESTED, stored.state());
        assertNull("the id never reached the store", stored.instanceId());
        assertEquals(1, h.driver.alive().size());
        // engine B after the restart: the reaper finds the instance by fingerprint and adopts it
        h.restart();
        h.advance(Duration.ofSeconds(30));
        h.engine.reap();
        AgentRecord r = h.rec(stored.agentName());
        assertEquals(h.driver.alive().get(0), r.instanceId());
        assertTrue(h.registry.agents.containsKey(r.agentName()));
        runOneBuild(h, r.agentName());
        finish(h, "controller crash after create, before the id was recorded", "crash in create; restart from store");
    }

    @Test
    public void s02_crashBetweenCreateAndAgentRegistration() {
        Harness h = harness();
        h.registry.crashOnAdd = 1;
        String agent = h.engine.provision("linux", 1).planned().get(0).agentName();
        assertFalse(h.registry.agents.containsKey(agent));
        assertNotNull(h.store.loadAll().iterator().next().instanceId());
        h.restart(); // the store has the record with its instance: the agent is registered on recovery
        assertTrue(h.registry.agents.containsKey(agent));
        runOneBuild(h, agent);
        finish(h, "controller crash between create and agent registration", "registry.add dies; restart from store");
    }

    @Test
    public void s03_terminateFailsFiveTimesThenWorks() {
        Harness h = harness();
        h.driver.failNext(FaultyCloudDriver.Op.TERMINATE, 5, CloudException.Kind.TRANSIENT);
        String agent = h.engine.provision("linux", 1).planned().get(0).agentName();
        String id = h.rec(agent).instanceId();
        h.engine.agentConnected(agent, id);
        h.engine.buildStarted(agent);
        h.engine.buildFinished(agent);
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            h.engine.tick();
            AgentRecord r = h.rec(agent);
            assertEquals(AgentState.TERMINATING, r.state());
            waits.add(Duration.between(h.clock.instant(), r.nextAttemptAt()).toMillis());
            h.clock.set(r.nextAttemptAt());
        }
        h.engine.tick();
        assertEquals(AgentState.TERMINATED, h.rec(agent).state());
        assertEquals(6, h.driver.count(FaultyCloudDriver.Op.TERMINATE));
        assertFalse(h.driver.alive().contains(id));
        assertTrue("backoff grows: " + waits, waits.get(4) > waits.get(0));
        finish(h, "terminate fails five times, then works", "5x TRANSIENT on terminate");
    }

    @Test
    public void s04_spotRequestFulfilledAfterItWasCancelled() {
        Harness h = harness();
        h.driver.spot(true);
        String agent = h.engine.provision("linux", 1).planned().get(0).agentName();
        String request = h.rec(agent).instanceId();
        h.advance(AgentTemplate.DEFAULT_MISSING_TIMEOUT);
        h.engine.tick(); // missing timeout: the request is cancelled
        assertEquals(AgentState.FAILED, h.rec(agent).state());
        assertEquals(CloudInstance.State.FAILED, h.driver.get(request).state);
        String late = h.driver.fulfil(request); // ... and fulfilled anyway
        assertEquals(List.of(late), h.leaks());
        finish(h, "spot request fulfilled after it was cancelled", "late fulfilment of a cancelled request");
        assertFalse(h.driver.alive().contains(late));
    }

    @Test
    public void s05_instanceNotFoundByDescribeRightAfterCreate() {
        Harness h = harness();
        h.driver.visibilityDelay(Duration.ofSeconds(90)).describeThrowsNotFound(true);
        String agent = h.engine.provision("linux", 1).planned().get(0).agentName();
        h.advance(Duration.ofSeconds(30));
        h.engine.tick(); // describe: InvalidInstanceID.NotFound for the whole batch
        assertEquals(AgentState.PENDING, h.rec(agent).state());
        h.advance(Duration.ofSeconds(30));
        h.engine.reap(); // not listed either, but younger than the grace
        assertEquals(AgentState.PENDING, h.rec(agent).state());
        assertTrue(h.registry.agents.containsKey(agent));
        h.advance(Duration.ofSeconds(30));
        h.engine.tick();
        assertEquals(AgentState.RUNNING, h.rec(agent).state());
        runOneBuild(h, agent);
        finish(h, "instance not found by describe/listing right after create", "90 s invisible; describe NOT_FOUND");
    }

    @Test
    public void s06_throttlingStorm() {
        Harness h = harness();
        h.driver.throttleUntil(h.clock.instant().plus(Duration.ofMinutes(2)));
        int rounds = 0;
        for (int s = 0; s < 120; s++, rounds++) {
            h.engine.provision("linux", 5);
            h.engine.tick();
            h.advance(Duration.ofSeconds(1));
        }
        int stormCalls = h.driver.totalCalls();
        // one round per second would send 5 creates each: backoff keeps it to a handful
        assertTrue("calls during the storm: " + stormCalls, stormCalls <= 12);
        assertEquals("throttled creates made nothing", 0, h.driver.alive().size());
        h.advance(Duration.ofMinutes(2));
        ProvisionResult after = h.engine.provision("linux", 5);
        assertEquals(5, after.started());
        after.planned().forEach(p -> assertEquals(AgentState.PENDING, p.future().join().state()));
        finish(h, "throttling storm (" + rounds + " planning rounds in 2 min)",
                "every call THROTTLED for 2 min; " + stormCalls + " calls made");
    }

    @Test
    public void s07_createTimesOutButTheInstanceExists() {
        Harness h = harness();
        h.driver.createTimeouts(1);
        PlannedAgent p = h.engine.provision("linux", 1).planned().get(0);
        assertTrue(p.future().isCompletedExceptionally());
        assertEquals(AgentState.REQUESTED, h.rec(p.agentName()).state());
        assertEquals("before the reaper: one unaccounted instance", 1, h.leaks().size());
        h.engine.reap();
        assertEquals(h.driver.alive().get(0), h.rec(p.agentName()).instanceId());
        assertTrue(h.registry.agents.containsKey(p.agentName()));
        runOneBuild(h, p.agentName());
        finish(h, "create times out but the instance exists", "TRANSIENT after the create took effect");
    }

    @Test
    public void s08_twoInstancesAttachAsTheSameAgent() {
        Harness h = harness();
        h.driver.duplicateCreates(1); // an SDK retry without idempotency: two instances, one agent name
        String agent = h.engine.provision("linux", 1).planned().get(0).agentName();
        String mine = h.rec(agent).instanceId();
        String twin = h.driver.alive().stream().filter(id -> !id.equals(mine)).findFirst().orElseThrow();
        assertEquals(ConnectDecision.WRONG_INSTANCE, h.engine.agentConnected(agent, twin));
        assertEquals(ConnectDecision.ACCEPTED, h.engine.agentConnected(agent, mine));
        assertEquals(ConnectDecision.ALREADY_CONNECTED, h.engine.agentConnected(agent, null));
        h.engine.reap();
        assertFalse("the twin is ended at once", h.driver.alive().contains(twin));
        assertEquals(AgentState.CONNECTED, h.rec(agent).state());
        assertEquals(mine, h.rec(agent).instanceId());
        finish(h, "two instances attach as the same agent", "duplicate create; twin connects first");
        assertTrue(h.driver.alive().contains(mine));
    }

    @Test
    public void s09_agentWithANameNobodyAskedFor() {
        Harness h = harness();
        Instant old = h.clock.instant().minus(Duration.ofHours(1));
        String stranger = h.driver.plant(new Fingerprint("ctl-1", "test", "small", "test-small-impostor", old));
        h.registry.plantAgent("test-small-impostor");
        assertEquals(ConnectDecision.UNKNOWN_AGENT, h.engine.agentConnected("test-small-impostor", stranger));
        finish(h, "agent connects with a name nobody asked for", "unrecorded instance + agent");
        assertFalse(h.registry.agents.containsKey("test-small-impostor"));
        assertFalse(h.driver.alive().contains(stranger));
    }

    @Test
    public void s10_noCapacityOnTheFirstTemplate() {
        Harness h = new Harness(Harness.settings().template(Harness.small().build())
                .template(AgentTemplate.builder("large").labels("linux").build()).build());
        h.driver.failNext(FaultyCloudDriver.Op.CREATE, 1, CloudException.Kind.CAPACITY);
        PlannedAgent p = h.engine.provision("linux", 1).planned().get(0);
        assertEquals("large", p.future().join().templateName());
        finish(h, "no capacity for the first template", "CAPACITY on create; fallback template");
    }

    @Test
    public void s11_instanceEndedOutsideTheEngine() {
        Harness h = harness(Harness.small().buildWaitTimeout(Duration.ofSeconds(-1)).build());
        String agent = h.engine.provision("linux", 1).planned().get(0).agentName();
        h.engine.agentConnected(agent, h.rec(agent).instanceId());
        h.driver.setState(h.rec(agent).instanceId(), CloudInstance.State.TERMINATED);
        finish(h, "instance ended outside the engine (spot reclaim)", "instance terminated behind our back");
        assertFalse(h.registry.agents.containsKey(agent));
    }

    @Test
    public void s12_spotInterruptionNotice() {
        Harness h = harness(Harness.small().buildWaitTimeout(Duration.ofSeconds(-1)).build());
        String agent = h.engine.provision("linux", 1).planned().get(0).agentName();
        h.engine.agentConnected(agent, h.rec(agent).instanceId());
        h.engine.buildStarted(agent);
        h.driver.notice(h.rec(agent).instanceId());
        finish(h, "spot interruption notice during a build", "two-minute notice on a busy agent");
        assertTrue(h.registry.offline.containsKey(agent));
        assertEquals(AgentState.FAILED, h.rec(agent).state());
    }

    @Test
    public void s13_restartWithTheStoreLost() {
        Harness h = harness();
        h.engine.provision("linux", 3);
        assertEquals(3, h.registry.listOwned().size());
        h.restartWithEmptyStore(); // only the fingerprints remain
        finish(h, "controller restart with its store lost", "3 instances + 3 agents, no records");
        assertEquals(0, h.driver.alive().size());
        assertEquals(0, h.registry.listOwned().size());
    }

    @Test
    public void s14_everyCallFailsTransientlyForAWhile() {
        Harness h = harness();
        h.driver.failNext(FaultyCloudDriver.Op.DESCRIBE, 3, CloudException.Kind.TRANSIENT)
                .failNext(FaultyCloudDriver.Op.LIST, 3, CloudException.Kind.TRANSIENT)
                .failNext(FaultyCloudDriver.Op.TERMINATE, 3, CloudException.Kind.TRANSIENT);
        List<String> agents = h.engine.provision("linux", 3).planned().stream().map(PlannedAgent::agentName).toList();
        h.engine.agentConnected(agents.get(0), null);
        h.engine.buildStarted(agents.get(0));
        h.engine.buildFinished(agents.get(0));
        for (int i = 0; i < 10; i++) {
            h.advance(Duration.ofSeconds(30));
            h.engine.tick();
            h.engine.reap();
        }
        finish(h, "describe, listing and terminate fail transiently", "3x TRANSIENT on each of them");
    }

    @Test
    public void s15_reaperAdoptsADuplicateWhileTheCreateIsStillInFlight() {
        Harness h = harness(Harness.small().buildWaitTimeout(Duration.ofSeconds(-1)).build());
        h.driver.duplicateCreates(1);
        // the create is slow: the reaper runs in the middle of it, sees both instances and adopts one;
        // the create then returns the other
        CloudDriver slow = new CloudDriver() {
            public CloudInstance create(LaunchSpec spec) throws CloudException {
                CloudInstance made = h.driver.create(spec);
                h.engine.reap();
                FaultyCloudDriver.Inst other = h.driver.all().stream().filter(i -> !i.id.equals(made.id())).findFirst()
                        .orElseThrow();
                return new CloudInstance(other.id, CloudInstance.State.PENDING, other.fp, null, false, Double.NaN);
            }
            public List<CloudInstance> describe(Collection<String> ids) throws CloudException { return h.driver.describe(ids); }
            public List<CloudInstance> listOwned(String c) throws CloudException { return h.driver.listOwned(c); }
            public void terminate(Collection<String> ids) throws CloudException { h.driver.terminate(ids); }
        };
        h.engine = CloudEngine.builder(h.settings).driver(slow).registry(h.registry).store(h.store).metrics(h.metrics)
                .clock(h.clock).executor(Runnable::run).random(new Random(5)).build();
        AgentRecord r = h.engine.provision("linux", 1).planned().get(0).future().join();
        String adopted = r.instanceId();
        assertTrue(h.driver.alive().contains(adopted));
        assertEquals(ConnectDecision.ACCEPTED, h.engine.agentConnected(r.agentName(), adopted));
        finish(h, "reaper adopts a duplicate while the create is in flight", "duplicate create + reaper mid-create");
        assertEquals(List.of(adopted), h.driver.alive());
        assertEquals(adopted, h.rec(r.agentName()).instanceId());
    }

    @AfterClass
    public static void printMatrix() {
        StringBuilder sb = new StringBuilder("\nFault-injection matrix (after faults clear + one reaper cycle)\n");
        sb.append("| # | scenario | faults injected | calls create/describe/list/terminate | leaked | ghosts | result |\n");
        sb.append("|---|---|---|---|---|---|---|\n");
        int n = 1;
        synchronized (ROWS) {
            for (String[] r : ROWS) {
                sb.append("| ").append(n++).append(" | ").append(String.join(" | ", r)).append(" |\n");
            }
        }
        System.out.println(sb);
    }

    /** Stands for the controller process dying mid-call. */
    private static final class ControllerCrash extends Error {
        ControllerCrash() {
            super("controller crashed", null, false, false);
        }
    }
}
