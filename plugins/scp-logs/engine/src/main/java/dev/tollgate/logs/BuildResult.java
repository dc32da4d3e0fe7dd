package dev.tollgate.logs;

/** The result of the build whose logs are published (Jenkins' Result, without Jenkins types). */
public enum BuildResult {
    SUCCESS, UNSTABLE, FAILURE, ABORTED, NOT_BUILT;

    /** Whether the build failed in the sense of the scp plugin's "copy even if the build failed". */
    public boolean isFailure() {
        return this == FAILURE || this == ABORTED || this == NOT_BUILT;
    }
}
