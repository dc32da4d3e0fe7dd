package dev.tollgate.pipeline.jenkins.cloud;

import dev.tollgate.cloud.jenkins.CloudInterruption;
import dev.tollgate.cloud.jenkins.RescheduleFilter;
import dev.tollgate.pipeline.jenkins.TollgateBuildAction;
import hudson.Extension;
import hudson.model.Action;
import hudson.model.Queue;
import hudson.model.Run;
import java.util.List;
import jenkins.model.CauseOfInterruption;
import jenkins.model.InterruptedBuildAction;

/**
 * Where this plugin meets the suite's cloud plugin (cloud-core, an optional dependency): a build of
 * a pipeline whose agent the cloud loses to a spot interruption is relaunched by the pipeline's
 * engine, as a build that ended without a result (a new build id, the attempt counted, as Zuul v2
 * did), never put back in the queue by the cloud under its old id, which would end it twice. Only
 * loaded when cloud-core is installed: {@link #PLUGIN} guards the static calls, and Jenkins skips
 * the optional extension when the class cannot load. Stateless.
 */
public final class CloudRelaunch {
    /** cloud-core's short name. */
    public static final String PLUGIN = "tollgate-cloud-core";

    private CloudRelaunch() {
    }

    /** Was the run aborted by one of the suite's clouds (its agent's instance going away)? */
    public static boolean interruptedByCloud(Run<?, ?> run) {
        for (InterruptedBuildAction a : run.getActions(InterruptedBuildAction.class)) {
            for (CauseOfInterruption c : a.getCauses()) {
                if (c instanceof CloudInterruption) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Tells the cloud to abort, not re-queue, the builds this plugin marked: the engine relaunches them. */
    @Extension(optional = true)
    public static final class PipelineBuilds extends RescheduleFilter {
        @Override
        public boolean relaunchedByOwner(Queue.Task task, List<Action> actions) {
            return actions.stream().anyMatch(TollgateBuildAction.class::isInstance);
        }
    }
}
