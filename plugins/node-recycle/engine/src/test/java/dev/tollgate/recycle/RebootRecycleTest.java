package dev.tollgate.recycle;

import static dev.tollgate.recycle.FakePorts.build;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.tollgate.common.BuildResult;
import dev.tollgate.recycle.RecycleEvent.Kind;
import dev.tollgate.recycle.port.CommandResult;
import java.time.Duration;
import java.util.List;
import org.junit.Before;
import org.junit.Test;

/** Every outcome of the REBOOT mode, driven by events and a manual clock. */
public class RebootRecycleTest {
    private static final String CMD = "sudo /sbin/shutdown -r +1";

    private FakePorts ports;
    private Recycler recycler;

    @Before
    public void setUp() {
        ports = new FakePorts();
        recycler = ports.recycler(PolicyRules.builder().forLabel("devstack_slave", RecyclePolicy.rebootDefaults()).build());
    }

    private RecycleState state() {
        return recycler.status("a1").orElseThrow().state();
    }

    private String cause() {
        return recycler.status("a1").orElseThrow().cause();
    }

    /** Build done, offline taken, reboot command started and accepted (exit 0). */
    private void rebootAccepted() {
        assertEquals(Recycler.Outcome.RECYCLING, recycler.buildCompleted(build("a1", 42, BuildResult.FAILURE)));
        recycler.tick();
        assertEquals(RecycleState.REBOOT_SENT, state());
        ports.commands.get("a1").complete(CommandResult.exited(0, "Shutdown scheduled for ..."));
        assertEquals(RecycleState.WAITING_DISCONNECT, state());
    }

    @Test
    public void comesBack_offlineThenCommandThenOnline() {
        rebootAccepted();
        assertEquals("Tollgate: rebooting after check-tempest #42 (FAILURE) — back in up to 15 min",
                ports.offlineCause.get("a1"));

        ports.clock.advance(Duration.ofSeconds(65)); // shutdown -r +1 fires
        ports.setConnected("a1", false);
        recycler.agentDisconnected("a1");
        assertEquals(RecycleState.WAITING_RECONNECT, state());

        ports.clock.advance(Duration.ofMinutes(2)); // boots
        ports.setConnected("a1", true);
        recycler.agentConnected("a1");

        assertEquals(RecycleState.ONLINE, state());
        assertEquals(List.of("offline a1", "command a1", "online a1"), ports.verbs());
        assertEquals("command a1: " + CMD, ports.actions().get(1));
        assertEquals(List.of(Kind.STARTED, Kind.REBOOT_ACCEPTED, Kind.BACK_ONLINE), ports.eventKinds());
        assertFalse(ports.offlineCause.containsKey("a1"));
        assertEquals(ports.clock.instant(), recycler.status("a1").orElseThrow().since());
    }

    @Test
    public void comesBack_detectedByPollingWhenEventsAreMissed() {
        rebootAccepted();
        ports.setConnected("a1", false);
        recycler.tick(); // no agentDisconnected event: the tick sees it
        assertEquals(RecycleState.WAITING_RECONNECT, state());
        ports.setConnected("a1", true);
        recycler.tick();
        assertEquals(RecycleState.ONLINE, state());
        assertEquals(List.of("offline a1", "command a1", "online a1"), ports.verbs());
    }

    @Test
    public void immediateRebootThatDropsTheConnectionCountsAsSent() {
        recycler.buildCompleted(build("a1", 42, BuildResult.SUCCESS));
        recycler.tick();
        ports.commands.get("a1").complete(CommandResult.connectionLost("channel closed"));
        assertEquals(RecycleState.WAITING_RECONNECT, state());
        recycler.agentConnected("a1");
        assertEquals(RecycleState.ONLINE, state());
        assertEquals(0, ports.failures());
    }

    @Test
    public void disconnectWhileCommandPendingCountsAsSentAndLateResultIsIgnored() {
        recycler.buildCompleted(build("a1", 42, BuildResult.SUCCESS));
        recycler.tick();
        ports.setConnected("a1", false);
        recycler.agentDisconnected("a1");
        assertEquals(RecycleState.WAITING_RECONNECT, state());
        // the remote call then fails because the channel went away: not a failed reboot
        ports.commands.get("a1").completeExceptionally(new java.io.IOException("channel is closing"));
        assertEquals(RecycleState.WAITING_RECONNECT, state());
        assertEquals(0, ports.failures());
    }

    @Test
    public void aPortThatCannotTellWhetherTheAgentIsConnectedStillEndsInTheTimeoutAndItsEvent() {
        rebootAccepted();
        ports.failIsConnected = new IllegalStateException("node a1 is gone from Jenkins");
        recycler.tick(); // unknown: no move on a guess
        assertEquals(RecycleState.WAITING_DISCONNECT, state());
        ports.clock.advance(Duration.ofMinutes(15));
        recycler.tick();
        assertEquals(RecycleState.FAILED_STAYS_OFFLINE, state());
        assertEquals(1, ports.failures());
    }

    @Test
    public void neverComesBack_staysOfflineWithCauseAndOneEvent() {
        rebootAccepted();
        ports.setConnected("a1", false);
        recycler.agentDisconnected("a1");

        ports.clock.advance(Duration.ofMinutes(14).plusSeconds(59));
        recycler.tick();
        assertEquals(RecycleState.WAITING_RECONNECT, state());

        ports.clock.advance(Duration.ofSeconds(1)); // 15 min after the command
        recycler.tick();
        assertEquals(RecycleState.FAILED_STAYS_OFFLINE, state());
        String expected = "Tollgate: did not come back 15 min after reboot; left offline — check the machine"
                + ". Last build: check-tempest #42 (FAILURE)";
        assertEquals(expected, cause());
        assertEquals(expected, ports.offlineCause.get("a1"));

        // more ticks, and a late return, change nothing: no second event, not brought online
        ports.clock.advance(Duration.ofMinutes(30));
        recycler.tick();
        ports.setConnected("a1", true);
        recycler.agentConnected("a1");
        recycler.tick();
        assertEquals(RecycleState.FAILED_STAYS_OFFLINE, state());
        assertEquals(List.of(Kind.STARTED, Kind.REBOOT_ACCEPTED, Kind.DID_NOT_COME_BACK), ports.eventKinds());
        assertEquals(expected, ports.events.get(2).message());
        assertFalse(ports.verbs().contains("online a1"));
    }

    @Test
    public void neverGoesDown_failsAtReconnectTimeout() {
        rebootAccepted();
        ports.clock.advance(Duration.ofMinutes(15));
        recycler.tick();
        assertEquals(RecycleState.FAILED_STAYS_OFFLINE, state());
        assertTrue(cause(), cause().contains("never went down: still connected 15 min after the reboot command"));
        assertEquals(List.of(Kind.STARTED, Kind.REBOOT_ACCEPTED, Kind.DID_NOT_COME_BACK), ports.eventKinds());
    }

    @Test
    public void connectedBeforeEverSeenDisconnected_isTheOldConnectionAndIgnored() {
        rebootAccepted();
        recycler.agentConnected("a1"); // e.g. a stale onOnline while shutdown -r +1 is still pending
        recycler.tick();
        assertEquals(RecycleState.WAITING_DISCONNECT, state());
        assertFalse(ports.verbs().contains("online a1"));

        ports.setConnected("a1", false);
        recycler.agentDisconnected("a1");
        ports.setConnected("a1", true);
        recycler.agentConnected("a1");
        assertEquals(RecycleState.ONLINE, state());
    }

    @Test
    public void slowDisconnect_isReportedOnceThenTheWaitGoesOn() {
        recycler.setRules(PolicyRules.everyAgent(RecyclePolicy.builder().disconnectTimeout(Duration.ofMinutes(3)).build()));
        rebootAccepted();
        ports.clock.advance(Duration.ofMinutes(3));
        recycler.tick();
        recycler.tick();
        assertEquals(RecycleState.WAITING_DISCONNECT, state());
        assertEquals(List.of(Kind.STARTED, Kind.REBOOT_ACCEPTED, Kind.SLOW_TO_DISCONNECT), ports.eventKinds());
        assertTrue(cause(), cause().contains("still connected after 3 min; waiting up to 15 min"));
        assertEquals(cause(), ports.offlineCause.get("a1"));

        ports.clock.advance(Duration.ofMinutes(5));
        ports.setConnected("a1", false);
        recycler.tick();
        ports.setConnected("a1", true);
        recycler.tick();
        assertEquals(RecycleState.ONLINE, state());
        assertEquals(0, ports.failures());
    }

    @Test
    public void rebootCommandExitsNonZero_staysOfflineWithExitCodeAndOutput() {
        recycler.buildCompleted(build("a1", 42, BuildResult.FAILURE));
        recycler.tick();
        ports.commands.get("a1").complete(CommandResult.exited(1, "sudo: a password is required\n"));
        assertEquals(RecycleState.FAILED_STAYS_OFFLINE, state());
        String expected = "Tollgate: reboot command `" + CMD + "` failed with exit code 1: sudo: a password is required;"
                + " left offline. Last build: check-tempest #42 (FAILURE)";
        assertEquals(expected, cause());
        assertEquals(expected, ports.offlineCause.get("a1"));
        assertEquals(List.of(Kind.STARTED, Kind.REBOOT_COMMAND_FAILED), ports.eventKinds());

        ports.clock.advance(Duration.ofHours(1));
        recycler.tick();
        assertEquals(1, ports.failures());
        assertEquals(List.of("offline a1", "command a1", "offline a1"), ports.verbs());
    }

    @Test
    public void rebootCommandCannotRun_reportedByThePort() {
        recycler.buildCompleted(build("a1", 42, BuildResult.FAILURE));
        recycler.tick();
        ports.commands.get("a1").complete(CommandResult.couldNotRun("agent is not connected"));
        assertEquals(RecycleState.FAILED_STAYS_OFFLINE, state());
        assertTrue(cause(), cause().startsWith("Tollgate: could not run reboot command `" + CMD + "`: agent is not connected"));
        assertEquals(1, ports.failures());
    }

    @Test
    public void rebootCommandCannotRun_portThrowsOrFailsTheStage() {
        ports.failRunCommand = new IllegalStateException("no launcher for a1");
        recycler.buildCompleted(build("a1", 42, BuildResult.FAILURE));
        recycler.tick();
        assertEquals(RecycleState.FAILED_STAYS_OFFLINE, state());
        assertTrue(cause(), cause().contains("could not run reboot command `" + CMD + "`: no launcher for a1"));

        ports.failRunCommand = null;
        recycler.buildCompleted(build("a1", 43, BuildResult.FAILURE));
        recycler.tick();
        ports.commands.get("a1").completeExceptionally(new java.io.IOException("remoting: java.io.EOFException"));
        // still connected, so the exception is a failure to run, not a reboot
        assertEquals(RecycleState.FAILED_STAYS_OFFLINE, state());
        assertTrue(cause(), cause().contains("remoting: java.io.EOFException"));
        assertEquals(2, ports.failures());
    }

    @Test
    public void rebootCommandThatNeverFinishes_failsAfterCommandTimeout() {
        recycler.buildCompleted(build("a1", 42, BuildResult.FAILURE));
        recycler.tick();
        ports.clock.advance(Duration.ofMinutes(2));
        recycler.tick();
        assertEquals(RecycleState.FAILED_STAYS_OFFLINE, state());
        assertTrue(cause(), cause().contains("did not finish within 2 min"));
        // the command finishing afterwards changes nothing
        ports.commands.get("a1").complete(CommandResult.exited(0, ""));
        assertEquals(RecycleState.FAILED_STAYS_OFFLINE, state());
        assertEquals(1, ports.failures());
    }

    @Test
    public void busyAgentIsNotRebootedUntilIdle() {
        ports.busy.add("a1");
        recycler.buildCompleted(build("a1", 42, BuildResult.SUCCESS));
        recycler.tick();
        ports.clock.advance(Duration.ofHours(2)); // a long build on the second executor: no timeout yet
        recycler.tick();
        assertEquals(RecycleState.OFFLINE_TAKEN, state());
        assertEquals(List.of("offline a1"), ports.verbs());

        ports.busy.remove("a1");
        recycler.tick();
        assertEquals(RecycleState.REBOOT_SENT, state());
        assertEquals(List.of("offline a1", "command a1"), ports.verbs());
    }

    @Test
    public void customCommandAndTimeoutAppearInTexts() {
        recycler.setRules(PolicyRules.everyAgent(RecyclePolicy.builder()
                .rebootCommand("sudo systemctl reboot").reconnectTimeout(Duration.ofMinutes(10)).build()));
        recycler.buildCompleted(build("a1", 7, BuildResult.UNSTABLE));
        assertEquals("Tollgate: rebooting after check-tempest #7 (UNSTABLE) — back in up to 10 min", ports.offlineCause.get("a1"));
        recycler.tick();
        assertEquals("command a1: sudo systemctl reboot", ports.actions().get(1));
    }

    @Test
    public void bringOnlineFails_staysOfflineAndReports() {
        ports.failBringOnline = new IllegalStateException("node removed");
        recycler.buildCompleted(build("a1", 42, BuildResult.SUCCESS));
        recycler.tick();
        ports.commands.get("a1").complete(CommandResult.connectionLost(""));
        recycler.agentConnected("a1");
        assertEquals(RecycleState.FAILED_STAYS_OFFLINE, state());
        assertTrue(cause(), cause().contains("could not be brought online (node removed)"));
        assertEquals(List.of(Kind.STARTED, Kind.ONLINE_FAILED), ports.eventKinds());
    }
}
