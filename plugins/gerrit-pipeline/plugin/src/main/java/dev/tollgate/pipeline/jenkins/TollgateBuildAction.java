package dev.tollgate.pipeline.jenkins;

import hudson.model.Action;
import hudson.model.InvisibleAction;
import hudson.model.Queue;
import java.util.List;
import java.util.Objects;

/**
 * Marks a queue item, and the build it becomes, as the engine's build {@code buildId} for the Gerrit
 * server {@code server}. Jenkins copies a queue item's actions onto its build, so completion and
 * cancellation find their way back to the engine by this mark rather than by build numbers, and a
 * queued item or a build re-attaches to its engine build after a restart.
 */
public final class TollgateBuildAction extends InvisibleAction implements Queue.QueueAction {
    private final String server;
    private final String buildId;

    public TollgateBuildAction(String server, String buildId) {
        this.server = Objects.requireNonNull(server, "server");
        this.buildId = Objects.requireNonNull(buildId, "buildId");
    }

    public String getServer() {
        return server;
    }

    public String getBuildId() {
        return buildId;
    }

    /** Two engine builds are never folded into one queue item; the same engine build never queues twice. */
    @Override
    public boolean shouldSchedule(List<Action> actions) {
        for (Action a : actions) {
            if (a instanceof TollgateBuildAction other && other.server.equals(server) && other.buildId.equals(buildId)) {
                return false;
            }
        }
        return true;
    }
}
