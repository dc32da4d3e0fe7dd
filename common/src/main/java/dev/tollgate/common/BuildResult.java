package dev.tollgate.common;

/**
 * How a build ended. The first five are Jenkins' results, with the names and in the order of
 * {@code hudson.model.Result} (better to worse): a build reports one of them. The last two are
 * given by the pipeline engine to a job that produced no result of its own; they are Zuul v2's
 * words and appear as such in review messages.
 */
public enum BuildResult {
    SUCCESS,
    /** Built, but tests failed (Jenkins: better than FAILURE). */
    UNSTABLE,
    FAILURE,
    NOT_BUILT,
    ABORTED,
    /** The launcher could not start the build (unknown job, launcher down, ...). */
    LAUNCH_ERROR,
    /** Every attempt the job was allowed ended without a result (a lost agent each time). */
    RETRY_LIMIT;

    /** One of Jenkins' five results, which a build reports itself, rather than one the engine gives. */
    public boolean isReportedByBuild() {
        return compareTo(ABORTED) <= 0;
    }

    /**
     * Whether the build failed, in the sense of "publish logs even if the build failed": everything
     * but SUCCESS and UNSTABLE (an unstable build did build, as Jenkins sees it).
     */
    public boolean isFailure() {
        return this != SUCCESS && this != UNSTABLE;
    }
}
