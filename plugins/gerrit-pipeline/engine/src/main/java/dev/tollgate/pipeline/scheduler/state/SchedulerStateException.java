package dev.tollgate.pipeline.scheduler.state;

/**
 * A saved scheduler state that cannot be read: not JSON, not a scheduler state, damaged, or written
 * in a newer format than this engine reads. The message says which and where, for an operator.
 */
public final class SchedulerStateException extends Exception {
    public SchedulerStateException(String message) {
        super(message);
    }

    public SchedulerStateException(String message, Throwable cause) {
        super(message, cause);
    }
}
