package dev.tollgate.gearman;

import java.util.ArrayList;
import java.util.List;

/**
 * One executor of a node: one connection per Gearman server, at most one build at a time.
 *
 * <p>Threading: guarded by the worker's lock.
 */
final class ExecutorState {
    final NodeState node;
    final int index;
    final String id;
    final List<ServerConnection> connections = new ArrayList<>();
    BuildRun current;
    /** Beyond the node's executor count (or the node removed): it takes nothing more. */
    boolean retired;

    ExecutorState(NodeState node, int index, String id) {
        this.node = node;
        this.index = index;
        this.id = id;
    }

    /** Whether {@code c} may send a GRAB now; when true it holds the node's grab token. */
    boolean mayGrab(ServerConnection c) {
        return current == null && !retired && node.availability.tryLock(c);
    }
}
