package dev.tollgate.logs;

import java.security.PublicKey;
import java.util.Collections;
import java.util.Objects;
import java.util.regex.Pattern;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.digest.BuiltinDigests;

/**
 * The host key a log server must present. Given either as an OpenSSH public key line (what
 * {@code ssh-keyscan} or {@code /etc/ssh/ssh_host_*_key.pub} show) or as its SHA256 fingerprint
 * ({@code SHA256:...}, what {@code ssh-keygen -lf} shows). Comparison is by SHA256 fingerprint.
 */
public final class HostKeyPin {
    private static final Pattern FINGERPRINT = Pattern.compile("SHA256:[A-Za-z0-9+/]{43}=?");
    private final String fingerprint;
    private final String keyType; // null when pinned by fingerprint only

    private HostKeyPin(String fingerprint, String keyType) {
        this.fingerprint = fingerprint;
        this.keyType = keyType;
    }

    public static HostKeyPin parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("host key is missing: give the server's public key line"
                    + " (ssh-keyscan) or its SHA256 fingerprint (ssh-keygen -lf); unchecked host keys are not allowed");
        }
        String t = text.trim();
        if (t.startsWith("SHA256:")) {
            if (!FINGERPRINT.matcher(t).matches()) {
                throw new IllegalArgumentException("host key fingerprint '" + RemoteNames.printable(t)
                        + "' is not a SHA256 fingerprint (SHA256: followed by 43 base64 characters)");
            }
            return new HostKeyPin(t.endsWith("=") ? t.substring(0, t.length() - 1) : t, null);
        }
        try {
            // known_hosts lines start with the host pattern: accept them too by skipping it
            String line = t;
            String[] parts = t.split("\\s+");
            if (parts.length >= 3 && !looksLikeKeyType(parts[0]) && looksLikeKeyType(parts[1])) {
                line = t.substring(t.indexOf(parts[1]));
            }
            PublicKeyEntry entry = PublicKeyEntry.parsePublicKeyEntry(line);
            PublicKey key = entry.resolvePublicKey(null, Collections.emptyMap(), PublicKeyEntryResolver.FAILING);
            if (key == null) {
                throw new IllegalArgumentException("unsupported key type " + entry.getKeyType());
            }
            return of(key);
        } catch (Exception e) {
            throw new IllegalArgumentException("host key '" + abbreviate(t) + "' is neither an OpenSSH public key line"
                    + " nor a SHA256 fingerprint: " + e.getMessage(), e);
        }
    }

    public static HostKeyPin of(PublicKey key) {
        return new HostKeyPin(fingerprintOf(key), KeyUtils.getKeyType(key));
    }

    /** The SHA256 fingerprint the way OpenSSH prints it ({@code SHA256:} + unpadded base64). */
    public static String fingerprintOf(PublicKey key) {
        return KeyUtils.getFingerPrint(BuiltinDigests.sha256, key);
    }

    private static boolean looksLikeKeyType(String s) {
        return s.startsWith("ssh-") || s.startsWith("ecdsa-") || s.startsWith("sk-") || s.startsWith("rsa-");
    }

    private static String abbreviate(String s) {
        String p = RemoteNames.printable(s);
        return p.length() > 40 ? p.substring(0, 40) + "..." : p;
    }

    public boolean matches(PublicKey presented) {
        return presented != null && fingerprint.equals(fingerprintOf(presented));
    }

    public String fingerprint() {
        return fingerprint;
    }

    /** The key type when pinned by a full key, else null. */
    public String keyType() {
        return keyType;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostKeyPin && ((HostKeyPin) o).fingerprint.equals(fingerprint);
    }

    @Override
    public int hashCode() {
        return Objects.hash(fingerprint);
    }

    @Override
    public String toString() {
        return keyType == null ? fingerprint : keyType + " " + fingerprint;
    }
}
