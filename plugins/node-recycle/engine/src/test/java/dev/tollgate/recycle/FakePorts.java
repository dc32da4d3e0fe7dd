package dev.tollgate.recycle;

import dev.tollgate.common.BuildResult;
import dev.tollgate.recycle.port.AgentControl;
import dev.tollgate.recycle.port.CloudAgents;
import dev.tollgate.recycle.port.CommandResult;
import dev.tollgate.recycle.port.RecycleEvents;
import dev.tollgate.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;

/**
 * Fake agents, clouds and event sink that write every call, in order, into one shared log, so a
 * test can assert "offline, then command, then online" directly.
 */
final class FakePorts implements AgentControl, CloudAgents, RecycleEvents {
    final ManualClock clock = new ManualClock();
    /** Every port call in order, e.g. "offline a1: Tollgate: ...", "command a1: sudo ...", "online a1". */
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    final List<RecycleEvent> events = Collections.synchronizedList(new ArrayList<>());

    final Map<String, String> offlineCause = new HashMap<>();
    final Set<String> disconnected = new HashSet<>();
    final Set<String> busy = new HashSet<>();
    final Set<String> cloudAgents = new HashSet<>();
    final Map<String, CompletableFuture<CommandResult>> commands = new HashMap<>();
    /** The timeout the recycler gave with each agent's last command. */
    final Map<String, Duration> commandTimeouts = new HashMap<>();
    final Map<String, CompletableFuture<Void>> replacements = new HashMap<>();

    RuntimeException failTakeOffline;
    RuntimeException failBringOnline;
    RuntimeException failRunCommand;
    RuntimeException failIsConnected;
    /**
     * Called on entry to every port call with its verb ("offline", "online", "isConnected", "isBusy",
     * "command", "isCloudAgent", "replace", "event") and agent, before the fake takes its own monitor,
     * so a test can make a call wait for another thread.
     */
    volatile BiConsumer<String, String> onCall = (verb, agent) -> { };

    Recycler recycler(PolicyRules rules) {
        return new Recycler(rules, this, this, this, clock);
    }

    @Override
    public void takeOffline(String agent, String cause) {
        onCall.accept("offline", agent);
        synchronized (this) {
            calls.add("offline " + agent + ": " + cause);
            if (failTakeOffline != null) {
                throw failTakeOffline;
            }
            offlineCause.put(agent, cause);
        }
    }

    @Override
    public void bringOnline(String agent) {
        onCall.accept("online", agent);
        synchronized (this) {
            calls.add("online " + agent);
            if (failBringOnline != null) {
                throw failBringOnline;
            }
            offlineCause.remove(agent);
        }
    }

    @Override
    public boolean isConnected(String agent) {
        onCall.accept("isConnected", agent);
        synchronized (this) {
            if (failIsConnected != null) {
                throw failIsConnected;
            }
            return !disconnected.contains(agent);
        }
    }

    @Override
    public boolean isBusy(String agent) {
        onCall.accept("isBusy", agent);
        synchronized (this) {
            return busy.contains(agent);
        }
    }

    @Override
    public CompletionStage<CommandResult> runCommand(String agent, String commandLine) {
        onCall.accept("command", agent);
        synchronized (this) {
            calls.add("command " + agent + ": " + commandLine);
            if (failRunCommand != null) {
                throw failRunCommand;
            }
            CompletableFuture<CommandResult> f = new CompletableFuture<>();
            commands.put(agent, f);
            return f;
        }
    }

    @Override
    public CompletionStage<CommandResult> runCommand(String agent, String commandLine, Duration timeout) {
        synchronized (this) {
            commandTimeouts.put(agent, timeout);
        }
        return runCommand(agent, commandLine);
    }

    @Override
    public boolean isCloudAgent(String agent) {
        onCall.accept("isCloudAgent", agent);
        synchronized (this) {
            return cloudAgents.contains(agent);
        }
    }

    @Override
    public CompletionStage<Void> replace(String agent) {
        onCall.accept("replace", agent);
        synchronized (this) {
            calls.add("replace " + agent);
            CompletableFuture<Void> f = new CompletableFuture<>();
            replacements.put(agent, f);
            return f;
        }
    }

    @Override
    public void report(RecycleEvent event) {
        onCall.accept("event", event.agent());
        calls.add("event " + event.agent() + ": " + event.kind());
        events.add(event);
    }

    // --- helpers for tests

    /** The call log without event lines: only what was done to agents and clouds. */
    List<String> actions() {
        synchronized (calls) {
            return calls.stream().filter(c -> !c.startsWith("event ")).collect(Collectors.toList());
        }
    }

    /** Short form of the actions: "offline a1", "command a1", "online a1", "replace a1". */
    List<String> verbs() {
        return actions().stream().map(c -> c.contains(":") ? c.substring(0, c.indexOf(':')) : c).collect(Collectors.toList());
    }

    List<RecycleEvent.Kind> eventKinds() {
        synchronized (events) {
            return events.stream().map(RecycleEvent::kind).collect(Collectors.toList());
        }
    }

    long failures() {
        synchronized (events) {
            return events.stream().filter(e -> e.kind().isFailure()).count();
        }
    }

    synchronized void setConnected(String agent, boolean connected) {
        if (connected) {
            disconnected.remove(agent);
        } else {
            disconnected.add(agent);
        }
    }

    static CompletedBuild build(String agent, int number, BuildResult result) {
        return new CompletedBuild(agent, Set.of("devstack_slave"), "check-tempest", number, result);
    }
}
