package dev.tollgate.ec2;

import java.net.URI;
import java.util.Objects;

/**
 * The HTTP proxy the EC2 client goes through: an {@code http://host:port} endpoint and optional
 * basic credentials. Whether EC2's host is excluded from the proxy is the caller's decision (Jenkins'
 * "no proxy hosts" rules), so a non-null proxy is always used. The password never appears in
 * {@link #toString()}.
 */
public record HttpProxy(URI endpoint, String username, String password) {
    public HttpProxy {
        Objects.requireNonNull(endpoint, "endpoint");
        if (endpoint.getHost() == null || endpoint.getPort() <= 0 || !"http".equals(endpoint.getScheme())) {
            throw new IllegalArgumentException("proxy must be http://host:port, not " + endpoint);
        }
        if (username != null && username.isBlank()) {
            username = null;
        }
        if (username == null) {
            password = null;
        }
    }

    /** A proxy at {@code host:port}; {@code username} null or blank = no credentials. */
    public static HttpProxy of(String host, int port, String username, String password) {
        return new HttpProxy(URI.create("http://" + host + ":" + port), username, password);
    }

    @Override
    public String toString() {
        return "HttpProxy[" + endpoint + (username == null ? "" : ", user " + username + ", password ****") + "]";
    }
}
