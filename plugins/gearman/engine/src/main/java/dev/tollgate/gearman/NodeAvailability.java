package dev.tollgate.gearman;

/**
 * The {@link AvailabilityMonitor} of one node: a single grab token shared by all its executors'
 * connections to all servers, and the node's accepting flag.
 *
 * <p>Threading: guarded by the worker's lock, like everything it is called from; no ports.
 */
final class NodeAvailability implements AvailabilityMonitor {
    /** The connection allowed to have a GRAB_JOB outstanding for this node, or null. */
    private ServerConnection holder;
    private boolean accepting = true;

    @Override
    public boolean accepting() {
        return accepting;
    }

    @Override
    public void setAccepting(boolean accepting) {
        this.accepting = accepting;
    }

    @Override
    public boolean tryLock(ServerConnection connection) {
        if (!accepting || holder != null) {
            return false;
        }
        holder = connection;
        return true;
    }

    @Override
    public void unlock(ServerConnection connection) {
        if (holder == connection) {
            holder = null;
        }
    }
}
