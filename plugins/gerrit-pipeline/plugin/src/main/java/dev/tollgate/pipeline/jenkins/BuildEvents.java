package dev.tollgate.pipeline.jenkins;

import dev.tollgate.common.BuildResult;
import dev.tollgate.pipeline.jenkins.cloud.CloudRelaunch;
import hudson.EnvVars;
import hudson.Extension;
import hudson.model.EnvironmentContributingAction;
import hudson.model.Result;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.model.listeners.RunListener;
import java.util.logging.Level;
import java.util.logging.Logger;
import jenkins.model.Jenkins;

/**
 * Feeds the start and end of every marked build back to its engine: the URL the report links to,
 * and the result Jenkins gave (its five names are the engine's). {@code onCompleted} runs before the
 * build's executor is released, so a report never waits for post-build cleanup of other plugins.
 *
 * <p>The report links to the build's published logs when it has some: the build's {@code LOG_URL},
 * as its {@link EnvironmentContributingAction}s give it (the scp-logs plugin's publisher adds one),
 * else the build's own page. The contract is that variable and Jenkins' own interface, not a class of
 * the other plugin: each plugin bundles its own copy of the suite's shared classes, in a class loader
 * of its own, so a shared interface would not be the same interface in the two plugins.
 */
@Extension
public final class BuildEvents extends RunListener<Run<?, ?>> {
    private static final Logger LOGGER = Logger.getLogger(BuildEvents.class.getName());

    @Override
    public void onStarted(Run<?, ?> run, TaskListener listener) {
        TollgateBuildAction mark = run.getAction(TollgateBuildAction.class);
        if (mark != null) {
            PipelineRuntime.get().jobStarted(mark, url(run));
        }
    }

    @Override
    public void onCompleted(Run<?, ?> run, TaskListener listener) {
        TollgateBuildAction mark = run.getAction(TollgateBuildAction.class);
        if (mark != null) {
            // aborted because the cloud lost its agent (spot interruption): no result of the build's
            // own, so the engine launches the job again, as for any agent lost
            BuildResult r = lostItsAgent(run) ? null : result(run.getResult());
            PipelineRuntime.get().jobCompleted(mark, r, reportUrl(run));
        }
    }

    /** Aborted by one of the suite's clouds; asked only when that plugin is installed (its classes load then). */
    static boolean lostItsAgent(Run<?, ?> run) {
        return run.getResult() == Result.ABORTED && Jenkins.get().getPlugin(CloudRelaunch.PLUGIN) != null
                && CloudRelaunch.interruptedByCloud(run);
    }

    /** The engine's result for Jenkins' result; null (a build that ended without one) stays null. */
    static BuildResult result(Result r) {
        return r == null ? null : BuildResult.valueOf(r.toString());
    }

    /** The build variable of the URL where the build's logs were published. */
    static final String LOG_URL = "LOG_URL";

    /** What the report links to: the build's published logs, else the build's page. */
    static String reportUrl(Run<?, ?> run) {
        String logs = logUrl(run);
        return logs != null ? logs : url(run);
    }

    /** The build's LOG_URL as its actions contribute it (the last one wins), when it is an http(s) URL. */
    static String logUrl(Run<?, ?> run) {
        EnvVars vars = new EnvVars();
        for (EnvironmentContributingAction a : run.getActions(EnvironmentContributingAction.class)) {
            try {
                a.buildEnvironment(run, vars);
            } catch (RuntimeException e) {
                // another plugin's action: its variables are left out, the report still goes
                LOGGER.log(Level.WARNING, "the variables of " + a.getClass().getName() + " on " + run
                        + " are left out of its report", e);
            }
        }
        String u = vars.get(LOG_URL);
        return u != null && u.matches("(?i)https?://\\S+") ? u : null;
    }

    static String url(Run<?, ?> run) {
        String root = Jenkins.get().getRootUrl();
        return root == null ? run.getUrl() : root + run.getUrl();
    }
}
