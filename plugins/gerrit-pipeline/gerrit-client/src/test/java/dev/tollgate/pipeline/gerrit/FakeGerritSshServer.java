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
    /** What {@code gerrit version} answers; null: Gerrit's answer to an unknown command. */
    volatile String version = "3.10.2";
    /**
     * When set, {@code gerrit stream-events} writes this line on stderr and exits with status 1, as
     * Gerrit does for a user without the "Stream Events" capability.
     */
    volatile String streamEventsRefusal;
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
            if (GerritConnectionCheck.VERSION_COMMAND.equals(command)) {
                String v = version;
                return v != null ? new AnswerCommand("gerrit version " + v, null, 0)
                        : new AnswerCommand(null, "fatal: gerrit: version: not found", 1);
            }
            if (!GerritStream.COMMAND.equals(command)) {
                throw new IllegalArgumentException("unexpected command " + command);
            }
            String refusal = streamEventsRefusal;
            if (refusal != null) {
                return new AnswerCommand(null, refusal, 1);
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

    /** A command that writes one line (stdout or stderr) and exits, like Gerrit's one-shot commands. */
    private static final class AnswerCommand implements Command {
        private final String stdout;
        private final String stderr;
        private final int status;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;

        AnswerCommand(String stdout, String stderr, int status) {
            this.stdout = stdout;
            this.stderr = stderr;
            this.status = status;
        }

        @Override
        public void setInputStream(java.io.InputStream in) {}

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            this.err = err;
        }

        @Override
        public void setExitCallback(ExitCallback callback) {
            this.exit = callback;
        }

        @Override
        public void start(ChannelSession channel, Environment env) throws IOException {
            if (stdout != null) {
                out.write((stdout + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            if (stderr != null) {
                err.write((stderr + "\n").getBytes(StandardCharsets.UTF_8));
                err.flush();
            }
            exit.onExit(status);
        }

        @Override
        public void destroy(ChannelSession channel) {}
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
