package dev.tollgate.pipeline.gerrit;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/** A Gerrit user and its HTTP password (Settings → HTTP Credentials). Never shown by toString. */
public final class HttpCredentials {
    private final String username;
    private final String password;

    public HttpCredentials(String username, String password) {
        this.username = Objects.requireNonNull(username, "username");
        this.password = Objects.requireNonNull(password, "password");
    }

    public String username() {
        return username;
    }

    /** For the merger's HTTP fetches (JGit's credentials provider); never logged. */
    String password() {
        return password;
    }

    /** The value of an HTTP {@code Authorization} header for basic authentication. */
    String basicAuthorization() {
        return "Basic " + Base64.getEncoder().encodeToString(
                (username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "HttpCredentials[username=" + username + ", password=****]";
    }
}
