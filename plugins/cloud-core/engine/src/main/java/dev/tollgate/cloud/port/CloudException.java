package dev.tollgate.cloud.port;

/** A failed cloud call. {@link Kind} tells the engine whether to back off, retry elsewhere, or give up. */
public class CloudException extends Exception {
    public enum Kind {
        /** The API asked us to slow down (EC2 RequestLimitExceeded, HTTP 429). Back off with jitter. */
        THROTTLED,
        /** No capacity for this request here (InsufficientInstanceCapacity, spot price too low, quota). */
        CAPACITY,
        /** Network trouble or a 5xx: the call may or may not have taken effect. */
        TRANSIENT,
        /** The resource does not exist (yet, under eventual consistency, or any more). */
        NOT_FOUND,
        /** Bad configuration or credentials: retrying will not help. */
        PERMANENT
    }

    private final Kind kind;
    private final String code;

    public CloudException(Kind kind, String code, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.code = code;
    }

    public CloudException(Kind kind, String code, String message) {
        this(kind, code, message, null);
    }

    public Kind kind() {
        return kind;
    }

    /** The cloud's own error code, e.g. {@code InsufficientInstanceCapacity}; may be null. */
    public String code() {
        return code;
    }
}
