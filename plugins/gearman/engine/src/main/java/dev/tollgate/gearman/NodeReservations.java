package dev.tollgate.gearman;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Which builds a node's free executors are kept for, between the moment a Gearman job was handed to
 * the build system and the moment its build starts there.
 *
 * <p>The worker takes a job for a node only while one of the node's executors is free, and the
 * build it queues is pinned to that node. Until the build system starts it, another queued build
 * (one Gearman did not send) could take that executor, and the Gearman build would wait behind it
 * while Zuul counts it as running. So a node keeps as many free executors as it has Gearman builds
 * on their way; other builds may use the rest. A build with OFFLINE_NODE_WHEN_COMPLETE claims the
 * whole node from the job's arrival until the build system forgets it, after its node was taken
 * offline: nothing else may start there, since the node is single-use.
 *
 * <p>The build system asks {@link #blockage} before it gives a free executor to a queued build; a
 * build is known by a token of the binding's choice, carried by the queued build.
 *
 * <p>Threading: every method may be called from any thread; all state is guarded by this object's
 * monitor, and no method calls out, so it may be asked while the build system holds its own locks
 * (Jenkins asks its queue task dispatchers under the queue lock).
 */
public final class NodeReservations {
    private record Reservation(String node, boolean singleUse) { }

    // guarded by this
    private final Map<String, Reservation> pending = new HashMap<>();
    private final Map<String, Reservation> running = new HashMap<>();

    /** A job for {@code node} was handed to the build system; its build will carry {@code token}. */
    public synchronized void reserve(String node, String token, boolean singleUse) {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(token, "token");
        running.remove(token);
        pending.put(token, new Reservation(node, singleUse));
    }

    /** The build started: its executor is taken, the reservation used up (a single-use claim stays). */
    public synchronized void started(String token) {
        Reservation r = pending.remove(token);
        if (r != null && r.singleUse()) {
            running.put(token, r);
        }
    }

    /** The build ended, or will never start (cancelled, refused): everything it held is free. */
    public synchronized void forget(String token) {
        pending.remove(token);
        running.remove(token);
    }

    /**
     * Why the queued build carrying {@code token} (null: a build Gearman did not send) may not take
     * one of {@code node}'s free executors now, or null when it may.
     *
     * @param idleExecutors the node's free executors right now
     */
    public synchronized String blockage(String node, String token, int idleExecutors) {
        Reservation own = token == null ? null : pending.get(token);
        if (own != null && own.node().equals(node)) {
            return null;
        }
        int waiting = 0;
        for (Map.Entry<String, Reservation> e : pending.entrySet()) {
            if (!e.getValue().node().equals(node)) {
                continue;
            }
            if (e.getValue().singleUse()) {
                return "reserved for a single-use Gearman build";
            }
            waiting++;
        }
        for (Reservation r : running.values()) {
            if (r.node().equals(node)) {
                return "runs a single-use Gearman build";
            }
        }
        if (waiting > 0 && waiting >= idleExecutors) {
            return waiting == 1 ? "its free executor is kept for a Gearman build"
                    : "its free executors are kept for " + waiting + " Gearman builds";
        }
        return null;
    }

    /** Builds on their way to {@code node}, for a status page. */
    public synchronized int pending(String node) {
        return (int) pending.values().stream().filter(r -> r.node().equals(node)).count();
    }
}
