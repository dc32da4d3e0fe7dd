package dev.tollgate.lxd;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * HTTPS to a remote LXD daemon with the JDK's HTTP client: the controller authenticates with its
 * client certificate (which the daemon must trust: {@code lxc config trust add}), and the daemon's
 * certificate is pinned by its SHA-256 fingerprint, as {@code lxc remote add} does. There is no
 * accept-any-certificate mode: without a pin nothing connects. The pin replaces CA and host-name
 * checks (LXD's certificate is self-signed); a certificate that does not match is refused before any
 * request is sent.
 *
 * <p>Thread-safe: the JDK client is.
 */
public final class HttpsTransport implements LxdTransport {
    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----([^-]+)-----END \\1-----");
    private final URI base;
    private final HttpClient http;

    /**
     * @param base              e.g. {@code https://lxd.example.org:8443}
     * @param clientCertPem     the controller's certificate (PEM)
     * @param clientKeyPem      its private key, PKCS#8 PEM ({@code BEGIN PRIVATE KEY}; convert an
     *                          {@code EC PRIVATE KEY} with {@code openssl pkcs8 -topk8 -nocrypt})
     * @param serverCertSha256  the daemon's certificate fingerprint, hex (colons allowed)
     */
    public HttpsTransport(URI base, String clientCertPem, String clientKeyPem, String serverCertSha256,
                          Duration connectTimeout) throws GeneralSecurityException {
        if (!"https".equals(base.getScheme())) {
            throw new IllegalArgumentException("LXD endpoint must be https://, was " + base);
        }
        this.base = base;
        byte[] pin = parsePin(serverCertSha256);
        X509Certificate cert = certificate(clientCertPem);
        PrivateKey key = privateKey(clientKeyPem, cert.getPublicKey().getAlgorithm());
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try {
            ks.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        char[] none = new char[0];
        ks.setKeyEntry("client", key, none, new java.security.cert.Certificate[] {cert});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, none);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), new javax.net.ssl.TrustManager[] {new PinnedTrustManager(pin)}, null);
        this.http = HttpClient.newBuilder().sslContext(ssl).connectTimeout(connectTimeout)
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    @Override
    public String describe() {
        return base.toString();
    }

    @Override
    public Response send(String method, String path, byte[] jsonBody, Duration timeout) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout)
                .header("User-Agent", "tollgate-lxd");
        if (jsonBody != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(jsonBody));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Response(r.statusCode(), r.body());
        } catch (HttpTimeoutException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for LXD", e);
        }
    }

    static byte[] parsePin(String hex) {
        if (hex == null || hex.isBlank()) {
            throw new IllegalArgumentException("the LXD server certificate's SHA-256 fingerprint is required (no pin, no connection)");
        }
        String h = hex.replace(":", "").strip().toLowerCase(Locale.ROOT);
        if (!h.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("the server certificate fingerprint must be 64 hex digits (SHA-256)");
        }
        return HexFormat.of().parseHex(h);
    }

    /** SHA-256 of the certificate's DER form, hex: what {@code serverCertSha256} expects. */
    public static String fingerprint(X509Certificate c) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static X509Certificate certificate(String pem) throws GeneralSecurityException {
        byte[] der = pemBlock(pem, "CERTIFICATE");
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    }

    private static PrivateKey privateKey(String pem, String algorithm) throws GeneralSecurityException {
        if (pem != null && (pem.contains("BEGIN EC PRIVATE KEY") || pem.contains("BEGIN RSA PRIVATE KEY"))) {
            throw new GeneralSecurityException("the client key must be PKCS#8 (BEGIN PRIVATE KEY); convert it with "
                    + "openssl pkcs8 -topk8 -nocrypt");
        }
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pemBlock(pem, "PRIVATE KEY")));
    }

    private static byte[] pemBlock(String pem, String type) throws GeneralSecurityException {
        if (pem == null) {
            throw new GeneralSecurityException("no PEM " + type.toLowerCase(Locale.ROOT) + " given");
        }
        Matcher m = PEM.matcher(pem);
        while (m.find()) {
            if (m.group(1).equals(type)) {
                return Base64.getMimeDecoder().decode(m.group(2).getBytes(StandardCharsets.US_ASCII));
            }
        }
        // never echo the text: it may be a key
        throw new GeneralSecurityException("no PEM block of type " + type + " found");
    }

    /** Trusts exactly one server certificate, by its SHA-256; never a client. */
    private static final class PinnedTrustManager extends X509ExtendedTrustManager {
        private final byte[] pin;

        PinnedTrustManager(byte[] pin) {
            this.pin = pin.clone();
        }

        private void check(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("LXD presented no certificate");
            }
            try {
                byte[] got = MessageDigest.getInstance("SHA-256").digest(chain[0].getEncoded());
                if (!MessageDigest.isEqual(got, pin)) {
                    throw new CertificateException("LXD server certificate " + HexFormat.of().formatHex(got)
                            + " does not match the pinned fingerprint");
                }
                chain[0].checkValidity();
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new CertificateException(e);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
