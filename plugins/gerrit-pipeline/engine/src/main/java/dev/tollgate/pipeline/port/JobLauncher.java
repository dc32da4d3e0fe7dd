package dev.tollgate.pipeline.port;

/**
 * Port: starts and cancels builds. The Jenkins plugin schedules the job with the parameters; tests
 * and {@code tollgate simulate} use fakes. The outcome comes back later, from any thread, through
 * {@code Scheduler.onJobStarted} / {@code Scheduler.onJobCompleted}; they may also be called from
 * inside {@link #launch}.
 */
public interface JobLauncher {
    /** Starts the build, or throws when it cannot be started (the job then counts as LAUNCH_ERROR). */
    void launch(LaunchRequest request) throws LaunchException;

    /** Cancels a build that is queued or running; a build that already ended is ignored. */
    void cancel(String buildId);

    /** The build could not be started (unknown job, launcher down, ...). */
    final class LaunchException extends Exception {
        public LaunchException(String message) {
            super(message);
        }

        public LaunchException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
