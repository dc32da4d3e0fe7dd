package dev.tollgate.pipeline.jenkins;

import dev.tollgate.common.BuildResult;
import hudson.Extension;
import hudson.model.Queue;
import hudson.model.queue.QueueListener;

/**
 * A marked item cancelled while still queued never starts a build, so no run listener hears of it:
 * it ends here, as ABORTED (a cancel the engine asked for is ignored by the engine, which already
 * dropped the build).
 */
@Extension
public final class QueueEvents extends QueueListener {
    @Override
    public void onLeft(Queue.LeftItem item) {
        if (!item.isCancelled()) {
            return;
        }
        TollgateBuildAction mark = item.getAction(TollgateBuildAction.class);
        if (mark != null) {
            PipelineRuntime.get().jobCompleted(mark, BuildResult.ABORTED, null);
        }
    }
}
