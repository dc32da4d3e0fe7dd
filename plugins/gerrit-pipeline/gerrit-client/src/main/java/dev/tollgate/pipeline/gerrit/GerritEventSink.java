package dev.tollgate.pipeline.gerrit;

/**
 * Port: where {@link GerritStream} hands events. Each Gerrit event arrives exactly once, as one
 * stream-events JSON line, whether it was read from the stream or recovered over REST after a
 * disconnection. Calls come from the stream's single reader thread, in order.
 */
public interface GerritEventSink {
    /** One stream-events JSON line (live or recovered). */
    void accept(String jsonLine);

    /** The stream is (re)connected; events flow again. */
    default void connected() {}

    /** The stream is down; it will reconnect by itself. {@code reason} says why, for operators. */
    default void disconnected(String reason) {}
}
