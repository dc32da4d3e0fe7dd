package dev.tollgate.logs;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.scp.server.ScpCommandFactory;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.SftpEventListener;
import org.apache.sshd.sftp.server.SftpFileSystemAccessor;
import org.apache.sshd.sftp.server.SftpSubsystemProxy;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

/**
 * An embedded Apache MINA SSH server for the tests: SFTP (optional) and SCP on a temp directory, user
 * {@code logs} with a password or a key, TCP_NODELAY, and a hook that kills the session once after a
 * number of written bytes (a network failure in the middle of a transfer).
 */
final class MinaLogServer implements AutoCloseable {
    static final String USER = "logs";
    static final String PASSWORD = "s3cret-pw";

    final Path root;
    final KeyPair hostKey;
    /** A second host key, as real servers have several (MINA's client would pick the ECDSA one). */
    final KeyPair rsaHostKey;
    final KeyPair clientKey;
    final AtomicInteger sessions = new AtomicInteger();
    final AtomicInteger kills = new AtomicInteger();
    /** Exec requests that were not scp (this server runs no shell, so it refuses them). */
    final AtomicInteger otherCommands = new AtomicInteger();
    private final SshServer sshd;
    private final AtomicLong written = new AtomicLong();
    private volatile long killAfterBytes = -1;
    /** SFTP opens of a file for writing are refused (a root the user cannot write to). */
    volatile boolean refuseWrites;
    /** SFTP removes are refused (a directory where files can be created but not removed). */
    volatile boolean refuseRemoves;
    private static final java.lang.invoke.VarHandle KILL;

    static {
        try {
            KILL = java.lang.invoke.MethodHandles.lookup().findVarHandle(MinaLogServer.class, "killAfterBytes", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    MinaLogServer(Path root, boolean sftp) throws IOException {
        this(root, sftp, 0);
    }

    /** With the channel window the server grants each client channel (0: MINA's default, 2 MiB). */
    MinaLogServer(Path root, boolean sftp, long windowBytes) throws IOException {
        this.root = root;
        this.hostKey = ecKey();
        this.rsaHostKey = rsaKey();
        this.clientKey = ecKey();
        sshd = SshServer.setUpDefaultServer();
        sshd.setHost("127.0.0.1");
        sshd.setPort(0);
        CoreModuleProperties.TCP_NODELAY.set(sshd, true);
        if (windowBytes > 0) {
            CoreModuleProperties.WINDOW_SIZE.set(sshd, windowBytes);
        }
        sshd.setKeyPairProvider(KeyPairProvider.wrap(hostKey, rsaHostKey));
        sshd.setFileSystemFactory(new VirtualFileSystemFactory(root));
        sshd.setPasswordAuthenticator((user, pw, session) -> USER.equals(user) && PASSWORD.equals(pw));
        sshd.setPublickeyAuthenticator((user, key, session) -> USER.equals(user)
                && KeyUtils.compareKeys(key, clientKey.getPublic()));
        sshd.setCommandFactory(new ScpCommandFactory.Builder().withDelegate((channel, command) -> {
            otherCommands.incrementAndGet();
            throw new IllegalArgumentException("no shell on this server: " + command);
        }).build());
        if (sftp) {
            SftpSubsystemFactory factory = new SftpSubsystemFactory.Builder().withFileSystemAccessor(new Refusing()).build();
            factory.addSftpEventListener(new SftpEventListener() {
                @Override
                public void written(ServerSession session, String remoteHandle, FileHandle localHandle, long offset,
                        byte[] data, int dataOffset, int dataLen, Throwable thrown) {
                    long limit = killAfterBytes;
                    // several channels write at once: only the one that claims the kill does it
                    if (limit >= 0 && written.addAndGet(dataLen) > limit
                            && KILL.compareAndSet(MinaLogServer.this, limit, -1L)) {
                        kills.incrementAndGet();
                        session.close(true);
                    }
                }
            });
            sshd.setSubsystemFactories(List.of(factory));
        }
        sshd.addSessionListener(new org.apache.sshd.common.session.SessionListener() {
            @Override
            public void sessionCreated(org.apache.sshd.common.session.Session session) {
                sessions.incrementAndGet();
            }
        });
        sshd.start();
    }

    /** The default file access, except what {@link #refuseWrites} and {@link #refuseRemoves} refuse. */
    private final class Refusing implements SftpFileSystemAccessor {
        @Override
        public SeekableByteChannel openFile(SftpSubsystemProxy subsystem, FileHandle fileHandle, Path file,
                String handle, Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
            if (refuseWrites && (options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.CREATE)
                    || options.contains(StandardOpenOption.CREATE_NEW))) {
                throw new AccessDeniedException(file.toString());
            }
            return SftpFileSystemAccessor.super.openFile(subsystem, fileHandle, file, handle, options, attrs);
        }

        @Override
        public void removeFile(SftpSubsystemProxy subsystem, Path path, boolean isDirectory) throws IOException {
            if (refuseRemoves) {
                throw new AccessDeniedException(path.toString());
            }
            SftpFileSystemAccessor.super.removeFile(subsystem, path, isDirectory);
        }
    }

    /** Kills the SFTP session once, after this many more bytes were written to files. */
    void killOnceAfter(long bytes) {
        written.set(0);
        killAfterBytes = bytes;
    }

    int port() {
        return sshd.getPort();
    }

    String hostKeyFingerprint() {
        return HostKeyPin.fingerprintOf(hostKey.getPublic());
    }

    LogHost logHost(String rootPath, String credentialId) {
        return logHost(rootPath, credentialId, HostKeyPin.of(hostKey.getPublic()));
    }

    LogHost logHost(String rootPath, String credentialId, HostKeyPin pin) {
        return new LogHost("mina", "127.0.0.1", port(), rootPath, USER, credentialId, pin,
                java.net.URI.create("http://logs.example.org/ci"));
    }

    static KeyPair rsaKey() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static KeyPair ecKey() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    Path remote(String relative) {
        return root.resolve(relative);
    }

    @Override
    public void close() throws IOException {
        sshd.stop(true);
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        }
    }
}
