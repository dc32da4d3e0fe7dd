package dev.tollgate.cloud;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.tollgate.cloud.port.CloudException;
import dev.tollgate.cloud.port.CloudInstance;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.Test;

/** The state machine: every timeout and use rule, driven by events and the manual clock. */
public class LifecycleTest {

    private static Harness harness(AgentTemplate<?> t) {
        return new Harness(Harness.settings().template(t).build());
    }

    /** Starts one agent, connects it and returns its name. */
    private static String connectedAgent(Harness h) {
        ProvisionResult r = h.engine.provision("linux", 1);
        assertEquals(1, r.started());
        String name = r.planned().get(0).agentName();
        assertEquals(ConnectDecision.ACCEPTED, h.engine.agentConnected(name, h.rec(name).instanceId()));
        return name;
    }

    @Test
    public void buildWaitTimeoutZeroEndsTheAgentRightAfterItsBuild() {
        Harness h = harness(Harness.small().buildWaitTimeout(Duration.ZERO).build());
        String a = connectedAgent(h);
        String id = h.rec(a).instanceId();
        assertTrue(h.engine.acceptsBuilds(a));
        h.engine.buildStarted(a);
        assertFalse("one build per instance", h.engine.acceptsBuilds(a));
        h.engine.buildFinished(a);
        assertEquals(AgentState.TERMINATING, h.rec(a).state());
        assertFalse("agent removed at once", h.registry.agents.containsKey(a));
        h.engine.tick();
        assertEquals(AgentState.TERMINATED, h.rec(a).state());
        assertEquals(CloudInstance.State.TERMINATED, h.driver.get(id).state);
    }

    @Test
    public void buildWaitTimeoutZeroWaitsUpToMissingTimeoutForTheFirstBuild() {
        Harness h = harness(Harness.small().buildWaitTimeout(Duration.ZERO).missingTimeout(Duration.ofMinutes(20)).build());
        String a = connectedAgent(h);
        h.advance(Duration.ofMinutes(19));
        h.engine.tick();
        assertEquals(AgentState.CONNECTED, h.rec(a).state());
        h.advance(Duration.ofMinutes(1));
        h.engine.tick();
        assertEquals(AgentState.TERMINATED, h.rec(a).state());
    }

    @Test
    public void positiveBuildWaitTimeoutEndsTheAgentAfterThatMuchIdleTimeOnly() {
        Harness h = harness(Harness.small().buildWaitTimeout(Duration.ofMinutes(10)).build());
        String a = connectedAgent(h);
        h.engine.buildStarted(a);
        h.advance(Duration.ofMinutes(30)); // a long build is not idle time
        h.engine.tick();
        assertEquals(AgentState.BUSY, h.rec(a).state());
        h.engine.buildFinished(a);
        assertEquals(AgentState.IDLE, h.rec(a).state());
        h.advance(Duration.ofMinutes(9));
        h.engine.tick();
        assertEquals(AgentState.IDLE, h.rec(a).state());
        h.engine.buildStarted(a); // a second build resets the idle clock
        h.engine.buildFinished(a);
        h.advance(Duration.ofMinutes(9));
        h.engine.tick();
        assertEquals(AgentState.IDLE, h.rec(a).state());
        h.advance(Duration.ofMinutes(1));
        h.engine.tick();
        assertEquals(AgentState.TERMINATED, h.rec(a).state());
        assertEquals(2, h.rec(a).uses());
    }

    @Test
    public void positiveBuildWaitTimeoutAlsoEndsAnAgentThatNeverGotABuild() {
        Harness h = harness(Harness.small().buildWaitTimeout(Duration.ofMinutes(5)).build());
        String a = connectedAgent(h);
        h.advance(Duration.ofMinutes(5));
        h.engine.tick();
        assertEquals(AgentState.TERMINATED, h.rec(a).state());
    }

    @Test
    public void negativeBuildWaitTimeoutNeverEndsAnIdleAgent() {
        Harness h = harness(Harness.small().buildWaitTimeout(Duration.ofSeconds(-1)).build());
        String a = connectedAgent(h);
        h.engine.buildStarted(a);
        h.engine.buildFinished(a);
        h.advance(Duration.ofDays(30));
        h.engine.tick();
        assertEquals(AgentState.IDLE, h.rec(a).state());
        assertTrue(h.registry.agents.containsKey(a));
    }

    @Test
    public void missingTimeoutFailsAndEndsAnInstanceThatNeverConnected() {
        Harness h = harness(Harness.small().missingTimeout(Duration.ofMinutes(20)).build());
        String a = h.engine.provision("linux", 1).planned().get(0).agentName();
        String id = h.rec(a).instanceId();
        assertTrue(h.registry.agents.containsKey(a));
        h.advance(Duration.ofMinutes(19).plusSeconds(59));
        h.engine.tick();
        assertTrue(h.rec(a).state().isAwaitingConnection());
        h.advance(Duration.ofSeconds(1));
        h.engine.tick();
        assertEquals(AgentState.FAILED, h.rec(a).state());
        assertFalse(h.registry.agents.containsKey(a));
        assertEquals(CloudInstance.State.TERMINATED, h.driver.get(id).state);
        assertEquals(1, h.metrics.snapshot().failures());
    }

    @Test
    public void missingTimeoutRestartsWhenAConnectedAgentDisconnects() {
        Harness h = harness(Harness.small().missingTimeout(Duration.ofMinutes(20)).buildWaitTimeout(Duration.ofSeconds(-1)).build());
        String a = connectedAgent(h);
        h.advance(Duration.ofHours(2));
        h.engine.agentDisconnected(a);
        assertEquals(AgentState.RUNNING, h.rec(a).state());
        h.advance(Duration.ofMinutes(19));
        h.engine.tick();
        assertEquals(AgentState.RUNNING, h.rec(a).state());
        h.advance(Duration.ofMinutes(1));
        h.engine.tick();
        assertEquals(AgentState.FAILED, h.rec(a).state());
    }

    @Test
    public void maxUsesEndsTheAgentAfterThatManyBuilds() {
        Harness h = harness(Harness.small().maxUses(3).buildWaitTimeout(Duration.ofSeconds(-1)).build());
        String a = connectedAgent(h);
        for (int i = 0; i < 2; i++) {
            h.engine.buildStarted(a);
            h.engine.buildFinished(a);
            assertEquals(AgentState.IDLE, h.rec(a).state());
            assertTrue(h.engine.acceptsBuilds(a));
        }
        h.engine.buildStarted(a);
        assertFalse("third use is the last", h.engine.acceptsBuilds(a));
        h.engine.buildFinished(a);
        assertEquals(AgentState.TERMINATING, h.rec(a).state());
        h.engine.tick();
        assertEquals(AgentState.TERMINATED, h.rec(a).state());
    }

    @Test
    public void severalExecutorsStayBusyUntilTheLastBuildFinishes() {
        Harness h = harness(Harness.small().executors(2).buildWaitTimeout(Duration.ZERO).build());
        String a = connectedAgent(h);
        h.engine.buildStarted(a);
        h.engine.buildStarted(a);
        h.engine.buildFinished(a);
        assertEquals(AgentState.BUSY, h.rec(a).state());
        h.engine.buildFinished(a);
        assertEquals(AgentState.TERMINATING, h.rec(a).state());
    }

    @Test
    public void terminateIsRetriedWithGrowingBackoffUntilItSucceeds() {
        Harness h = harness(Harness.small().buildWaitTimeout(Duration.ZERO).build());
        String a = connectedAgent(h);
        String id = h.rec(a).instanceId();
        h.driver.failNext(FaultyCloudDriver.Op.TERMINATE, 3, CloudException.Kind.TRANSIENT);
        h.engine.buildStarted(a);
        h.engine.buildFinished(a);
        Duration previous = Duration.ZERO;
        for (int attempt = 1; attempt <= 3; attempt++) {
            h.engine.tick();
            AgentRecord r = h.rec(a);
            assertEquals(AgentState.TERMINATING, r.state());
            assertEquals(attempt, r.terminateAttempts());
            Duration wait = Duration.between(h.clock.instant(), r.nextAttemptAt());
            // 5 s base doubled per attempt, jitter keeps it within [half, full]
            long full = 5000L << (attempt - 1);
            assertTrue("attempt " + attempt + " waits " + wait, wait.toMillis() >= full / 2 && wait.toMillis() <= full);
            assertTrue(wait.compareTo(previous) >= 0 || attempt == 1 || wait.toMillis() >= full / 2);
            previous = wait;
            int calls = h.driver.count(FaultyCloudDriver.Op.TERMINATE);
            h.engine.tick(); // not due yet: no call
            assertEquals(calls, h.driver.count(FaultyCloudDriver.Op.TERMINATE));
            h.clock.set(r.nextAttemptAt());
        }
        h.engine.tick();
        assertEquals(AgentState.TERMINATED, h.rec(a).state());
        assertEquals(4, h.driver.count(FaultyCloudDriver.Op.TERMINATE));
        assertEquals(CloudInstance.State.TERMINATED, h.driver.get(id).state);
    }

    @Test
    public void interruptionNoticeTakesTheAgentOfflineAndEndsTheInstance() {
        Harness h = harness(Harness.small().buildWaitTimeout(Duration.ofSeconds(-1)).build());
        String a = connectedAgent(h);
        String id = h.rec(a).instanceId();
        h.engine.buildStarted(a);
        h.engine.interruptionNotice(id, "spot two-minute notice");
        assertTrue(h.registry.offline.get(a).contains("spot two-minute notice"));
        assertFalse(h.registry.agents.containsKey(a));
        h.engine.tick();
        assertEquals(AgentState.FAILED, h.rec(a).state());
        assertEquals(CloudInstance.State.TERMINATED, h.driver.get(id).state);
    }

    @Test
    public void interruptionNoticeFromTheDriverIsSeenWithinTheCheckIntervalNotTheReaperInterval() {
        Harness h = harness(Harness.small().buildWaitTimeout(Duration.ofSeconds(-1)).build());
        String a = connectedAgent(h);
        h.engine.buildStarted(a);
        h.driver.announcesInterruptions = true;
        h.advance(Duration.ofMinutes(2)); // its side never reports: checked once the report window has passed
        h.engine.tick();
        int checks = h.driver.interruptionChecks.get();
        assertTrue("asked while the agent is live", checks >= 1);
        h.driver.notice(h.rec(a).instanceId());
        h.advance(Duration.ofSeconds(59));
        h.engine.tick();
        assertEquals("not asked again before the interval", checks, h.driver.interruptionChecks.get());
        assertFalse(h.registry.offline.containsKey(a));
        h.advance(Duration.ofSeconds(1));
        h.engine.tick();
        assertTrue(h.registry.offline.get(a).contains("take the instance away"));
        assertEquals(AgentState.FAILED, h.rec(a).state());
    }

    @Test
    public void aZeroCheckIntervalTurnsTheInterruptionCheckOff() {
        Harness h = new Harness(Harness.settings().interruptionCheckInterval(Duration.ZERO)
                .template(Harness.small().buildWaitTimeout(Duration.ofSeconds(-1)).build()).build());
        connectedAgent(h);
        h.driver.announcesInterruptions = true;
        for (int i = 0; i < 10; i++) {
            h.advance(Duration.ofMinutes(1));
            h.engine.tick();
        }
        assertEquals(0, h.driver.interruptionChecks.get());
    }

    @Test
    public void noInterruptionChecksWhileNothingIsLive() {
        Harness h = harness(Harness.small().build());
        h.driver.announcesInterruptions = true;
        for (int i = 0; i < 10; i++) {
            h.advance(Duration.ofSeconds(30));
            h.engine.tick();
        }
        assertEquals(0, h.driver.interruptionChecks.get());
    }

    @Test
    public void interruptionNoticeSeenByDescribeOrListingActsTheSame() {
        Harness h = harness(Harness.small().buildWaitTimeout(Duration.ofSeconds(-1)).build());
        String a = connectedAgent(h);
        h.driver.notice(h.rec(a).instanceId());
        h.engine.reap();
        assertTrue(h.registry.offline.containsKey(a));
        assertEquals(AgentState.FAILED, h.rec(a).state());
    }

    @Test
    public void describeMovesStatesForwardOnlyAndPollingNoticesAConnection() {
        Harness h = new Harness(Harness.settings().template(Harness.small().build())
                .describeInterval(Duration.ofSeconds(30)).build());
        h.driver.spot(true);
        String a = h.engine.provision("linux", 1).planned().get(0).agentName();
        assertEquals(AgentState.REQUESTED, h.rec(a).state());
        String req = h.rec(a).instanceId();
        assertTrue(req.startsWith("sir-"));
        h.advance(Duration.ofSeconds(30));
        String inst = h.driver.fulfil(req);
        h.engine.tick();
        assertEquals("request fulfilled: the instance id is adopted", inst, h.rec(a).instanceId());
        assertEquals(AgentState.RUNNING, h.rec(a).state());
        assertEquals(inst, h.registry.agents.get(a).instanceId());
        h.registry.connect(a); // connected without an event
        h.engine.tick();
        assertEquals(AgentState.CONNECTED, h.rec(a).state());
        assertEquals(1, h.metrics.snapshot().connects());
        assertEquals(Duration.ofSeconds(30), h.metrics.snapshot().meanTimeToConnect());
    }

    @Test
    public void describeIsOneBatchedCallAtMostEveryDescribeInterval() {
        Harness h = new Harness(Harness.settings().template(Harness.small().build())
                .describeInterval(Duration.ofSeconds(60)).build());
        h.engine.provision("linux", 5);
        h.advance(Duration.ofSeconds(60));
        h.engine.tick();
        assertEquals(1, h.driver.count(FaultyCloudDriver.Op.DESCRIBE));
        h.advance(Duration.ofSeconds(59));
        h.engine.tick();
        assertEquals(1, h.driver.count(FaultyCloudDriver.Op.DESCRIBE));
        h.advance(Duration.ofSeconds(1));
        h.engine.tick();
        assertEquals(2, h.driver.count(FaultyCloudDriver.Op.DESCRIBE));
    }

    @Test
    public void connectDecisionsRefuseStrangersDuplicatesAndWrongInstances() {
        Harness h = harness(Harness.small().build());
        String a = h.engine.provision("linux", 1).planned().get(0).agentName();
        String id = h.rec(a).instanceId();
        assertEquals(ConnectDecision.UNKNOWN_AGENT, h.engine.agentConnected("test-small-nobody", null));
        assertEquals(ConnectDecision.WRONG_INSTANCE, h.engine.agentConnected(a, "i-999"));
        assertEquals(ConnectDecision.ACCEPTED, h.engine.agentConnected(a, id));
        assertEquals(ConnectDecision.ALREADY_CONNECTED, h.engine.agentConnected(a, null));
        h.engine.release(a, "done");
        assertEquals(ConnectDecision.NOT_LIVE, h.engine.agentConnected(a, id));
    }

    @Test
    public void everyChangeIsPersistedAndRoundTripsThroughTheFlatForm() {
        Harness h = harness(Harness.small().build());
        String a = connectedAgent(h);
        h.engine.buildStarted(a);
        AgentRecord stored = h.store.loadAll().stream().filter(r -> r.agentName().equals(a)).findFirst().orElseThrow();
        assertEquals(h.rec(a), stored);
        assertEquals(AgentState.BUSY, stored.state());
        assertEquals(stored, AgentRecord.fromMap(stored.toMap()));
        assertFalse("the agent secret is not in the record", stored.toMap().toString().contains("s3cret"));
    }

    @Test
    public void endedRecordsAreForgottenAfterTheRetention() {
        Harness h = new Harness(Harness.settings().template(Harness.small().buildWaitTimeout(Duration.ZERO).build())
                .recordRetention(Duration.ofHours(1)).build());
        String a = connectedAgent(h);
        h.engine.buildStarted(a);
        h.engine.buildFinished(a);
        h.engine.tick();
        h.advance(Duration.ofMinutes(59));
        h.engine.tick();
        assertTrue(h.engine.record(a).isPresent());
        h.advance(Duration.ofMinutes(1));
        h.engine.tick();
        assertFalse(h.engine.record(a).isPresent());
        assertEquals(0, h.store.size());
    }

    @Test
    public void restartKeepsUsesAndLetsTheAgentReconnect() {
        Harness h = harness(Harness.small().buildWaitTimeout(Duration.ofSeconds(-1)).maxUses(2).build());
        String a = connectedAgent(h);
        h.engine.buildStarted(a);
        h.engine.buildFinished(a);
        h.restart();
        AgentRecord r = h.rec(a);
        assertEquals("connections do not survive a restart", AgentState.RUNNING, r.state());
        assertEquals(1, r.uses());
        assertEquals(ConnectDecision.ACCEPTED, h.engine.agentConnected(a, r.instanceId()));
        assertEquals(AgentState.IDLE, h.rec(a).state());
        assertEquals("time to connect is counted once per agent", 0, h.metrics.snapshot().connects());
        h.engine.buildStarted(a);
        h.engine.buildFinished(a);
        assertEquals(AgentState.TERMINATING, h.rec(a).state());
    }

    @Test
    public void liveInstancesGaugeFollowsTheRecords() {
        Harness h = harness(Harness.small().build());
        h.engine.provision("linux", 3);
        h.engine.tick();
        assertEquals(3, h.metrics.snapshot().liveInstances());
        assertEquals(3, h.metrics.snapshot().requests());
        List<AgentRecord> all = h.engine.records();
        h.engine.release(all.get(0).agentName(), "test");
        h.engine.tick();
        assertEquals(2, h.metrics.snapshot().liveInstances());
        assertNotNull(h.metrics.snapshot().toString());
        assertNull(h.rec(all.get(0).agentName()).nextAttemptAt());
        assertEquals(Instant.parse("2026-01-01T00:00:00Z"), all.get(0).createdAt());
    }

    @Test
    public void inMemoryRegistryRunsTheEngineWithoutJenkins() {
        dev.tollgate.testing.ManualClock clock = new dev.tollgate.testing.ManualClock();
        FaultyCloudDriver driver = new FaultyCloudDriver(clock);
        InMemoryAgentRegistry registry = new InMemoryAgentRegistry();
        CloudEngine engine = CloudEngine.builder(Harness.settings().template(Harness.small().buildWaitTimeout(Duration.ZERO).build()).build())
                .driver(driver).registry(registry).clock(clock).executor(Runnable::run).build();
        String a = engine.provision("linux", 1).planned().get(0).future().join().agentName();
        assertEquals(Set.of("linux"), registry.agent(a).orElseThrow().labels());
        registry.markConnected(a);
        engine.tick();
        assertEquals(AgentState.CONNECTED, engine.record(a).orElseThrow().state());
        engine.buildStarted(a);
        engine.buildFinished(a);
        engine.tick();
        assertEquals(AgentState.TERMINATED, engine.record(a).orElseThrow().state());
        assertTrue(registry.listOwned().isEmpty());
        assertTrue(driver.alive().isEmpty());
        assertTrue(engine.metrics() instanceof InMemoryMetrics);
        assertEquals(1, ((InMemoryMetrics) engine.metrics()).snapshot().terminations());
    }
}
