package dev.tollgate.cloud.jenkins;

import hudson.ExtensionList;
import hudson.ExtensionPoint;
import hudson.model.Action;
import hudson.model.Queue;
import java.util.List;

/**
 * Lets another plugin keep the cloud from putting an interrupted build back in the queue, because
 * that plugin relaunches the build itself (the gerrit-pipeline plugin: a build carrying its build id
 * must not run twice under that id; its engine relaunches a build that ended without a result).
 * Such a plugin depends on this one optionally and registers its filter with
 * {@code @Extension(optional = true)}, so it loads without this plugin too. Implementations are
 * stateless and called from any thread, never under the queue lock.
 */
public abstract class RescheduleFilter implements ExtensionPoint {

    /**
     * True when the build of {@code task} with these actions (its queue item's, or its run's) is
     * relaunched by its owner once it ends aborted by a {@link CloudInterruption}: the cloud then
     * only aborts it.
     */
    public abstract boolean relaunchedByOwner(Queue.Task task, List<Action> actions);

    /** Whether any registered filter claims the build. */
    static boolean anyClaims(Queue.Task task, List<Action> actions) {
        for (RescheduleFilter f : ExtensionList.lookup(RescheduleFilter.class)) {
            if (f.relaunchedByOwner(task, actions)) {
                return true;
            }
        }
        return false;
    }
}
