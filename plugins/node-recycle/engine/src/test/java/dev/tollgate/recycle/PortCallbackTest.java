package dev.tollgate.recycle;

import static dev.tollgate.recycle.FakePorts.build;
import static org.junit.Assert.assertEquals;

import dev.tollgate.common.BuildResult;
import dev.tollgate.recycle.port.CommandResult;
import dev.tollgate.testing.DeadlockProbe;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.Before;
import org.junit.Test;

/**
 * The recycler never holds its lock while it calls a port. In Jenkins a port implementation takes
 * Jenkins' own locks (the queue lock, the node list), and the thread holding one of them may be
 * calling the recycler at that moment: a {@code QueueTaskDispatcher} asking for the status, another
 * executor's completion hook, a listener reporting a connection. Here each port call waits until
 * another thread has made such calls; with the lock held across the port call, both would wait
 * forever.
 */
public class PortCallbackTest {
    private final DeadlockProbe probe = new DeadlockProbe();

    private FakePorts ports;
    private Recycler recycler;

    @Before
    public void setUp() {
        ports = new FakePorts();
        recycler = ports.recycler(PolicyRules.everyAgent(RecyclePolicy.rebootDefaults()));
    }

    /** What another thread does meanwhile: every entry point, on other agents and on this one. */
    private void callsFromAnotherThread() {
        recycler.status();
        recycler.status("a1");
        recycler.agentConnected("b1");
        recycler.agentDisconnected("b1");
        recycler.buildCompleted(build("b1", 7, BuildResult.SUCCESS));
        recycler.tick();
        recycler.setRules(PolicyRules.everyAgent(RecyclePolicy.rebootDefaults()));
        recycler.forget("b2");
    }

    /**
     * The first port call {@code verb} for a1 starts another thread that calls into the recycler,
     * and waits for it to finish, the way a Jenkins call waits for a lock that thread holds.
     */
    private void whileIn(String verb) {
        whileIn(verb, this::callsFromAnotherThread);
    }

    private void whileIn(String verb, Runnable otherCalls) {
        AtomicBoolean first = new AtomicBoolean(true);
        ports.onCall = (v, agent) -> {
            if (!v.equals(verb) || !agent.equals("a1") || !first.compareAndSet(true, false)) {
                return;
            }
            probe.callFromAnotherThreadAndWait("other-thread-during-" + verb, otherCalls);
        };
    }

    private void returnsWithoutDeadlock(String what, Runnable engineCall) throws InterruptedException {
        probe.returnsWithoutDeadlock(what, engineCall);
    }

    private RecycleState state() {
        return recycler.status("a1").orElseThrow().state();
    }

    @Test
    public void takeOfflineInTheCompletionHook() throws Exception {
        whileIn("offline");
        AtomicReference<Recycler.Outcome> outcome = new AtomicReference<>();
        returnsWithoutDeadlock("buildCompleted", () -> outcome.set(recycler.buildCompleted(build("a1", 1, BuildResult.SUCCESS))));
        assertEquals(Recycler.Outcome.RECYCLING, outcome.get());
        assertEquals(RecycleState.OFFLINE_TAKEN, state());
    }

    @Test
    public void eventReportedFromTheCompletionHook() throws Exception {
        whileIn("event");
        returnsWithoutDeadlock("buildCompleted", () -> recycler.buildCompleted(build("a1", 1, BuildResult.SUCCESS)));
        // the other thread's tick found a1 offline and decided the reboot; its command was made after
        // the event, by the thread already making a1's calls
        assertEquals(RecycleState.REBOOT_SENT, state());
        assertEquals(List.of("offline a1: ", "command a1: "), ports.actions().stream()
                .filter(c -> c.contains(" a1: ")).map(c -> c.substring(0, c.indexOf(": ") + 2)).toList());
    }

    @Test
    public void busyQueryOnTick() throws Exception {
        recycler.buildCompleted(build("a1", 1, BuildResult.SUCCESS));
        whileIn("isBusy");
        returnsWithoutDeadlock("tick", recycler::tick);
        assertEquals(RecycleState.REBOOT_SENT, state());
    }

    @Test
    public void rebootCommandStartedOnTick() throws Exception {
        recycler.buildCompleted(build("a1", 1, BuildResult.SUCCESS));
        whileIn("command");
        returnsWithoutDeadlock("tick", recycler::tick);
        assertEquals(RecycleState.REBOOT_SENT, state());
    }

    @Test
    public void connectionPolledOnTick() throws Exception {
        recycler.buildCompleted(build("a1", 1, BuildResult.SUCCESS));
        recycler.tick();
        ports.commands.get("a1").complete(CommandResult.exited(0, ""));
        whileIn("isConnected");
        returnsWithoutDeadlock("tick", recycler::tick);
        assertEquals(RecycleState.WAITING_DISCONNECT, state());
    }

    @Test
    public void causeUpdatedWhenTheCommandFailsOnARemotingThread() throws Exception {
        recycler.buildCompleted(build("a1", 1, BuildResult.SUCCESS));
        recycler.tick();
        whileIn("offline");
        returnsWithoutDeadlock("the command's completion",
                () -> ports.commands.get("a1").complete(CommandResult.exited(1, "sudo: a password is required")));
        assertEquals(RecycleState.FAILED_STAYS_OFFLINE, state());
    }

    @Test
    public void bringOnlineWhenTheAgentIsBack() throws Exception {
        recycler.buildCompleted(build("a1", 1, BuildResult.SUCCESS));
        recycler.tick();
        ports.commands.get("a1").complete(CommandResult.connectionLost("channel closed"));
        whileIn("online");
        returnsWithoutDeadlock("agentConnected", () -> recycler.agentConnected("a1"));
        assertEquals(RecycleState.ONLINE, state());
    }

    @Test
    public void cloudReplacementStartedOnTick() throws Exception {
        ports.cloudAgents.add("a1");
        recycler.setRules(PolicyRules.everyAgent(RecyclePolicy.builder().mode(RecycleMode.REPLACE)
                .reconnectTimeout(Duration.ofMinutes(5)).build()));
        recycler.buildCompleted(build("a1", 1, BuildResult.SUCCESS));
        whileIn("replace");
        returnsWithoutDeadlock("tick", recycler::tick);
        assertEquals(RecycleState.REPLACING, state());
    }

    // ---- decisions taken on another thread while a port call is on its way do not contradict it

    @Test
    public void disconnectReportedWhileTheCommandIsHandedOverCountsOnlyIfTheCommandWasHandedOver() throws Exception {
        recycler.buildCompleted(build("a1", 1, BuildResult.SUCCESS));
        ports.failRunCommand = new IllegalStateException("agent a1 has no channel");
        whileIn("command", () -> {
            ports.setConnected("a1", false);
            recycler.agentDisconnected("a1");
            recycler.tick(); // polls the connection too
        });
        returnsWithoutDeadlock("tick", recycler::tick);
        // the command never ran: the disconnect is not a sent reboot, and the agent is never brought
        // back unrebooted
        assertEquals(RecycleState.FAILED_STAYS_OFFLINE, state());
        ports.setConnected("a1", true);
        recycler.agentConnected("a1");
        recycler.tick();
        assertEquals(RecycleState.FAILED_STAYS_OFFLINE, state());
        assertEquals(List.of(RecycleEvent.Kind.STARTED, RecycleEvent.Kind.REBOOT_COMMAND_FAILED), ports.eventKinds());
    }

    @Test
    public void disconnectReportedWhileTheCommandIsHandedOverCountsOnceItWas() throws Exception {
        recycler.buildCompleted(build("a1", 1, BuildResult.SUCCESS));
        whileIn("command", () -> {
            ports.setConnected("a1", false);
            recycler.agentDisconnected("a1");
        });
        returnsWithoutDeadlock("tick", recycler::tick);
        assertEquals(RecycleState.WAITING_RECONNECT, state());
        ports.commands.get("a1").completeExceptionally(new java.io.IOException("channel is closing"));
        assertEquals(RecycleState.WAITING_RECONNECT, state());
        ports.setConnected("a1", true);
        recycler.agentConnected("a1");
        assertEquals(RecycleState.ONLINE, state());
    }

    @Test
    public void secondConnectionReportWhileBringingOnlineBringsItOnlineOnce() throws Exception {
        recycler.buildCompleted(build("a1", 1, BuildResult.SUCCESS));
        recycler.tick();
        ports.commands.get("a1").complete(CommandResult.connectionLost("channel closed"));
        whileIn("online", () -> {
            recycler.agentConnected("a1");
            recycler.tick();
        });
        returnsWithoutDeadlock("agentConnected", () -> recycler.agentConnected("a1"));
        assertEquals(RecycleState.ONLINE, state());
        assertEquals(List.of("offline a1", "command a1", "online a1"), ports.verbs());
        assertEquals(List.of(RecycleEvent.Kind.STARTED, RecycleEvent.Kind.BACK_ONLINE), ports.eventKinds());
    }

    @Test
    public void reconnectTimeoutPassingWhileBringingOnlineDoesNotFailIt() throws Exception {
        recycler.buildCompleted(build("a1", 1, BuildResult.SUCCESS));
        recycler.tick();
        ports.commands.get("a1").complete(CommandResult.connectionLost("channel closed"));
        whileIn("online", () -> {
            ports.clock.advance(Duration.ofMinutes(16));
            recycler.tick();
        });
        returnsWithoutDeadlock("agentConnected", () -> recycler.agentConnected("a1"));
        assertEquals(RecycleState.ONLINE, state());
        assertEquals(0, ports.failures());
    }
}
