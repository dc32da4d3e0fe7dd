package dev.tollgate.lxd;

import java.net.URI;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Objects;

/** Where the LXD daemon is: its local unix socket, or HTTPS with a client certificate and a pinned server certificate. */
public sealed interface LxdEndpoint {

    /** Opens the transport for this endpoint. */
    LxdTransport open(Duration connectTimeout) throws GeneralSecurityException;

    /** {@code $LXD_DIR/unix.socket} (Debian: {@code /var/lib/lxd/unix.socket}); the caller must be in LXD's group. */
    record Unix(Path socket) implements LxdEndpoint {
        public Unix {
            Objects.requireNonNull(socket, "socket");
        }

        @Override
        public LxdTransport open(Duration connectTimeout) {
            return new UnixSocketTransport(socket);
        }
    }

    /**
     * A remote daemon ({@code core.https_address}) that trusts {@code clientCertPem}; its certificate
     * must have the SHA-256 fingerprint {@code serverCertSha256} ({@code lxc info} shows it).
     */
    record Https(URI url, String clientCertPem, String clientKeyPem, String serverCertSha256) implements LxdEndpoint {
        public Https {
            Objects.requireNonNull(url, "url");
            HttpsTransport.parsePin(serverCertSha256); // fails early: no pin, no endpoint
        }

        @Override
        public LxdTransport open(Duration connectTimeout) throws GeneralSecurityException {
            return new HttpsTransport(url, clientCertPem, clientKeyPem, serverCertSha256, connectTimeout);
        }

        @Override
        public String toString() {
            return "Https[" + url + ", server " + serverCertSha256 + "]"; // never the key
        }
    }
}
