package dev.tollgate.pipeline.bridge;

/** A gerrit-events object that does not make a usable engine event; the message says why. */
public final class UnconvertibleEventException extends Exception {
    private final String typeName;
    private final String serverName;

    public UnconvertibleEventException(String message, String typeName, String serverName) {
        super(message);
        this.typeName = typeName;
        this.serverName = serverName;
    }

    /** The Gerrit event type ({@code comment-added}, ...), or null when not known. */
    public String typeName() {
        return typeName;
    }

    /** The provider (server) name the event came from, or null. */
    public String serverName() {
        return serverName;
    }
}
