package dev.tollgate.pipeline.gerrit;

import java.net.SocketAddress;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.signature.Signature;

/**
 * Checks the Gerrit server's SSH host key against the key(s) configured for the connection. There
 * is deliberately no "accept anything" mode: a stream whose server is not the configured one would
 * feed forged events into the CI.
 *
 * <p>Each configured line is either a {@code known_hosts} line ({@code [host]:port type base64}) or
 * an authorized-key/public-key line ({@code type base64 [comment]}); host patterns are ignored
 * because the key is configured for this one connection. Several lines allow several host key
 * types; a presented key matching any of them is accepted.
 */
public final class HostKeyCheck implements ServerKeyVerifier {
    private final List<PublicKey> expected;
    private volatile String lastMismatch;

    private HostKeyCheck(List<PublicKey> expected) {
        this.expected = List.copyOf(expected);
    }

    /** Parses the configured text (one key per line; blank lines and # comments skipped). */
    public static HostKeyCheck parse(String configured) {
        if (configured == null || configured.isBlank()) {
            throw new IllegalArgumentException("no SSH host key configured for Gerrit: give the server's "
                    + "public host key (e.g. from `ssh-keyscan -p 29418 HOST`); accepting any key is not offered");
        }
        List<PublicKey> keys = new ArrayList<>();
        int lineNo = 0;
        for (String raw : configured.split("\\R")) {
            lineNo++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("@")) {
                throw new IllegalArgumentException("host key line " + lineNo
                        + ": known_hosts markers (@cert-authority, @revoked) are not supported");
            }
            keys.add(parseLine(line, lineNo));
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no SSH host key found in the configured text");
        }
        return new HostKeyCheck(keys);
    }

    private static PublicKey parseLine(String line, int lineNo) {
        String[] tokens = line.split("\\s+");
        // known_hosts lines start with host patterns; the key starts at its type token
        for (int i = 0; i < tokens.length - 1; i++) {
            if (!looksLikeKeyType(tokens[i])) {
                continue;
            }
            String entry = tokens[i] + " " + tokens[i + 1];
            try {
                PublicKey key = PublicKeyEntry.parsePublicKeyEntry(entry)
                        .resolvePublicKey(null, null, PublicKeyEntryResolver.FAILING);
                if (key != null) {
                    return key;
                }
            } catch (Exception e) {
                throw new IllegalArgumentException("host key line " + lineNo + ": cannot read the "
                        + tokens[i] + " key: " + e.getMessage(), e);
            }
        }
        throw new IllegalArgumentException("host key line " + lineNo
                + ": no public key found (expected `[host]:port TYPE BASE64` or `TYPE BASE64`)");
    }

    private static boolean looksLikeKeyType(String token) {
        return token.startsWith("ssh-") || token.startsWith("ecdsa-") || token.startsWith("sk-");
    }

    public static String fingerprint(PublicKey key) {
        return KeyUtils.getFingerPrint(BuiltinDigests.sha256, key);
    }

    /**
     * The client's signature algorithms with those of the configured host keys first, so that the
     * server presents the key that is pinned: a Gerrit site has ECDSA, Ed25519 and RSA host keys and
     * MINA would otherwise ask for ECDSA first. Nothing is removed (user authentication uses the
     * same list).
     */
    public List<NamedFactory<Signature>> preferConfigured(List<NamedFactory<Signature>> available) {
        Set<String> wanted = new HashSet<>();
        for (PublicKey k : expected) {
            String type = KeyUtils.getKeyType(k);
            if (KeyPairProvider.SSH_RSA.equals(type)) {
                wanted.addAll(List.of("rsa-sha2-512", "rsa-sha2-256", KeyPairProvider.SSH_RSA));
            } else {
                wanted.add(type);
            }
        }
        List<NamedFactory<Signature>> ordered = new ArrayList<>(available);
        ordered.sort(Comparator.comparingInt(f -> wanted.contains(f.getName()) ? 0 : 1));
        return ordered;
    }

    public List<String> expectedFingerprints() {
        return expected.stream().map(HostKeyCheck::fingerprint).collect(Collectors.toList());
    }

    /** The pinned keys as {@code TYPE SHA256:...}, the form {@code ssh-keygen -l} prints. */
    public List<String> expectedKeys() {
        return expected.stream().map(HostKeyCheck::describe).collect(Collectors.toList());
    }

    /** {@code TYPE SHA256:...}. */
    public static String describe(PublicKey key) {
        return KeyUtils.getKeyType(key) + " " + fingerprint(key);
    }

    @Override
    public boolean verifyServerKey(ClientSession session, SocketAddress remote, PublicKey presented) {
        for (PublicKey k : expected) {
            if (KeyUtils.compareKeys(k, presented)) {
                lastMismatch = null;
                return true;
            }
        }
        lastMismatch = "SSH host key mismatch for " + remote + ": expected "
                + String.join(" or ", expectedFingerprints()) + ", server presented "
                + KeyUtils.getKeyType(presented) + " " + fingerprint(presented)
                + " — refusing to connect (fix the configured host key if the server's key really changed)";
        return false;
    }

    /** Forgets the last refusal (called before each connection attempt). */
    void reset() {
        lastMismatch = null;
    }

    /** The message of the last refused key, or null; MINA's own exception only says "did not validate". */
    public String lastMismatch() {
        return lastMismatch;
    }
}
