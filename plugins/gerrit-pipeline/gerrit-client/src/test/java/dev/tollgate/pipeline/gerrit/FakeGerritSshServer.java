package dev.tollgate.pipeline.gerrit;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.server.session.ServerSession;

/**
 * A stand-in for Gerrit's SSH side (MINA sshd) for the faults and orders a real Gerrit cannot be
 * made to produce on cue: exact lines at exact moments, malformed lines, a server-side close.
 */
final class FakeGerritSshServer implements AutoCloseable {
    final SshServer server;
    final String hostKeyLine;
    final AtomicInteger commands = new AtomicInteger();
    private volatile StreamCommand current;

    FakeGerritSshServer(PublicKey userKey) throws Exception {
        this(userKey, new SimpleGeneratorHostKeyProvider());
    }

    /** A server with the given host keys, like a Gerrit site with ECDSA, Ed25519 and RSA keys. */
    FakeGerritSshServer(PublicKey userKey, KeyPairProvider hostKeys) throws Exception {
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(hostKeys);
        server.setPublickeyAuthenticator((user, key, session) -> "ci".equals(user) && KeyUtils.compareKeys(userKey, key));
        server.setCommandFactory((channel, command) -> {
            if (!GerritStream.COMMAND.equals(command)) {
                throw new IllegalArgumentException("unexpected command " + command);
            }
            commands.incrementAndGet();
            return new StreamCommand(this);
        });
        server.start();
        hostKeyLine = PublicKeyEntry.toString(server.getKeyPairProvider().loadKeys(null).iterator().next().getPublic());
    }

    int port() {
        return server.getPort();
    }

    synchronized void opened(StreamCommand c) {
        current = c;
        notifyAll();
    }

    synchronized void gone(StreamCommand c) {
        if (current == c) {
            current = null;
        }
    }

    /** Writes one line to the open stream, waiting (bounded) for the client's exec request. */
    void send(String line) throws IOException, InterruptedException {
        StreamCommand c;
        synchronized (this) {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (current == null && System.nanoTime() - deadline < 0) {
                wait(100);
            }
            c = current;
        }
        if (c == null) {
            throw new IllegalStateException("no stream open");
        }
        synchronized (c) {
            c.out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            c.out.flush();
        }
    }

    /** The server closes every session, as a restarting Gerrit does. */
    void closeSessions() {
        synchronized (this) {
            current = null;
        }
        for (org.apache.sshd.common.session.Session s : server.getActiveSessions()) {
            ((ServerSession) s).close(true);
        }
    }

    @Override
    public void close() throws IOException {
        server.stop(true);
    }

    private static final class StreamCommand implements Command {
        final FakeGerritSshServer owner;
        OutputStream out;

        StreamCommand(FakeGerritSshServer owner) {
            this.owner = owner;
        }

        @Override
        public void setInputStream(java.io.InputStream in) {}

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {}

        @Override
        public void setExitCallback(ExitCallback callback) {}

        @Override
        public void start(ChannelSession channel, Environment env) {
            owner.opened(this);
        }

        @Override
        public void destroy(ChannelSession channel) {
            owner.gone(this);
        }
    }
}
