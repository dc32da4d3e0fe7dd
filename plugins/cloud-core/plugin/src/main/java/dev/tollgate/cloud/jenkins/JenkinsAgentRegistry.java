package dev.tollgate.cloud.jenkins;

import dev.tollgate.cloud.port.AgentRegistry;
import dev.tollgate.cloud.port.AgentSpec;
import hudson.model.Action;
import hudson.model.CauseAction;
import hudson.model.Computer;
import hudson.model.Executor;
import hudson.model.ParametersAction;
import hudson.model.Queue;
import hudson.model.Result;
import hudson.model.Run;
import hudson.model.queue.ScheduleResult;
import hudson.model.queue.WorkUnit;
import hudson.model.Descriptor;
import hudson.model.Node;
import hudson.slaves.OfflineCause;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.logging.Logger;
import jenkins.model.Jenkins;
import jenkins.slaves.JnlpAgentReceiver;

/**
 * The engine's {@link AgentRegistry}: Jenkins' nodes, as far as one cloud owns them. Called from any
 * thread, never under the engine's lock; {@code addNode}/{@code removeNode} take Jenkins' queue lock.
 * The connection environment holds the inbound agent's secret: it goes to the driver's launch
 * specification only, never to a log or an exception message.
 */
final class JenkinsAgentRegistry implements AgentRegistry {
    private static final Logger LOG = Logger.getLogger(JenkinsAgentRegistry.class.getName());
    /** Keys of {@link #connectionEnv}; the names inbound agent images read. */
    static final String URL = "JENKINS_URL", SECRET = "JENKINS_SECRET", AGENT_NAME = "JENKINS_AGENT_NAME";

    private final String cloudName;
    /** The current configuration of the cloud (Jenkins replaces the object on every save). */
    private final Supplier<TollgateCloud<?>> cloud;

    JenkinsAgentRegistry(String cloudName, Supplier<TollgateCloud<?>> cloud) {
        this.cloudName = cloudName;
        this.cloud = cloud;
    }

    @Override
    public void add(AgentSpec agent) {
        TollgateCloud<?> c = cloud.get();
        if (c == null) {
            throw new IllegalStateException("cloud " + cloudName + " is no longer configured");
        }
        try {
            Jenkins.get().addNode(new TollgateAgent(cloudName, agent, c.remoteFs(agent), c.launcher(agent)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot add agent " + agent.agentName(), e);
        } catch (Descriptor.FormException e) {
            throw new IllegalArgumentException("cannot add agent " + agent.agentName() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void remove(String agentName) {
        Node n = Jenkins.get().getNode(agentName);
        if (n == null) {
            return;
        }
        try {
            Jenkins.get().removeNode(n);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove agent " + agentName, e);
        }
    }

    @Override
    public boolean isConnected(String agentName) {
        Computer c = computer(agentName);
        // not isOnline(): a temporarily offline agent is still connected
        return c != null && c.getChannel() != null;
    }

    @Override
    public Set<String> listOwned() {
        Set<String> names = new LinkedHashSet<>();
        for (Node n : Jenkins.get().getNodes()) {
            if (n instanceof TollgateAgent a && a.getCloudName().equals(cloudName)) {
                names.add(a.getNodeName());
            }
        }
        return names;
    }

    @Override
    public void takeOffline(String agentName, String reason) {
        Computer c = computer(agentName);
        if (c != null) {
            c.setTemporaryOfflineCause(new CloudOfflineCause(reason));
            LOG.info(() -> "cloud " + cloudName + ": " + agentName + " offline: " + reason);
        }
    }

    /**
     * Aborts every build running on the agent with a {@link CloudInterruption} and puts its task
     * back in the queue with the actions it was queued with (causes, parameters...), so it runs on
     * another agent instead of failing with the instance. A build some {@link RescheduleFilter}
     * claims is only aborted: its owner relaunches it. For a Pipeline the agent runs a node block, so
     * the job (the block's owner task) is queued again with its run's causes and parameters. Returns
     * without waiting for the builds to stop; called outside the engine's lock and not under the
     * queue lock ({@code Queue.schedule2} takes it).
     */
    @Override
    public void rescheduleBuilds(String agentName, String reason) {
        Computer c = computer(agentName);
        if (c == null) {
            return;
        }
        for (Executor e : c.getAllExecutors()) {
            WorkUnit wu = e.getCurrentWorkUnit();
            Queue.Executable running = e.getCurrentExecutable();
            if (wu == null || running == null) {
                continue;
            }
            Queue.Task task = wu.context.task;
            Queue.Task owner = task.getOwnerTask();
            List<Action> actions = owner == task ? new ArrayList<>(wu.context.actions) : queueActionsOf(running);
            e.interrupt(Result.ABORTED, new CloudInterruption(agentName, reason));
            if (RescheduleFilter.anyClaims(owner, actions)) {
                LOG.info(() -> "cloud " + cloudName + ": " + running + " on " + agentName
                        + " aborted; its owner relaunches it: " + reason);
                continue;
            }
            ScheduleResult again = Jenkins.get().getQueue().schedule2(owner, 0, actions);
            LOG.info(() -> "cloud " + cloudName + ": " + running + " on " + agentName + " aborted and "
                    + (again.isAccepted() ? "queued again" : "not queued again (refused by the queue)") + ": " + reason);
        }
    }

    /** The causes and parameters of the run a node block belongs to: what its job is queued with again. */
    private static List<Action> queueActionsOf(Queue.Executable running) {
        List<Action> actions = new ArrayList<>();
        Queue.Executable parent = running.getParentExecutable();
        Queue.Executable top = parent != null ? parent : running;
        if (top instanceof Run<?, ?> run) {
            actions.addAll(run.getActions(CauseAction.class));
            actions.addAll(run.getActions(ParametersAction.class));
            for (Action a : run.getAllActions()) {
                if (a instanceof Queue.QueueAction && !actions.contains(a)) {
                    actions.add(a);
                }
            }
        }
        return actions;
    }

    @Override
    public Map<String, String> connectionEnv(String agentName, String templateName) {
        Map<String, String> env = new LinkedHashMap<>();
        String root = Jenkins.get().getRootUrl();
        if (root != null) {
            env.put(URL, root);
        }
        // the same secret SlaveComputer.getJnlpMac() gives once the node exists: it depends on the name only
        env.put(SECRET, JnlpAgentReceiver.SLAVE_SECRET.mac(agentName));
        env.put(AGENT_NAME, agentName);
        return env;
    }

    private static Computer computer(String agentName) {
        Node n = Jenkins.get().getNode(agentName);
        return n == null ? null : n.toComputer();
    }

    /** Why the cloud took an agent offline (e.g. a spot interruption notice). */
    static final class CloudOfflineCause extends OfflineCause {
        private final String reason;

        CloudOfflineCause(String reason) {
            this.reason = reason;
        }

        @Override
        public String toString() {
            return "Tollgate cloud: " + reason;
        }
    }
}
