package dev.tollgate.pipeline.jenkins;

import dev.tollgate.common.BuildResult;
import hudson.Extension;
import hudson.model.Result;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.model.listeners.RunListener;
import jenkins.model.Jenkins;

/**
 * Feeds the start and end of every marked build back to its engine: the URL the report links to,
 * and the result Jenkins gave (its five names are the engine's). {@code onCompleted} runs before the
 * build's executor is released, so a report never waits for post-build cleanup of other plugins.
 */
@Extension
public final class BuildEvents extends RunListener<Run<?, ?>> {
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
            PipelineRuntime.get().jobCompleted(mark, result(run.getResult()), url(run));
        }
    }

    /** The engine's result for Jenkins' result; null (a build that ended without one) stays null. */
    static BuildResult result(Result r) {
        return r == null ? null : BuildResult.valueOf(r.toString());
    }

    static String url(Run<?, ?> run) {
        String root = Jenkins.get().getRootUrl();
        return root == null ? run.getUrl() : root + run.getUrl();
    }
}
