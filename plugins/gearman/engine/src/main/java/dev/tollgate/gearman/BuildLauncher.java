package dev.tollgate.gearman;

/**
 * The port through which the Gearman worker drives the build system (Jenkins in production).
 * Methods are called without any worker lock held; {@link #start} should only queue the build and
 * return quickly: progress and the result come back through the {@link BuildListener}.
 */
public interface BuildLauncher {
    /**
     * Queues a build on the request's executor.
     *
     * @throws BuildNotStartedException when the build cannot be queued (the Gearman job then fails)
     */
    void start(BuildRequest request, BuildListener listener) throws BuildNotStartedException;

    /** Aborts a running build; false when no such build runs. */
    boolean abort(BuildRef build);

    /** Sets a build's (HTML) description; false when the build is unknown. */
    boolean setDescription(BuildRef build, String htmlDescription);
}
