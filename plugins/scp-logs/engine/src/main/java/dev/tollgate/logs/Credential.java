package dev.tollgate.logs;

import java.security.KeyPair;

/**
 * A secret for logging in to a log host. Only the {@link CredentialSource} port hands these out; the
 * registry stores just the credential id. No implementation prints its secret.
 */
public sealed interface Credential permits Credential.Password, Credential.PrivateKey, Credential.Keys {

    /** A password. */
    static Credential password(char[] password) {
        return new Password(password.clone());
    }

    /** A private key in OpenSSH or PEM form, with its passphrase (null when it has none). */
    static Credential privateKey(String keyText, char[] passphrase) {
        return new PrivateKey(keyText, passphrase == null ? null : passphrase.clone());
    }

    /** An already loaded key pair (e.g. from a keystore). */
    static Credential keyPair(KeyPair keyPair) {
        return new Keys(keyPair);
    }

    final class Password implements Credential {
        private final char[] password;

        private Password(char[] password) {
            this.password = password;
        }

        char[] password() {
            return password;
        }

        @Override
        public String toString() {
            return "Password[****]";
        }
    }

    final class PrivateKey implements Credential {
        private final String keyText;
        private final char[] passphrase;

        private PrivateKey(String keyText, char[] passphrase) {
            if (keyText == null || keyText.isBlank()) {
                throw new IllegalArgumentException("private key text is empty");
            }
            this.keyText = keyText;
            this.passphrase = passphrase;
        }

        String keyText() {
            return keyText;
        }

        char[] passphrase() {
            return passphrase;
        }

        @Override
        public String toString() {
            return "PrivateKey[****" + (passphrase != null ? ", passphrase ****" : "") + "]";
        }
    }

    final class Keys implements Credential {
        private final KeyPair keyPair;

        private Keys(KeyPair keyPair) {
            if (keyPair == null || keyPair.getPrivate() == null) {
                throw new IllegalArgumentException("key pair has no private key");
            }
            this.keyPair = keyPair;
        }

        KeyPair keyPair() {
            return keyPair;
        }

        @Override
        public String toString() {
            return "KeyPair[" + keyPair.getPublic().getAlgorithm() + ", private ****]";
        }
    }
}
