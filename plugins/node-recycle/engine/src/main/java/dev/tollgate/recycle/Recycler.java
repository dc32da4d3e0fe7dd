package dev.tollgate.recycle;

import dev.tollgate.recycle.port.AgentControl;
import dev.tollgate.recycle.port.CloudAgents;
import dev.tollgate.recycle.port.RecycleEvents;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Post-build node recycling for all agents: one {@link AgentRecycle} per agent, fed by the plugin's
 * hooks ({@link #buildCompleted}, {@link #agentConnected}, {@link #agentDisconnected}) and by a
 * periodic {@link #tick()}. No threads, no sleeps: every timeout is checked against the injected
 * clock on tick. At most one recycle per agent runs at a time.
 *
 * <p>Concurrency rule: decide under the lock, call ports outside it. Every entry point takes the one
 * lock, lets the machines decide, and releases it; then the port calls they decided are made, per
 * agent one at a time and in the order decided (a thread that finds another already making an
 * agent's calls leaves its own to that thread and returns). Questions a tick needs answered
 * ({@code isBusy}, {@code isConnected}, {@code isCloudAgent}) are asked before the lock is taken.
 * So a port may take Jenkins' locks, and any thread may call the recycler meanwhile, the port's own
 * callbacks included. The one port call made by the caller's thread before it returns is the
 * completion hook's {@code takeOffline}: the hook must not return before the agent is offline.
 */
public final class Recycler {
    private static final System.Logger LOG = System.getLogger(Recycler.class.getName());

    /** What {@link #buildCompleted} did, so the plugin can say it in the build log. */
    public enum Outcome {
        /** The agent is offline now and will be rebooted or replaced, or left offline (policy OFFLINE). */
        RECYCLING,
        /** The policy for this agent (or the job's own) is NONE. */
        NOT_CONFIGURED,
        /** The policy does not cover this build's result. */
        RESULT_NOT_COVERED,
        /** This very build was already reported (two hooks fired for it). */
        DUPLICATE,
        /** Another build's completion already started a recycle of this agent that is still running. */
        ALREADY_RECYCLING,
        /** The agent could not be taken offline, so it was neither rebooted nor replaced; an event says why. */
        OFFLINE_FAILED
    }

    private static final int RECENT_BUILDS = 16;

    private final Object lock = new Object();
    private final AgentRecycle.Ports ports;
    /** Where port-call outcomes come back; late outcomes of retired machines are dropped. */
    private final AgentRecycle.Inbox inbox = (machine, step) -> deliver(machine, step, false);
    private final Map<String, AgentRecycle> machines = new HashMap<>();
    /** Recent builds seen per agent, kept after the recycle ends so a late duplicate cannot reboot twice. */
    private final Map<String, Deque<CompletedBuild.Key>> seenBuilds = new HashMap<>();
    /** Per agent, the port calls decided and not made yet (guarded by the lock). */
    private final Map<String, Outbox> outboxes = new HashMap<>();
    private PolicyRules rules;

    private static final class Outbox {
        final Deque<Runnable> calls = new ArrayDeque<>();
        /** A thread is making this agent's calls; others leave theirs to it. */
        boolean draining;
    }

    public Recycler(PolicyRules rules, AgentControl agents, CloudAgents clouds, RecycleEvents events, Clock clock) {
        this.rules = Objects.requireNonNull(rules, "rules");
        this.ports = new AgentRecycle.Ports(Objects.requireNonNull(agents, "agents"), Objects.requireNonNull(clouds, "clouds"),
                Objects.requireNonNull(events, "events"), Objects.requireNonNull(clock, "clock"));
    }

    /** New configuration; recycles already running keep the policy they started with. */
    public void setRules(PolicyRules rules) {
        synchronized (lock) {
            this.rules = Objects.requireNonNull(rules, "rules");
        }
    }

    /**
     * A build finished on {@code build.agent()}. Must be called from the hook that runs before the
     * executor is released (in Jenkins: {@code ExecutorListener.taskCompleted}); when this returns
     * with {@link Outcome#RECYCLING} the agent is already offline. The reboot or replacement itself
     * starts on a later {@link #tick()}, so the hook stays quick.
     */
    public Outcome buildCompleted(CompletedBuild build) {
        return buildCompleted(build, null);
    }

    /**
     * {@link #buildCompleted(CompletedBuild)} for a build whose job sets its own policy: it replaces,
     * whole, the policy the rules would pick for the agent (unset settings take the policy's
     * defaults, not the rule's). {@code jobPolicy} null: the rules decide.
     */
    public Outcome buildCompleted(CompletedBuild build, RecyclePolicy jobPolicy) {
        String agent = build.agent();
        AgentRecycle recycle;
        synchronized (lock) {
            if (!remember(agent, build.key())) {
                LOG.log(Level.DEBUG, "{0}: {1} already reported; ignored", agent, build.describe());
                return Outcome.DUPLICATE;
            }
            AgentRecycle current = machines.get(agent);
            if (current != null && !current.state().isTerminal()) {
                LOG.log(Level.DEBUG, "{0}: {1} finished while a recycle is running; ignored", agent, build.describe());
                return Outcome.ALREADY_RECYCLING;
            }
            RecyclePolicy policy = jobPolicy != null ? jobPolicy : rules.resolve(agent, build.labels());
            if (policy.mode() == RecycleMode.NONE) {
                return Outcome.NOT_CONFIGURED;
            }
            if (!policy.appliesTo(build.result())) {
                return Outcome.RESULT_NOT_COVERED;
            }
            if (current != null) {
                current.retire();
            }
            recycle = new AgentRecycle(ports, inbox, build, policy); // BUILD_FINISHING: other calls leave it alone
            machines.put(agent, recycle);
        }
        Throwable failure = null;
        try {
            ports.agents().takeOffline(agent, recycle.startCause());
        } catch (Exception | LinkageError e) {
            failure = e;
        }
        Throwable f = failure;
        deliver(recycle, out -> {
            if (f == null) {
                recycle.offlineTaken(out);
            } else {
                recycle.offlineFailed(f, out);
            }
        }, true);
        return failure == null ? Outcome.RECYCLING : Outcome.OFFLINE_FAILED;
    }

    /** The agent's connection came up (Jenkins: {@code ComputerListener.onOnline}). */
    public void agentConnected(String agent) {
        decide(agent, AgentRecycle::connected);
    }

    /** The agent's connection went down (Jenkins: {@code ComputerListener.onOffline}). */
    public void agentDisconnected(String agent) {
        decide(agent, AgentRecycle::disconnectSeen);
    }

    /** Moves every running recycle on: start commands, poll connections, apply timeouts. Call it often (seconds). */
    public void tick() {
        Map<AgentRecycle, AgentRecycle.Questions> running = new LinkedHashMap<>();
        synchronized (lock) {
            for (AgentRecycle m : machines.values()) {
                if (!m.state().isTerminal()) {
                    running.put(m, m.questions());
                }
            }
        }
        running.forEach((machine, questions) -> {
            AgentRecycle.Answers answers;
            try {
                answers = machine.ask(questions);
            } catch (RuntimeException e) {
                // a port that throws must not stop the other agents' recycles or kill the plugin's timer
                LOG.log(Level.WARNING, "node recycling step failed for " + machine.agent() + "; will retry on the next tick", e);
                return;
            }
            try {
                deliver(machine, out -> machine.tick(answers, out), false);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "node recycling step failed for " + machine.agent() + "; will retry on the next tick", e);
            }
        });
    }

    /** The agent was removed from Jenkins: drop what is known about it. */
    public void forget(String agent) {
        synchronized (lock) {
            AgentRecycle recycle = machines.remove(agent);
            if (recycle != null) {
                recycle.retire();
            }
            seenBuilds.remove(agent);
        }
    }

    /** Snapshot of every agent recycled so far (running or finished), sorted by agent name. */
    public List<AgentStatus> status() {
        synchronized (lock) {
            Map<String, AgentStatus> sorted = new TreeMap<>();
            machines.forEach((agent, recycle) -> sorted.put(agent, recycle.status()));
            return List.copyOf(sorted.values());
        }
    }

    public Optional<AgentStatus> status(String agent) {
        synchronized (lock) {
            AgentRecycle recycle = machines.get(agent);
            return recycle == null ? Optional.empty() : Optional.of(recycle.status());
        }
    }

    private void deliver(AgentRecycle machine, Consumer<List<Runnable>> step, boolean evenIfRetired) {
        synchronized (lock) {
            if (machine.isRetired() && !evenIfRetired) {
                return;
            }
            List<Runnable> out = new ArrayList<>();
            try {
                step.accept(out);
            } finally {
                queue(machine.agent(), out);
            }
        }
        makeCalls(machine.agent());
    }

    private void decide(String agent, BiConsumer<AgentRecycle, List<Runnable>> step) {
        synchronized (lock) {
            AgentRecycle recycle = machines.get(agent);
            if (recycle == null) {
                return;
            }
            List<Runnable> out = new ArrayList<>();
            try {
                step.accept(recycle, out);
            } finally {
                queue(agent, out);
            }
        }
        makeCalls(agent);
    }

    /** Under the lock. */
    private void queue(String agent, List<Runnable> calls) {
        if (!calls.isEmpty()) {
            outboxes.computeIfAbsent(agent, a -> new Outbox()).calls.addAll(calls);
        }
    }

    /**
     * Makes the agent's queued port calls, outside the lock and in order, unless another thread is
     * already making them (it then makes these too). Never waits for another thread.
     */
    private void makeCalls(String agent) {
        Outbox box;
        synchronized (lock) {
            box = outboxes.get(agent);
            if (box == null || box.draining) {
                return;
            }
            box.draining = true;
        }
        boolean done = false;
        try {
            while (true) {
                Runnable call;
                synchronized (lock) {
                    call = box.calls.poll();
                    if (call == null) {
                        box.draining = false;
                        outboxes.remove(agent, box);
                        done = true;
                        return;
                    }
                }
                try {
                    call.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "node recycling call failed for " + agent, e);
                }
            }
        } finally {
            if (!done) {
                synchronized (lock) {
                    box.draining = false; // an Error escaped: let the next caller go on with the rest
                }
            }
        }
    }

    /** False if this build was already seen on this agent; remembers a few recent builds per agent. */
    private boolean remember(String agent, CompletedBuild.Key key) {
        Deque<CompletedBuild.Key> seen = seenBuilds.computeIfAbsent(agent, a -> new ArrayDeque<>());
        if (seen.contains(key)) {
            return false;
        }
        seen.addLast(key);
        if (seen.size() > RECENT_BUILDS) {
            seen.removeFirst();
        }
        return true;
    }
}
