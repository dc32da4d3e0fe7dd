package dev.tollgate.pipeline.gerrit;

import dev.tollgate.testing.Peers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Starts the real Gerrit of {@code test-peers/gerrit} in its own JVM (its fat jars must not meet
 * this classpath), waits for the file in which it writes its ports and admin credentials, and
 * stops it. One per test JVM: {@link #shared()} starts it at first use and a shutdown hook stops
 * it; closing the child's stdin also stops it should this JVM die.
 */
public final class GerritPeerProcess implements AutoCloseable {
    private static final Duration START_LIMIT = Duration.ofSeconds(240); // ~15 s on an idle 2-core machine, 53 s seen under heavy load
    private static GerritPeerProcess shared;

    private final Path dir;
    private final Process process;
    private final OutputStream stdin;
    public final String httpUrl;
    public final String sshHost;
    public final int sshPort;
    public final String adminUser;
    public final String adminHttpPassword;
    /** The server's SSH host key, {@code type base64}, read from Gerrit's own SshInfo. */
    public final String sshHostKey;
    /** admin's private key (OpenSSH form, ed25519), registered on the server by the peer. */
    public final String adminPrivateKey;
    public final Path adminPrivateKeyFile;
    public final Duration startTime;

    public static synchronized GerritPeerProcess shared() throws Exception {
        if (shared == null) {
            shared = new GerritPeerProcess();
            GerritPeerProcess p = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(p::close, "gerrit-peer-stop"));
        }
        return shared;
    }

    private GerritPeerProcess() throws Exception {
        Path keygen = Peers.requireExecutable("openssh-client", "/usr/bin/ssh-keygen");
        dir = Files.createTempDirectory("gerrit-peer");
        adminPrivateKeyFile = dir.resolve("id_ed25519");
        run(keygen.toString(), "-q", "-t", "ed25519", "-N", "", "-C", "tollgate-test", "-f", adminPrivateKeyFile.toString());
        adminPrivateKey = Files.readString(adminPrivateKeyFile);

        Path cpFile = Path.of(requiredProperty("gerrit.peer.classpathFile"));
        Path classes = Path.of(requiredProperty("gerrit.peer.classesDir"));
        if (!Files.isRegularFile(cpFile) || !Files.isDirectory(classes)) {
            throw new AssertionError("Gerrit test peer not built: " + cpFile + " / " + classes
                    + " missing; run `mvn -B -q -pl test-peers/gerrit install` first");
        }
        String cp = Files.readString(cpFile).strip() + java.io.File.pathSeparator + classes;
        Path info = dir.resolve("gerrit.properties");
        Path log = dir.resolve("gerrit.log");
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx768m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dgerrit.peer.sshPublicKey=" + adminPrivateKeyFile + ".pub",
                "-Dgerrit.peer.infoFile=" + info,
                "-Dgerrit.peer.stopFile=" + dir.resolve("stop"),
                "-cp", cp, "dev.tollgate.peers.gerrit.GerritPeerServer"));
        long t0 = System.nanoTime();
        process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        stdin = process.getOutputStream();
        long deadline = t0 + START_LIMIT.toNanos();
        while (!Files.exists(info)) {
            if (!process.isAlive()) {
                throw new AssertionError("Gerrit peer exited with " + process.exitValue() + ":\n" + tail(log));
            }
            if (System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new AssertionError("Gerrit peer not up within " + START_LIMIT + ":\n" + tail(log));
            }
            process.waitFor(100, TimeUnit.MILLISECONDS); // bounded wait on the child, not a sleep
        }
        startTime = Duration.ofNanos(System.nanoTime() - t0);
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(info)) {
            p.load(in);
        }
        httpUrl = p.getProperty("httpUrl");
        sshHost = p.getProperty("sshHost");
        sshPort = Integer.parseInt(p.getProperty("sshPort"));
        adminUser = p.getProperty("adminUser");
        adminHttpPassword = p.getProperty("adminHttpPassword");
        sshHostKey = p.getProperty("sshHostKey");
        System.err.println("Gerrit peer up in " + startTime.toMillis() + " ms: " + httpUrl + ", ssh " + sshPort);
    }

    public SshKeyCredentials sshCredentials() {
        return new SshKeyCredentials(adminUser, adminPrivateKey, null);
    }

    public HttpCredentials httpCredentials() {
        return new HttpCredentials(adminUser, adminHttpPassword);
    }

    private static String requiredProperty(String name) {
        String v = System.getProperty(name);
        if (v == null) {
            throw new AssertionError("system property " + name + " not set (surefire sets it from the pom)");
        }
        return v;
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " failed: " + out);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public synchronized void close() {
        if (process.isAlive()) {
            try {
                Files.writeString(dir.resolve("stop"), "stop");
                stdin.close();
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (IOException | InterruptedException e) {
                process.destroyForcibly();
            }
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }
}
