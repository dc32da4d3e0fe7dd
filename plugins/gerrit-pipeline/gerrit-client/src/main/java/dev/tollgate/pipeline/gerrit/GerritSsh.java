package dev.tollgate.pipeline.gerrit;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.core.CoreModuleProperties;

/**
 * How this module makes an SSH connection to Gerrit, shared by {@link GerritStream} and
 * {@link GerritConnectionCheck} so that a connection test exercises exactly what the stream will
 * do: the pinned host key(s) checked, their key types asked for first, TCP_NODELAY, exec requests
 * that want a reply, keep-alives that want one too. Stateless.
 */
final class GerritSsh {
    private GerritSsh() {
    }

    /**
     * A started client. {@code verifier} decides on the server's key; it is {@code hostKeys} itself
     * or a wrapper around it (the check records what was presented). The caller stops the client.
     */
    static SshClient startClient(GerritSshConfig config, HostKeyCheck hostKeys, ServerKeyVerifier verifier) {
        SshClient c = SshClient.setUpDefaultClient();
        // only what is configured: not the Jenkins user's ~/.ssh/config (which could send the
        // connection to another host, port or user) and not its ~/.ssh/id_* keys
        c.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        c.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        c.setServerKeyVerifier(verifier);
        c.setSignatureFactories(hostKeys.preferConfigured(c.getSignatureFactories()));
        CoreModuleProperties.TCP_NODELAY.set(c, true);
        CoreModuleProperties.REQUEST_EXEC_REPLY.set(c, true);
        if (!config.keepAliveInterval().isZero()) {
            CoreModuleProperties.HEARTBEAT_INTERVAL.set(c, config.keepAliveInterval());
            // waiting for a reply is what makes a dead peer visible; an "ignore" heartbeat is not
            CoreModuleProperties.HEARTBEAT_REPLY_WAIT.set(c, config.keepAliveInterval());
            CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.set(c, Math.max(1, config.keepAliveMaxMissed()));
        }
        c.start();
        return c;
    }

    /** The private key(s) of the credentials; an unreadable key is an IOException that shows no key text. */
    static Iterable<KeyPair> loadKeys(ClientSession s, SshKeyCredentials cred) throws Exception {
        FilePasswordProvider pw = cred.passphrase() == null ? FilePasswordProvider.EMPTY
                : FilePasswordProvider.of(cred.passphrase());
        Iterable<KeyPair> keys = SecurityUtils.loadKeyPairIdentities(s, NamedResource.ofName("gerrit-ssh-key"),
                new ByteArrayInputStream(cred.privateKey().getBytes(StandardCharsets.UTF_8)), pw);
        if (keys == null || !keys.iterator().hasNext()) {
            throw new IOException("the configured SSH private key could not be read (OpenSSH or PEM form expected)");
        }
        return keys;
    }

    /** Offers the credentials' key(s) for the session's next authentication. */
    static void addIdentities(ClientSession s, SshKeyCredentials cred) throws Exception {
        for (KeyPair kp : loadKeys(s, cred)) {
            s.addPublicKeyIdentity(kp);
        }
    }
}
