package dev.tollgate.logs;

/**
 * What {@link LogPublisher#checkConnection} found on a log host whose host key matched and where the
 * login worked.
 *
 * @param serverVersion  the server's SSH identification, e.g. {@code SSH-2.0-OpenSSH_9.2p1 Debian-2}
 * @param hostKey        the SHA256 fingerprint of the host key it presented (the pinned one)
 * @param rootChecked    true when the root path was found to be a directory the user can write to
 *                       (a file was created in it and removed again); false when the server offers
 *                       no SFTP to check it with (uploads then go over SCP or the tar stream)
 * @param message        one line for a person, e.g. for "Test connection"
 */
public record ConnectionCheck(String serverVersion, String hostKey, boolean rootChecked, String message) {
    @Override
    public String toString() {
        return message;
    }
}
