package dev.tollgate.pipeline.gerrit;

import java.util.Objects;

/**
 * The SSH identity used for {@code gerrit stream-events}: a user name and a private key in OpenSSH
 * ({@code -----BEGIN OPENSSH PRIVATE KEY-----}) or PEM form, with an optional passphrase.
 * Supplied at connect time by the caller (the Jenkins plugin reads it from its credentials store),
 * so a rotated key is picked up at the next reconnect. {@link #toString()} never shows the secret.
 */
public final class SshKeyCredentials {
    private final String username;
    private final String privateKey;
    private final String passphrase;

    public SshKeyCredentials(String username, String privateKey, String passphrase) {
        this.username = Objects.requireNonNull(username, "username");
        this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
        this.passphrase = passphrase;
    }

    public String username() {
        return username;
    }

    public String privateKey() {
        return privateKey;
    }

    /** May be null: the key is not encrypted. */
    public String passphrase() {
        return passphrase;
    }

    @Override
    public String toString() {
        return "SshKeyCredentials[username=" + username + ", privateKey=****]";
    }
}
