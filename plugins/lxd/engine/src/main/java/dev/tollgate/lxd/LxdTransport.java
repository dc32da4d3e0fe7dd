package dev.tollgate.lxd;

import java.io.IOException;
import java.time.Duration;

/**
 * One HTTP exchange with an LXD daemon: the local unix socket ({@link UnixSocketTransport}) or HTTPS
 * with a client certificate ({@link HttpsTransport}). Implementations are thread-safe; every call
 * opens or borrows its own connection, so creates run at once.
 */
public interface LxdTransport extends AutoCloseable {

    /** An answer: the HTTP status and the body (LXD's JSON envelope). */
    record Response(int status, byte[] body) {
    }

    /**
     * Sends {@code method path} with an optional JSON body and waits at most {@code timeout} for the
     * whole answer.
     *
     * @throws IOException the daemon could not be reached, or did not answer in time
     */
    Response send(String method, String path, byte[] jsonBody, Duration timeout) throws IOException;

    /** Where requests go, for messages (no secrets). */
    String describe();

    @Override
    default void close() {
    }
}
