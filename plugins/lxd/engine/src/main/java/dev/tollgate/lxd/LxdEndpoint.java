package dev.tollgate.lxd;

import java.net.URI;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.Collections;
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

    /**
     * The controller's client certificate and its PKCS#8 key, as PEM: what {@link Https} takes.
     * {@link #toString()} never shows the key.
     */
    record ClientCertificate(String certPem, String keyPem) {
        public ClientCertificate {
            Objects.requireNonNull(certPem, "certPem");
            Objects.requireNonNull(keyPem, "keyPem");
        }

        /**
         * The first key entry of a key store (a PKCS#12 file such as Jenkins' certificate credentials
         * hold), with its certificate. The key is written as PKCS#8, whatever its algorithm.
         *
         * @throws GeneralSecurityException no key entry, a wrong password, or a key that cannot be exported
         */
        public static ClientCertificate fromKeyStore(KeyStore store, char[] password) throws GeneralSecurityException {
            for (String alias : Collections.list(store.aliases())) {
                if (!store.isKeyEntry(alias)) {
                    continue;
                }
                Key key = store.getKey(alias, password);
                Certificate cert = store.getCertificate(alias);
                if (!(key instanceof PrivateKey pk) || cert == null) {
                    continue;
                }
                if (!"PKCS#8".equals(pk.getFormat()) || pk.getEncoded() == null) {
                    throw new GeneralSecurityException("the client key (" + pk.getAlgorithm() + ") cannot be exported as PKCS#8");
                }
                return new ClientCertificate(pem("CERTIFICATE", cert.getEncoded()), pem("PRIVATE KEY", pk.getEncoded()));
            }
            throw new GeneralSecurityException("the key store holds no private key with a certificate");
        }

        private static String pem(String type, byte[] der) {
            return "-----BEGIN " + type + "-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END " + type + "-----\n";
        }

        @Override
        public String toString() {
            return "ClientCertificate[key not shown]";
        }
    }
}
