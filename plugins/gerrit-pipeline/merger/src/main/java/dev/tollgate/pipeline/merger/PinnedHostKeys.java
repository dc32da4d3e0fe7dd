package dev.tollgate.pipeline.merger;

import java.net.InetSocketAddress;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.sshd.ServerKeyDatabase;

/**
 * The SSH host key check of the merger's Gerrit connection: the server must present one of the
 * configured keys, whatever host it is reached under; nothing is learned or written, and no
 * known_hosts file is read. {@link #lookup} gives the keys too, so JGit asks the server for their
 * type first (a Gerrit site has several host keys). Immutable, thread-safe.
 */
final class PinnedHostKeys implements ServerKeyDatabase {
    private static final System.Logger LOG = System.getLogger(PinnedHostKeys.class.getName());

    private final List<PublicKey> keys;

    PinnedHostKeys(List<PublicKey> keys) {
        this.keys = List.copyOf(keys);
    }

    /** Lines of {@code TYPE BASE64 [comment]} or known_hosts ({@code HOSTS TYPE BASE64}). */
    static PinnedHostKeys parse(String text) {
        List<PublicKey> keys = new ArrayList<>();
        int lineNo = 0;
        for (String raw : text.split("\n")) {
            lineNo++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] t = line.split("\\s+");
            PublicKey key = null;
            for (int i = 0; i < t.length - 1 && key == null; i++) {
                if (t[i].startsWith("ssh-") || t[i].startsWith("ecdsa-") || t[i].startsWith("sk-")) {
                    try {
                        key = PublicKeyEntry.parsePublicKeyEntry(t[i] + " " + t[i + 1])
                                .resolvePublicKey(null, null, PublicKeyEntryResolver.FAILING);
                    } catch (Exception e) {
                        throw new IllegalArgumentException("host key line " + lineNo + ": cannot read the " + t[i]
                                + " key: " + e.getMessage(), e);
                    }
                }
            }
            if (key == null) {
                throw new IllegalArgumentException("host key line " + lineNo + ": no public key (expected `TYPE BASE64`)");
            }
            keys.add(key);
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no SSH host key in the configured text");
        }
        return new PinnedHostKeys(keys);
    }

    @Override
    public List<PublicKey> lookup(String connectAddress, InetSocketAddress remoteAddress, Configuration config) {
        return keys;
    }

    @Override
    public boolean accept(String connectAddress, InetSocketAddress remoteAddress, PublicKey serverKey,
                          Configuration config, CredentialsProvider provider) {
        for (PublicKey k : keys) {
            if (KeyUtils.compareKeys(k, serverKey)) {
                return true;
            }
        }
        LOG.log(System.Logger.Level.WARNING, "SSH host key of {0} refused: {1} {2} is not the configured key",
                connectAddress, KeyUtils.getKeyType(serverKey), KeyUtils.getFingerPrint(BuiltinDigests.sha256, serverKey));
        return false;
    }
}
