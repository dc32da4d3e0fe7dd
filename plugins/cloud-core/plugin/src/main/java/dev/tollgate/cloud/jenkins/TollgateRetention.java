package dev.tollgate.cloud.jenkins;

import hudson.Extension;
import hudson.model.Descriptor;
import hudson.model.Executor;
import hudson.model.ExecutorListener;
import hudson.model.Queue;
import hudson.slaves.RetentionStrategy;

/**
 * Retention by the engine's rules (build-wait/idle timeout, one build per instance when it is 0, max
 * uses, missing timeout): Jenkins asks, the engine answers. {@link #isAcceptingTasks} and
 * {@link #check} run under the queue lock, so they only read the engine; the endings themselves
 * are made by {@code tick()} on {@link CloudTicker}'s thread. Build starts and ends arrive through
 * {@link ExecutorListener}, which {@code SlaveComputer} calls on its retention strategy. Stateless.
 */
public final class TollgateRetention extends RetentionStrategy<TollgateComputer> implements ExecutorListener {
    /** How often Jenkins asks {@link #check} again, in minutes. */
    private static final long CHECK_MINUTES = 1;

    @Override
    public long check(TollgateComputer c) {
        // an agent Jenkins launches (not an inbound one) that dropped, or that connected before the
        // engine started and was turned away, is launched again while its record is live; the
        // connect returns at once (this runs under the queue lock)
        TollgateAgent agent = c.getNode();
        if (agent != null && c.getChannel() == null && !c.isConnecting() && c.isLaunchSupported()
                && CloudRuntime.get().engine(agent.getCloudName())
                        .flatMap(e -> e.record(agent.getNodeName())).map(r -> r.state().isLive()).orElse(false)) {
            c.connect(false);
        }
        return CHECK_MINUTES; // endings are tick()'s
    }

    @Override
    public boolean isAcceptingTasks(TollgateComputer c) {
        TollgateAgent agent = c.getNode();
        if (agent == null) {
            return false;
        }
        return CloudRuntime.get().engine(agent.getCloudName()).map(e -> e.acceptsBuilds(agent.getNodeName())).orElse(false);
    }

    @Override
    public void start(TollgateComputer c) {
        c.connect(false);
    }

    @Override
    public void taskAccepted(Executor executor, Queue.Task task) {
        agentOf(executor, true);
    }

    @Override
    public void taskCompleted(Executor executor, Queue.Task task, long durationMS) {
        agentOf(executor, false);
    }

    @Override
    public void taskCompletedWithProblems(Executor executor, Queue.Task task, long durationMS, Throwable problems) {
        agentOf(executor, false);
    }

    private static void agentOf(Executor executor, boolean started) {
        if (executor.getOwner() instanceof TollgateComputer c && c.getNode() != null) {
            TollgateAgent agent = c.getNode();
            CloudRuntime.get().engine(agent.getCloudName()).ifPresent(e -> {
                if (started) {
                    e.buildStarted(agent.getNodeName());
                } else {
                    e.buildFinished(agent.getNodeName());
                }
            });
        }
    }

    /** Shown on the agent's configuration page; the rules themselves are the template's. */
    @Extension
    public static final class DescriptorImpl extends Descriptor<RetentionStrategy<?>> {
        @Override
        public String getDisplayName() {
            return "Tollgate cloud rules (idle timeout, max uses, missing timeout)";
        }
    }
}
