package dev.tollgate.gearman;

/** The build system refused a build request (unknown job, node gone, ...); the message says why. */
public final class BuildNotStartedException extends Exception {
    private static final long serialVersionUID = 1L;

    public BuildNotStartedException(String message) {
        super(message);
    }
}
