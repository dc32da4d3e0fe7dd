package dev.tollgate.logs;

/** The publish as a whole failed (host key refused, login failed, server kept failing, bad destination). */
public class LogPublishException extends Exception {
    public enum Reason {
        INVALID_REQUEST, HOST_KEY_MISMATCH, AUTHENTICATION, NO_CREDENTIAL, REMOTE_REFUSED, CONNECTION,
        /** A fault in the publisher itself (a bug, or the JVM out of memory) kept failing every attempt. */
        INTERNAL_ERROR
    }

    private final Reason reason;

    public LogPublishException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
