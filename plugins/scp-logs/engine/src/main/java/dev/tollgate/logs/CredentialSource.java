package dev.tollgate.logs;

import java.io.IOException;

/** Port: looks up the secret a log host refers to by id (Jenkins credentials, a vault, a test). */
@FunctionalInterface
public interface CredentialSource {
    /** The credential with this id, or null when there is none. */
    Credential credential(String credentialId) throws IOException;
}
