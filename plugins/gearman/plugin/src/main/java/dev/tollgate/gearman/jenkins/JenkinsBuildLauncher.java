package dev.tollgate.gearman.jenkins;

import dev.tollgate.gearman.BuildLauncher;
import dev.tollgate.gearman.BuildListener;
import dev.tollgate.gearman.BuildNotStartedException;
import dev.tollgate.gearman.BuildRef;
import dev.tollgate.gearman.BuildRequest;
import dev.tollgate.gearman.NodeRecycler;
import dev.tollgate.gearman.NodeReservations;
import hudson.model.AbstractProject;
import hudson.model.Action;
import hudson.model.CauseAction;
import hudson.model.Computer;
import hudson.model.Executor;
import hudson.model.Job;
import hudson.model.Node;
import hudson.model.ParameterDefinition;
import hudson.model.ParameterValue;
import hudson.model.ParametersAction;
import hudson.model.ParametersDefinitionProperty;
import hudson.model.Queue;
import hudson.model.Result;
import hudson.model.Run;
import hudson.model.StringParameterValue;
import hudson.security.ACL;
import hudson.security.ACLContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import jenkins.model.Jenkins;
import jenkins.model.ParameterizedJobMixIn;

/**
 * The engine's {@link BuildLauncher} and {@link NodeRecycler} on Jenkins. A Gearman job becomes a
 * queue item of the job, pinned to the node whose executor took it ({@link NodeAssignment}), with
 * the job's arguments as parameters (declared safe, so a job need not define them; parameters it
 * defines and Zuul did not send keep their defaults), marked with a {@link GearmanBuildAction}
 * whose token finds the engine's listener again when the build starts and ends. The node's free
 * executor is reserved for it until then ({@link NodeReservations}). Stops and descriptions act
 * only on marked builds. Runs as SYSTEM: Zuul, not a user, decides what to build.
 *
 * <p>Threading: called by the engine's connection threads without any engine lock; the maps it
 * shares with the run listener are concurrent.
 */
final class JenkinsBuildLauncher implements BuildLauncher, NodeRecycler {
    private static final Logger LOG = Logger.getLogger(JenkinsBuildLauncher.class.getName());

    private final Map<String, BuildListener> listeners;
    private final NodeReservations reservations;

    JenkinsBuildLauncher(Map<String, BuildListener> listeners, NodeReservations reservations) {
        this.listeners = listeners;
        this.reservations = reservations;
    }

    @Override
    public void start(BuildRequest request, BuildListener listener) throws BuildNotStartedException {
        try (ACLContext ignored = ACL.as2(ACL.SYSTEM2)) {
            if (JenkinsInventory.node(request.nodeName()) == null) {
                throw new BuildNotStartedException("no node " + request.nodeName() + " in Jenkins");
            }
            AbstractProject<?, ?> job = Jenkins.get().getItemByFullName(request.jobName(), AbstractProject.class);
            if (job == null) {
                throw new BuildNotStartedException("no job named `" + request.jobName() + "` in Jenkins");
            }
            String token = UUID.randomUUID().toString();
            // known before the item exists: Jenkins may start it before scheduleBuild2 returns
            listeners.put(token, listener);
            reservations.reserve(request.nodeName(), token, request.offlineNodeWhenComplete());
            Queue.Item item = null;
            try {
                item = ParameterizedJobMixIn.scheduleBuild2(job, 0, actions(job, request, token));
            } finally {
                if (item == null) {
                    listeners.remove(token);
                    reservations.forget(token);
                }
            }
            if (item == null) {
                throw new BuildNotStartedException("Jenkins did not queue `" + request.jobName()
                        + "` (disabled, or not buildable now)");
            }
            LOG.log(Level.FINE, "queued {0} as {1}", new Object[] {request, item});
        }
    }

    private static Action[] actions(AbstractProject<?, ?> job, BuildRequest request, String token) {
        Map<String, String> args = request.parameters();
        List<ParameterValue> values = new ArrayList<>();
        args.forEach((k, v) -> values.add(new StringParameterValue(k, v)));
        ParametersDefinitionProperty defined = job.getProperty(ParametersDefinitionProperty.class);
        if (defined != null) {
            for (ParameterDefinition d : defined.getParameterDefinitions()) {
                ParameterValue v = args.containsKey(d.getName()) ? null : d.getDefaultParameterValue();
                if (v != null) {
                    values.add(v);
                }
            }
        }
        return new Action[] {
            new CauseAction(new GearmanCause(request.uniqueId(), args.get("ZUUL_PIPELINE"), args.get("ZUUL_CHANGE_IDS"))),
            new ParametersAction(values, args.keySet()),
            new NodeAssignment(request.nodeName()),
            new GearmanBuildAction(token, request.uniqueId(), request.nodeName(), request.executorId()),
        };
    }

    @Override
    public boolean abort(BuildRef build) {
        try (ACLContext ignored = ACL.as2(ACL.SYSTEM2)) {
            Run<?, ?> run = markedRun(build);
            Executor executor = run == null || !run.isBuilding() ? null : run.getExecutor();
            if (executor == null) {
                return false;
            }
            executor.interrupt(Result.ABORTED, new GearmanStop());
            return true;
        }
    }

    @Override
    public boolean setDescription(BuildRef build, String htmlDescription) {
        try (ACLContext ignored = ACL.as2(ACL.SYSTEM2)) {
            Run<?, ?> run = markedRun(build);
            if (run == null) {
                return false;
            }
            run.setDescription(htmlDescription);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the description of " + build, e);
        }
    }

    /** The build of that job and number, if a Gearman job started it; null otherwise. */
    private static Run<?, ?> markedRun(BuildRef build) {
        Job<?, ?> job = Jenkins.get().getItemByFullName(build.jobName(), Job.class);
        Run<?, ?> run = job == null ? null : job.getBuildByNumber(build.number());
        return run != null && run.getAction(GearmanBuildAction.class) != null ? run : null;
    }

    /**
     * The build asked for OFFLINE_NODE_WHEN_COMPLETE: the node is marked temporarily offline before
     * the result goes to Zuul (for a freestyle build, before its executor is released), so nothing
     * else starts there; recycling brings it back.
     */
    @Override
    public void offlineWhenComplete(String nodeName, BuildRef build) {
        Node node = JenkinsInventory.node(nodeName);
        Computer computer = node == null ? null : node.toComputer();
        if (computer == null) {
            LOG.log(Level.INFO, "single-use node {0} is already gone after {1}", new Object[] {nodeName, build});
            return;
        }
        computer.setTemporaryOfflineCause(new SingleUseOffline(build.jobName(), build.number()));
        LOG.log(Level.INFO, "single-use node {0} taken offline after {1}", new Object[] {nodeName, build});
    }
}
