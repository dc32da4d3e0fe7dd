package dev.tollgate.gearman.protocol;

import java.io.IOException;

/** A peer sent bytes that are not a valid Gearman packet; the connection cannot be trusted after it. */
public final class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }
}
