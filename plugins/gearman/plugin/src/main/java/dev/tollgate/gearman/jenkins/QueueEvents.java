package dev.tollgate.gearman.jenkins;

import hudson.Extension;
import hudson.model.Queue;
import hudson.model.Result;
import hudson.model.queue.QueueListener;

/**
 * A Gearman build leaves Jenkins' queue either on an executor of its node, which then is taken (the
 * reservation kept for it is used up), or cancelled (by a user, or because its node was removed).
 * A cancelled one never starts, so no run listener hears of it: it ends here, as ABORTED.
 */
@Extension
public final class QueueEvents extends QueueListener {
    @Override
    public void onLeft(Queue.LeftItem item) {
        GearmanBuildAction mark = item.getAction(GearmanBuildAction.class);
        if (mark == null) {
            return;
        }
        if (item.isCancelled()) {
            GearmanRuntime.get().buildEnded(mark.getToken(), Result.ABORTED);
        } else {
            GearmanRuntime.get().reservations().started(mark.getToken());
        }
    }
}
