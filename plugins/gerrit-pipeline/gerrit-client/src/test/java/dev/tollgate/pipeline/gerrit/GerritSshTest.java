package dev.tollgate.pipeline.gerrit;

import static org.junit.Assert.assertSame;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.junit.Test;

public class GerritSshTest {
    private static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHu1jKFzGxr0u7gUfy5JKbq9C6P0H3YWnKeyxyzabcde";

    /** The Jenkins user's ~/.ssh/config and ~/.ssh/id_* keys play no part: only the configured host, key and credential. */
    @Test
    public void theClientUsesOnlyWhatIsConfigured() {
        GerritSshConfig config = GerritSshConfig.of("review.example.org", 29418, KEY);
        HostKeyCheck keys = HostKeyCheck.parse(KEY);
        SshClient c = GerritSsh.startClient(config, keys, keys);
        try {
            assertSame(HostConfigEntryResolver.EMPTY, c.getHostConfigEntryResolver());
            assertSame(KeyIdentityProvider.EMPTY_KEYS_PROVIDER, c.getKeyIdentityProvider());
        } finally {
            c.stop();
        }
    }
}
