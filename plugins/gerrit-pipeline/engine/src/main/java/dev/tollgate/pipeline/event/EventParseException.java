package dev.tollgate.pipeline.event;

/** A stream-events line that is not a usable event; the message says why. */
public final class EventParseException extends Exception {
    public EventParseException(String message) {
        super(message);
    }

    public EventParseException(String message, Throwable cause) {
        super(message, cause);
    }
}
