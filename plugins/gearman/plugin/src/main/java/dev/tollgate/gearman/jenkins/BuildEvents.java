package dev.tollgate.gearman.jenkins;

import hudson.Extension;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.model.listeners.RunListener;

/**
 * Feeds the start and the end of every build a Gearman job asked for back to the engine, which
 * sends them to Zuul. {@code onCompleted} runs before a freestyle build's executor is released, so a
 * single-use node goes offline before anything else can start there; {@code onFinalized} catches a
 * build that ended without {@code onCompleted} (its log could not be opened). The engine takes the
 * first end only.
 */
@Extension
public final class BuildEvents extends RunListener<Run<?, ?>> {
    @Override
    public void onStarted(Run<?, ?> run, TaskListener listener) {
        GearmanBuildAction mark = run.getAction(GearmanBuildAction.class);
        if (mark != null) {
            GearmanRuntime.get().buildStarted(mark, run);
        }
    }

    @Override
    public void onCompleted(Run<?, ?> run, TaskListener listener) {
        ended(run);
    }

    @Override
    public void onFinalized(Run<?, ?> run) {
        ended(run);
    }

    private static void ended(Run<?, ?> run) {
        GearmanBuildAction mark = run.getAction(GearmanBuildAction.class);
        if (mark != null) {
            GearmanRuntime.get().buildEnded(mark.getToken(), run.getResult());
        }
    }
}
