package dev.tollgate.recycle.jenkins;

import dev.tollgate.common.BuildResult;
import dev.tollgate.recycle.AgentStatus;
import dev.tollgate.recycle.CompletedBuild;
import dev.tollgate.recycle.InvalidPolicyException;
import dev.tollgate.recycle.PolicyRules;
import dev.tollgate.recycle.RecycleEvent;
import dev.tollgate.recycle.RecyclePolicy;
import dev.tollgate.recycle.Recycler;
import dev.tollgate.recycle.config.RecycleConfig;
import dev.tollgate.recycle.jenkins.config.NodeRecycleConfiguration;
import dev.tollgate.recycle.jenkins.config.RecycleJobProperty;
import hudson.Extension;
import hudson.ExtensionList;
import hudson.init.InitMilestone;
import hudson.init.Initializer;
import hudson.model.Computer;
import hudson.model.Executor;
import hudson.model.Job;
import hudson.model.Node;
import hudson.model.OneOffExecutor;
import hudson.model.Queue;
import hudson.model.Result;
import hudson.model.Run;
import hudson.model.labels.LabelAtom;
import hudson.security.ACL;
import hudson.security.ACLContext;
import hudson.slaves.OfflineCause;
import java.lang.reflect.Method;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Level;
import java.util.logging.Logger;
import jenkins.model.Jenkins;

/**
 * The running engine: one {@link Recycler} for the whole controller, with its ports bound to
 * Jenkins ({@link JenkinsAgents}, {@link SuiteClouds}, events to the log and to
 * {@link RecycleEventListener}s). Every save of the global configuration applies its rules here
 * ({@link #apply}); the completion hook, the connection listener, the ticker and the queue's
 * dispatcher call in. Thread-safe: the recycler is, and this holds nothing else that changes.
 */
@Extension
public final class RecycleRuntime {
    private static final Logger LOG = Logger.getLogger(RecycleRuntime.class.getName());

    private final Recycler recycler;

    public RecycleRuntime() {
        Recycler[] self = new Recycler[1];
        JenkinsAgents agents = new JenkinsAgents(agent -> self[0].status(agent));
        self[0] = new Recycler(PolicyRules.builder().build(), agents, new SuiteClouds(), RecycleRuntime::report,
                Clock.systemUTC());
        this.recycler = self[0];
    }

    public static RecycleRuntime get() {
        return ExtensionList.lookupSingleton(RecycleRuntime.class);
    }

    /** Rules from the saved configuration, then agents a restart caught in the middle of a recycle. */
    @Initializer(after = InitMilestone.JOB_CONFIG_ADAPTED)
    public static void startWithJenkins() {
        RecycleRuntime r = get();
        r.apply(NodeRecycleConfiguration.get());
        r.settleRecyclesARestartInterrupted();
    }

    /**
     * Applies a configuration. An invalid one (JCasC applies what the form would refuse) is logged
     * and leaves the running rules alone; recycles already running keep the policy they started with.
     */
    public void apply(NodeRecycleConfiguration config) {
        try {
            recycler.setRules(RecycleConfig.rules(config.toSettings()));
        } catch (InvalidPolicyException e) {
            for (String error : e.errors()) {
                LOG.warning("node recycling configuration not applied: " + error);
            }
        }
    }

    /**
     * The completion hook: a task ended on an executor that is not released yet. Builds on an agent
     * (a freestyle build, a Pipeline {@code node} block) are recycled as the rules or the job's own
     * option say; anything else is left alone. The agent is offline when this returns.
     */
    void taskCompleted(Executor executor) {
        if (executor instanceof OneOffExecutor) {
            return; // flyweight tasks (a Pipeline's own run, a matrix parent) take no agent's executor
        }
        Computer computer = executor.getOwner();
        if (computer instanceof Jenkins.MasterComputer) {
            return; // never the controller, whatever a label expression matches
        }
        Node node = computer.getNode();
        Queue.Executable executable = executor.getCurrentExecutable();
        if (node == null || executable == null) {
            return;
        }
        if (willContinue(executable)) {
            // a Pipeline node block that Jenkins' shutdown interrupted resumes on this agent after the
            // restart: the work is not over. A freestyle build stopped by a shutdown is over, and its
            // agent is taken offline like any other (a restart then leaves it offline, saying so).
            return;
        }
        Run<?, ?> run = runOf(executable);
        if (run == null) {
            return;
        }
        Set<String> labels = new TreeSet<>();
        for (LabelAtom a : node.getAssignedLabels()) { // its own name included, as label expressions see it
            labels.add(a.getName());
        }
        CompletedBuild build = new CompletedBuild(node.getNodeName(), labels, run.getParent().getFullName(),
                run.getNumber(), result(run));
        Recycler.Outcome outcome = recycler.buildCompleted(build, jobPolicy(run.getParent()));
        LOG.log(outcome == Recycler.Outcome.OFFLINE_FAILED ? Level.WARNING : Level.FINE, "{0} on {1}: {2}",
                new Object[] {build.describe(), build.agent(), outcome});
    }

    /** A finished build's result; a Pipeline run still going (its node block ended) counts as successful so far. */
    private static BuildResult result(Run<?, ?> run) {
        Result r = run.getResult();
        return r == null ? BuildResult.SUCCESS : BuildResult.valueOf(r.toString());
    }

    /** The run a freestyle build is, or the Pipeline run a {@code node} block belongs to. */
    private static Run<?, ?> runOf(Queue.Executable executable) {
        if (executable instanceof Run<?, ?> run) {
            return run;
        }
        return executable.getParentExecutable() instanceof Run<?, ?> parent ? parent : null;
    }

    /**
     * durable-task's {@code ContinuableExecutable.willContinue()}, read without depending on that
     * plugin: true for a Pipeline node block that Jenkins' shutdown interrupted and that resumes on
     * the same agent afterwards.
     */
    private static boolean willContinue(Queue.Executable executable) {
        for (Class<?> type = executable.getClass(); type != null; type = type.getSuperclass()) {
            for (Class<?> i : type.getInterfaces()) {
                if (i.getName().equals("org.jenkinsci.plugins.durabletask.executors.ContinuableExecutable")) {
                    try {
                        Method m = i.getMethod("willContinue");
                        return Boolean.TRUE.equals(m.invoke(executable));
                    } catch (ReflectiveOperationException | RuntimeException e) {
                        LOG.log(Level.FINE, "cannot ask " + executable + " whether it continues", e);
                        return false;
                    }
                }
            }
        }
        return false;
    }

    /** The job's own policy, or null when it has none (or an invalid one: then the rules decide, and a warning says so). */
    private static RecyclePolicy jobPolicy(Job<?, ?> job) {
        RecycleJobProperty property = job.getProperty(RecycleJobProperty.class);
        if (property == null) {
            return null;
        }
        try {
            return RecycleConfig.policy(property.toRecord());
        } catch (InvalidPolicyException e) {
            LOG.warning(job.getFullName() + ": its node recycling option is invalid, so the rules apply: "
                    + String.join("; ", e.errors()));
            return null;
        }
    }

    public void agentConnected(String agent) {
        recycler.agentConnected(agent);
    }

    public void agentDisconnected(String agent) {
        recycler.agentDisconnected(agent);
    }

    public void forget(String agent) {
        recycler.forget(agent);
    }

    public void tick() {
        recycler.tick();
    }

    public Optional<AgentStatus> status(String agent) {
        return recycler.status(agent);
    }

    public List<AgentStatus> status() {
        return recycler.status();
    }

    /**
     * Jenkins saves an agent's offline cause with the agent, but not the recycle behind it. An agent
     * still offline for a recycle that a restart cut short stays offline (it may be half-way through
     * a reboot), and its cause says so instead of promising it back.
     */
    void settleRecyclesARestartInterrupted() {
        try (ACLContext ignored = ACL.as2(ACL.SYSTEM2)) {
            for (Node node : Jenkins.get().getNodes()) {
                OfflineCause cause = node.getTemporaryOfflineCause();
                Computer c = node.toComputer();
                if (cause instanceof RecycleOfflineCause recycle && recycle.isInProgress() && c != null) {
                    c.setTemporaryOfflineCause(new RecycleOfflineCause("Tollgate: Jenkins restarted while this agent "
                            + "was being recycled; left offline — check the machine, then bring it back online. Was: "
                            + recycle.getText(), false));
                }
            }
        }
    }

    private static void report(RecycleEvent event) {
        LOG.log(event.kind().isFailure() ? Level.WARNING : Level.INFO, "{0}: {1}",
                new Object[] {event.agent(), event.message()});
        for (RecycleEventListener l : ExtensionList.lookup(RecycleEventListener.class)) {
            try {
                l.onEvent(event);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a node recycling event listener failed", e);
            }
        }
    }
}
