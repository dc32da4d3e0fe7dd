package dev.tollgate.recycle;

/** The result of the build that just finished on the agent; the names are Jenkins' {@code Result} names. */
public enum BuildResult {
    SUCCESS,
    UNSTABLE,
    FAILURE,
    NOT_BUILT,
    ABORTED
}
