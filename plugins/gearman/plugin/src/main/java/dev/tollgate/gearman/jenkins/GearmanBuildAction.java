package dev.tollgate.gearman.jenkins;

import hudson.model.Action;
import hudson.model.InvisibleAction;
import hudson.model.Queue;
import java.util.List;
import java.util.Objects;

/**
 * Marks a queue item, and the build it becomes, as the one a Gearman job asked for. Jenkins copies
 * a queue item's actions onto its build, so the start and the end of the build find the engine's
 * listener by the {@code token} (one per job handed to Jenkins), and {@code stop:} and
 * {@code set_description:} act only on builds that carry a mark. Immutable.
 */
public final class GearmanBuildAction extends InvisibleAction implements Queue.QueueAction {
    private final String token;
    private final String uniqueId;
    private final String node;
    private final String worker;

    /**
     * @param uniqueId the Gearman job's unique id (Zuul's ZUUL_UUID)
     * @param node     the engine's name of the node the build must run on
     * @param worker   the executor's Gearman client id
     */
    public GearmanBuildAction(String token, String uniqueId, String node, String worker) {
        this.token = Objects.requireNonNull(token, "token");
        this.uniqueId = uniqueId;
        this.node = Objects.requireNonNull(node, "node");
        this.worker = worker;
    }

    public String getToken() {
        return token;
    }

    public String getUniqueId() {
        return uniqueId;
    }

    public String getNode() {
        return node;
    }

    public String getWorker() {
        return worker;
    }

    /** Two Gearman jobs are never folded into one queue item, even with the same parameters. */
    @Override
    public boolean shouldSchedule(List<Action> actions) {
        for (Action a : actions) {
            if (a instanceof GearmanBuildAction other && other.token.equals(token)) {
                return false;
            }
        }
        return true;
    }
}
