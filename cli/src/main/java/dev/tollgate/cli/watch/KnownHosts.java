package dev.tollgate.cli.watch;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

/**
 * Gerrit's pinned host key(s) from an OpenSSH {@code known_hosts} file: only the lines whose host
 * patterns match the host and port (plain, {@code [host]:port}, wildcard or hashed, as MINA sshd
 * reads them), so that a file with many hosts never lets another host's key stand in for Gerrit's.
 * {@code @revoked} and {@code @cert-authority} lines are not used. Stateless.
 */
final class KnownHosts {
    private KnownHosts() {
    }

    /** The matching keys, one {@code type base64} line each, for the stream's host key check. */
    static String keysFor(Path file, String host, int port) throws SecretFiles.Unusable {
        String text = SecretFiles.read(file, "known hosts");
        List<KnownHostEntry> entries;
        try {
            entries = KnownHostEntry.readKnownHostEntries(new StringReader(text), true);
        } catch (IOException | RuntimeException e) {
            throw new SecretFiles.Unusable(file + ": not a known_hosts file: " + e.getMessage());
        }
        String where = port == 22 ? host : "[" + host + "]:" + port;
        List<String> keys = new ArrayList<>();
        List<String> bad = new ArrayList<>();
        for (KnownHostEntry e : entries == null ? List.<KnownHostEntry>of() : entries) {
            if (e.getMarker() != null || e.getKeyEntry() == null || !e.isHostMatch(host, port)) {
                continue;
            }
            try {
                PublicKey key = e.getKeyEntry().resolvePublicKey(null, null, PublicKeyEntryResolver.FAILING);
                if (key != null) {
                    keys.add(PublicKeyEntry.toString(key));
                }
            } catch (IOException | java.security.GeneralSecurityException | RuntimeException ex) {
                bad.add(e.getKeyEntry().getKeyType() + " (" + ex.getMessage() + ")");
            }
        }
        if (keys.isEmpty()) {
            throw new SecretFiles.Unusable(file + ": no usable host key for " + where
                    + (bad.isEmpty() ? "" : " (unreadable: " + String.join(", ", bad) + ")")
                    + "; after checking the key's fingerprint with Gerrit's administrators, add it with "
                    + "`ssh-keyscan -p " + port + " " + host + " >> " + file + "`");
        }
        return String.join("\n", keys);
    }
}
