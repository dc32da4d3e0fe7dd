package dev.tollgate.gearman;

/**
 * A node's availability: whether it takes jobs at all, and which of its connections may ask a
 * server for one (the grab token).
 *
 * <p>Only the connection holding the token may have a {@code GRAB_JOB_UNIQ} outstanding, so a node
 * asks one server at a time and an executor never gets two jobs from two servers. The token must go
 * back on every path: {@code NO_JOB}, a job handed to the build system, a job refused, a connection
 * lost. A node that does not accept jobs (taken offline, removed, running a single-use build) gives
 * the token to nobody.
 *
 * <p>Threading: every method is called with the worker's lock held; an implementation only changes
 * memory (no ports, no I/O), so deciding under the lock stays cheap.
 */
interface AvailabilityMonitor {
    /** False while the node must take no job (offline, removed, single-use build running). */
    boolean accepting();

    void setAccepting(boolean accepting);

    /**
     * Gives the token to {@code connection} if the node accepts jobs and nobody holds it; false
     * otherwise, also when {@code connection} holds it already (one GRAB at a time).
     */
    boolean tryLock(ServerConnection connection);

    /** Takes the token back if {@code connection} holds it; otherwise nothing. */
    void unlock(ServerConnection connection);
}
