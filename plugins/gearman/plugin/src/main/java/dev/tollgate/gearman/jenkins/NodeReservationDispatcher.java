package dev.tollgate.gearman.jenkins;

import dev.tollgate.gearman.NodeReservations;
import hudson.Extension;
import hudson.model.Computer;
import hudson.model.Node;
import hudson.model.Queue;
import hudson.model.queue.CauseOfBlockage;
import hudson.model.queue.QueueTaskDispatcher;

/**
 * Keeps a node's free executor for the Gearman build on its way there, and a single-use node for
 * its one build ({@link NodeReservations}): any other queued build waits for another executor or
 * node. Asked by Jenkins' queue under its lock; the reservations are plain memory.
 */
@Extension
public final class NodeReservationDispatcher extends QueueTaskDispatcher {
    @Override
    public CauseOfBlockage canTake(Node node, Queue.BuildableItem item) {
        GearmanBuildAction mark = item.getAction(GearmanBuildAction.class);
        Computer c = node.toComputer();
        String name = JenkinsInventory.name(node);
        String why = GearmanRuntime.get().reservations().blockage(name, mark == null ? null : mark.getToken(),
                c == null ? 0 : c.countIdle());
        return why == null ? null : new Reserved(name, why);
    }

    /** Why a build waits: the node is kept for Gearman. */
    static final class Reserved extends CauseOfBlockage {
        private final String node;
        private final String why;

        Reserved(String node, String why) {
            this.node = node;
            this.why = why;
        }

        @Override
        public String getShortDescription() {
            return "Node " + node + ": " + why;
        }
    }
}
