package dev.tollgate.gearman;

import java.util.ArrayList;
import java.util.List;

/**
 * One node as the worker knows it: its spec, its executors and its availability.
 *
 * <p>Threading: guarded by the worker's lock; its methods only change memory and queue packets.
 */
final class NodeState {
    NodeSpec spec;
    final List<ExecutorState> executors = new ArrayList<>();
    final AvailabilityMonitor availability = new NodeAvailability();

    NodeState(NodeSpec spec) {
        this.spec = spec;
    }

    /** Lets every connection of the node that may grab now do so (the token goes to the first). */
    void kick() {
        for (ExecutorState e : executors) {
            for (ServerConnection c : e.connections) {
                c.maybeGrab();
            }
        }
    }

    /** True while one of its executors runs a build that asked for OFFLINE_NODE_WHEN_COMPLETE. */
    boolean runsSingleUseBuild() {
        return executors.stream().anyMatch(e -> e.current != null && e.current.offlineWhenComplete);
    }
}
