package dev.tollgate.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Debian's OpenSSH {@code sshd} on a loopback port, with its own config, host key (ECDSA P-256, which
 * every SSH client here speaks without extra crypto providers) and authorized keys, all under one
 * directory. Runs in the foreground ({@code -D -e}); {@link #close()} stops it. A missing
 * {@code openssh-server} fails the test, it never skips.
 *
 * <pre>
 * try (OpenSshServer sshd = OpenSshServer.start(dir, List.of(clientPublicKeyLine))) {
 *     sshd.port(); sshd.hostPublicKeyLine(); sshd.knownHostsFile();
 * }
 * </pre>
 */
public final class OpenSshServer implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path dir;
    private final String hostPublicKeyLine;
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean listening;

    private OpenSshServer(Process process, int port, Path dir, String hostPublicKeyLine) {
        this.process = process;
        this.port = port;
        this.dir = dir;
        this.hostPublicKeyLine = hostPublicKeyLine;
    }

    /** Starts sshd accepting the given public keys (OpenSSH one-line form) for the current user. */
    public static OpenSshServer start(Path dir, List<String> authorizedKeys) throws IOException {
        Path sshd = Peers.requireExecutable("openssh-server", "/usr/sbin/sshd");
        Path keygen = Peers.requireExecutable("openssh-client", "/usr/bin/ssh-keygen");
        Files.createDirectories(dir);
        // sshd refuses to start without its privilege-separation directory.
        try {
            Files.createDirectories(Path.of("/run/sshd"));
        } catch (IOException e) {
            // not root: sshd then runs without privilege separation for the current user only
        }
        // Ed25519, the host key type OpenSSH prefers: what an admin pins after `ssh-keyscan` today.
        Path hostKey = dir.resolve("ssh_host_ed25519_key");
        if (!Files.exists(hostKey)) {
            run(List.of(keygen.toString(), "-q", "-t", "ed25519", "-N", "", "-C", "tollgate-test-host",
                    "-f", hostKey.toString()));
        }
        String hostPub = Files.readString(dir.resolve("ssh_host_ed25519_key.pub"), StandardCharsets.US_ASCII).trim();
        Path authorized = dir.resolve("authorized_keys");
        Files.write(authorized, authorizedKeys, StandardCharsets.US_ASCII);
        // The port is picked free and bound by sshd a moment later; another process may take it in
        // between, so a start that fails on a taken port is tried again on a fresh one.
        IOException last = null;
        for (int attempt = 1; attempt <= 5; attempt++) {
            try {
                return startOn(Peers.freePort(), sshd, dir, hostKey, authorized, hostPub);
            } catch (PortTakenException e) {
                last = e;
            }
        }
        throw last;
    }

    /** sshd could not bind its port: someone else took it after it was picked. */
    private static final class PortTakenException extends IOException {
        PortTakenException(String message) {
            super(message);
        }
    }

    private static OpenSshServer startOn(int port, Path sshd, Path dir, Path hostKey, Path authorized,
                                         String hostPub) throws IOException {
        Path config = dir.resolve("sshd_config");
        Files.writeString(config, String.join("\n",
                "ListenAddress 127.0.0.1",
                "HostKey " + hostKey,
                "PidFile " + dir.resolve("sshd.pid"),
                "AuthorizedKeysFile " + authorized,
                "UsePAM no",
                "StrictModes no",
                "PermitRootLogin prohibit-password",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                // Many channels per session: the publisher opens several SFTP channels at once.
                "MaxSessions 64",
                "MaxStartups 64",
                "LogLevel INFO",
                "Subsystem sftp internal-sftp",
                ""), StandardCharsets.US_ASCII);
        ProcessBuilder pb = new ProcessBuilder(sshd.toString(), "-D", "-e", "-f", config.toString(),
                "-p", Integer.toString(port));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        OpenSshServer server = new OpenSshServer(p, port, dir, hostPub);
        // counted down when sshd listens, or when it ends without listening (its output closes)
        CountDownLatch settled = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    server.log.add(line);
                    if (line.contains("Server listening on")) {
                        server.listening = true;
                        settled.countDown();
                    }
                }
            } catch (IOException e) {
                // process ended
            } finally {
                settled.countDown();
            }
        }, "openssh-server-log-" + port);
        reader.setDaemon(true);
        reader.start();
        try {
            // a hang guard only: sshd listens within milliseconds on an idle machine
            boolean done = settled.await(60, TimeUnit.SECONDS);
            if (done && server.listening) {
                return server;
            }
            server.close();
            String log = String.join("\n", server.log());
            if (log.contains("Address already in use")) {
                throw new PortTakenException("port " + port + " was taken before sshd could bind it: " + log);
            }
            throw new IOException("sshd did not start listening on 127.0.0.1:" + port + ": " + log);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.close();
            throw new IOException("interrupted while starting sshd", e);
        }
    }

    private static void run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(command.get(0) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    public int port() {
        return port;
    }

    public String host() {
        return "127.0.0.1";
    }

    /** The listening sshd's process id (its reaped session processes add to its children's CPU time). */
    public long pid() {
        return process.pid();
    }

    /** The user sshd lets in: the one running the test. */
    public String user() {
        return System.getProperty("user.name");
    }

    /** The server's host key, e.g. {@code ssh-ed25519 AAAA... tollgate-test-host}. */
    public String hostPublicKeyLine() {
        return hostPublicKeyLine;
    }

    /** A known_hosts file pinning this server's host key, for the OpenSSH client. */
    public Path knownHostsFile() {
        Path known = dir.resolve("known_hosts");
        try {
            Files.writeString(known, "[127.0.0.1]:" + port + " " + hostPublicKeyLine + "\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return known;
    }

    /** Whatever sshd printed so far (it logs to stderr with -e). */
    public List<String> log() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    @Override
    public void close() {
        Peers.stop(process);
    }
}
