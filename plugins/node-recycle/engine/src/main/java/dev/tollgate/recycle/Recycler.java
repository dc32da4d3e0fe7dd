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
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Post-build node recycling for all agents: one {@link AgentRecycle} per agent, fed by the plugin's
 * hooks ({@link #buildCompleted}, {@link #agentConnected}, {@link #agentDisconnected}) and by a
 * periodic {@link #tick()}. No threads, no sleeps: every timeout is checked against the injected
 * clock on tick. One lock guards everything, so at most one recycle per agent runs at a time.
 */
public final class Recycler {
    private static final System.Logger LOG = System.getLogger(Recycler.class.getName());

    /** What {@link #buildCompleted} did, so the plugin can say it in the build log. */
    public enum Outcome {
        /** The agent is offline now and will be rebooted or replaced. */
        RECYCLING,
        /** The policy for this agent is NONE. */
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
    private final Map<String, AgentRecycle> machines = new HashMap<>();
    /** Recent builds seen per agent, kept after the recycle ends so a late duplicate cannot reboot twice. */
    private final Map<String, Deque<String>> seenBuilds = new HashMap<>();
    private PolicyRules rules;

    public Recycler(PolicyRules rules, AgentControl agents, CloudAgents clouds, RecycleEvents events, Clock clock) {
        this.rules = Objects.requireNonNull(rules, "rules");
        this.ports = new AgentRecycle.Ports(Objects.requireNonNull(agents, "agents"), Objects.requireNonNull(clouds, "clouds"),
                Objects.requireNonNull(events, "events"), Objects.requireNonNull(clock, "clock"), lock);
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
        synchronized (lock) {
            String agent = build.agent();
            if (!remember(agent, build.key())) {
                LOG.log(Level.DEBUG, "{0}: {1} already reported; ignored", agent, build.describe());
                return Outcome.DUPLICATE;
            }
            AgentRecycle current = machines.get(agent);
            if (current != null && !current.state().isTerminal()) {
                LOG.log(Level.DEBUG, "{0}: {1} finished while a recycle is running; ignored", agent, build.describe());
                return Outcome.ALREADY_RECYCLING;
            }
            RecyclePolicy policy = rules.resolve(agent, build.labels());
            if (policy.mode() == RecycleMode.NONE) {
                return Outcome.NOT_CONFIGURED;
            }
            if (!policy.appliesTo(build.result())) {
                return Outcome.RESULT_NOT_COVERED;
            }
            if (current != null) {
                current.retire();
            }
            AgentRecycle recycle = new AgentRecycle(ports, build, policy);
            machines.put(agent, recycle);
            recycle.start();
            return recycle.state() == RecycleState.FAILED_STAYS_OFFLINE ? Outcome.OFFLINE_FAILED : Outcome.RECYCLING;
        }
    }

    /** The agent's connection came up (Jenkins: {@code ComputerListener.onOnline}). */
    public void agentConnected(String agent) {
        synchronized (lock) {
            AgentRecycle recycle = machines.get(agent);
            if (recycle != null) {
                guarded(agent, recycle::connected);
            }
        }
    }

    /** The agent's connection went down (Jenkins: {@code ComputerListener.onOffline}). */
    public void agentDisconnected(String agent) {
        synchronized (lock) {
            AgentRecycle recycle = machines.get(agent);
            if (recycle != null) {
                guarded(agent, recycle::disconnected);
            }
        }
    }

    /** Moves every running recycle on: start commands, poll connections, apply timeouts. Call it often (seconds). */
    public void tick() {
        synchronized (lock) {
            for (Map.Entry<String, AgentRecycle> e : new ArrayList<>(machines.entrySet())) {
                if (!e.getValue().state().isTerminal()) {
                    guarded(e.getKey(), e.getValue()::tick);
                }
            }
        }
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

    /** False if this build was already seen on this agent; remembers a few recent builds per agent. */
    private boolean remember(String agent, String key) {
        Deque<String> seen = seenBuilds.computeIfAbsent(agent, a -> new ArrayDeque<>());
        if (seen.contains(key)) {
            return false;
        }
        seen.addLast(key);
        if (seen.size() > RECENT_BUILDS) {
            seen.removeFirst();
        }
        return true;
    }

    // A port that throws must not stop the other agents' recycles or kill the plugin's timer.
    private static void guarded(String agent, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "node recycling step failed for " + agent + "; will retry on the next tick", e);
        }
    }
}
