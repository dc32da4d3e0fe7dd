package dev.tollgate.cloud;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.tollgate.cloud.port.CloudInstance;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.Test;

/**
 * Interruption notices reported by the agent's side (read from the instance metadata service) and the
 * cloud-API check kept as a fallback for agents that do not report. Ticks every 10 s on a manual clock.
 */
public class AgentSideInterruptionTest {
    private static final Duration TICK = Duration.ofSeconds(10);

    private static Harness harness() {
        Harness h = new Harness(Harness.settings()
                .template(Harness.small().buildWaitTimeout(Duration.ofSeconds(-1)).build()).build());
        h.driver.announcesInterruptions = true;
        return h;
    }

    private static List<String> connected(Harness h, int n) {
        ProvisionResult r = h.engine.provision("linux", n);
        assertEquals(n, r.started());
        List<String> names = new ArrayList<>();
        for (PlannedAgent p : r.planned()) {
            assertEquals(ConnectDecision.ACCEPTED, h.engine.agentConnected(p.agentName(), h.rec(p.agentName()).instanceId()));
            h.registry.connect(p.agentName());
            names.add(p.agentName());
        }
        return names;
    }

    /** Advances the clock tick by tick; every agent in {@code reporting} reports "no notice" each tick. */
    private static void run(Harness h, Duration total, List<String> reporting) {
        for (Duration d = Duration.ZERO; d.compareTo(total) < 0; d = d.plus(TICK)) {
            h.advance(TICK);
            reporting.forEach(h.engine::interruptionWatchReport);
            h.engine.tick();
        }
    }

    @Test
    public void aNoticeReadOnTheAgentTakesItOfflineWithinTheTickAndReschedulesItsBuild() {
        Harness h = harness();
        List<String> agents = connected(h, 2);
        String busy = agents.get(0);
        String idle = agents.get(1);
        h.engine.buildStarted(busy);
        run(h, Duration.ofMinutes(1), agents);
        Instant when = h.clock.instant().plus(Duration.ofMinutes(2));

        h.engine.interruptionNoticed(h.rec(busy).instanceId(), when, "terminate"); // by instance id
        h.engine.interruptionNoticed(idle, when, "stop"); // by agent name

        String cause = h.registry.offline.get(busy);
        assertTrue(cause, cause.contains("spot interruption notice") && cause.contains("terminate")
                && cause.contains(when.toString()));
        assertTrue(h.registry.offline.get(idle).contains("stop"));
        assertEquals("the busy agent's build goes back to the queue", Set.of(busy), h.registry.rescheduled.keySet());
        assertEquals(cause, h.registry.rescheduled.get(busy));
        assertTrue("offline before the agent is removed",
                h.registry.log.indexOf("offline " + busy) < h.registry.log.indexOf("remove " + busy));
        assertEquals(AgentState.TERMINATING, h.rec(busy).state());
        h.engine.tick();
        assertEquals(CloudInstance.State.TERMINATED, h.driver.get(h.rec(busy).instanceId()).state);
        assertEquals("no cloud API call to learn of the notice", 0, h.driver.interruptionChecks.get());
    }

    @Test
    public void aRepeatedOrUnknownNoticeIsHarmless() {
        Harness h = harness();
        String a = connected(h, 1).get(0);
        h.engine.buildStarted(a);
        Instant when = h.clock.instant().plus(Duration.ofMinutes(2));
        h.engine.interruptionNoticed(a, when, "terminate");
        h.engine.interruptionNoticed(a, when, "terminate");
        h.engine.interruptionNoticed("i-unknown", when, null);
        h.engine.interruptionWatchReport("i-unknown");
        assertEquals(1, h.registry.log.stream().filter(l -> l.equals("reschedule " + a)).count());
        assertEquals(1, h.registry.offline.size());
    }

    @Test
    public void noCloudCheckWhileEveryConnectedAgentReports() {
        Harness h = harness();
        List<String> agents = connected(h, 5);
        run(h, Duration.ofMinutes(30), agents);
        assertEquals(0, h.driver.interruptionChecks.get());
    }

    @Test
    public void anAgentThatNeverReportsIsCheckedAloneOnceItsWindowHasPassed() {
        Harness h = harness();
        List<String> agents = connected(h, 3);
        String silent = agents.get(2);
        List<String> reporting = agents.subList(0, 2);
        run(h, Duration.ofMinutes(1), reporting);
        assertEquals("its side gets a window to start reporting", 0, h.driver.interruptionChecks.get());
        run(h, Duration.ofMinutes(2), reporting);
        assertTrue(h.driver.interruptionChecks.get() >= 1);
        for (List<String> ids : h.driver.interruptionCheckIds) {
            assertEquals(List.of(h.rec(silent).instanceId()), ids);
        }
        // the cloud marks it: the fallback check finds it within one check interval
        h.driver.notice(h.rec(silent).instanceId());
        run(h, Duration.ofMinutes(1), reporting);
        assertTrue(h.registry.offline.get(silent).contains("take the instance away"));
        assertFalse(h.rec(silent).state().isLive());
        int checks = h.driver.interruptionChecks.get();
        run(h, Duration.ofMinutes(10), reporting);
        assertEquals("no checks once only reporting agents are left", checks, h.driver.interruptionChecks.get());
    }

    @Test
    public void anAgentThatFallsSilentIsCheckedUntilItReportsAgain() {
        Harness h = harness();
        String a = connected(h, 1).get(0);
        run(h, Duration.ofMinutes(5), List.of(a));
        assertEquals(0, h.driver.interruptionChecks.get());
        run(h, Duration.ofMinutes(4), List.of()); // its watcher stopped
        int checks = h.driver.interruptionChecks.get();
        assertTrue("checked while silent: " + checks, checks >= 2);
        assertTrue("at most one check a minute: " + checks, checks <= 3);
        run(h, Duration.ofMinutes(5), List.of(a));
        assertEquals(checks, h.driver.interruptionChecks.get());
    }

    @Test
    public void manySilentAgentsAreCheckedInOneBatchedCall() {
        Harness h = harness();
        List<String> agents = connected(h, 50);
        run(h, Duration.ofMinutes(2).plus(TICK), List.of());
        assertEquals(1, h.driver.interruptionChecks.get());
        assertEquals(50, h.driver.interruptionCheckIds.get(0).size());
        h.driver.notice(h.rec(agents.get(7)).instanceId());
        h.driver.notice(h.rec(agents.get(42)).instanceId());
        run(h, Duration.ofMinutes(1), List.of());
        assertEquals(2, h.driver.interruptionChecks.get());
        assertEquals(Set.of(agents.get(7), agents.get(42)), h.registry.offline.keySet());
    }

    @Test
    public void anAgentTheEngineFindsConnectedGetsAWindowToo() {
        Harness h = harness();
        String a = connected(h, 1).get(0);
        h.engine.agentDisconnected(a); // the registry still has it connected: the engine notices on its own
        run(h, Duration.ofMinutes(1), List.of());
        assertTrue(h.rec(a).state().isConnected());
        assertEquals(0, h.driver.interruptionChecks.get());
        run(h, Duration.ofMinutes(2), List.of());
        assertTrue(h.driver.interruptionChecks.get() >= 1);
    }

    @Test
    public void agentsNotConnectedYetAreNotChecked() {
        Harness h = harness();
        ProvisionResult r = h.engine.provision("linux", 3);
        assertEquals(3, r.started());
        run(h, Duration.ofMinutes(10), List.of());
        assertEquals(0, h.driver.interruptionChecks.get());
    }

    @Test
    public void aDisconnectedAgentNeedsNoCheckAndReconnectingGivesANewWindow() {
        Harness h = harness();
        String a = connected(h, 1).get(0);
        run(h, Duration.ofMinutes(1), List.of(a));
        h.engine.agentDisconnected(a);
        h.registry.connected.remove(a);
        run(h, Duration.ofMinutes(5), List.of());
        assertEquals(0, h.driver.interruptionChecks.get());
        assertEquals(ConnectDecision.ACCEPTED, h.engine.agentConnected(a, h.rec(a).instanceId()));
        h.registry.connect(a);
        run(h, Duration.ofMinutes(1), List.of());
        assertEquals(0, h.driver.interruptionChecks.get());
        run(h, Duration.ofMinutes(1).plus(TICK), List.of());
        assertEquals(1, h.driver.interruptionChecks.get());
    }
}
