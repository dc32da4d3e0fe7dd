package dev.tollgate.pipeline.merger;

import dev.tollgate.testing.Peers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The real Gerrit of {@code test-peers/gerrit}, started in its own JVM for one test class and
 * stopped after it. It has project {@code openstack/neutron} (one empty commit on master), an admin
 * with an HTTP password and our ed25519 key, and tells its ports and SSH host key in a file.
 */
final class GerritPeer implements AutoCloseable {
    private static final Duration START_LIMIT = Duration.ofSeconds(240);

    final Path dir;
    final String httpUrl;
    final String sshHost;
    final int sshPort;
    final String adminUser;
    final String adminHttpPassword;
    /** {@code TYPE BASE64}, from Gerrit's own SshInfo. */
    final String sshHostKey;
    final String adminPrivateKey;
    private final Process process;
    private final OutputStream stdin;

    GerritPeer() throws Exception {
        Path keygen = Peers.requireExecutable("openssh-client", "/usr/bin/ssh-keygen");
        dir = Files.createTempDirectory("gerrit-peer");
        Path key = dir.resolve("id_ed25519");
        Process kg = new ProcessBuilder(keygen.toString(), "-q", "-t", "ed25519", "-N", "", "-C", "merger-test", "-f",
                key.toString()).redirectErrorStream(true).start();
        if (!kg.waitFor(30, TimeUnit.SECONDS) || kg.exitValue() != 0) {
            throw new AssertionError("ssh-keygen failed: " + new String(kg.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        adminPrivateKey = Files.readString(key);
        Path cpFile = Path.of(property("gerrit.peer.classpathFile"));
        Path classes = Path.of(property("gerrit.peer.classesDir"));
        if (!Files.isRegularFile(cpFile) || !Files.isDirectory(classes)) {
            throw new AssertionError("Gerrit test peer not built: " + cpFile + " / " + classes + " missing");
        }
        Path info = dir.resolve("gerrit.properties");
        Path log = dir.resolve("gerrit.log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx768m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dgerrit.peer.sshPublicKey=" + key + ".pub", "-Dgerrit.peer.infoFile=" + info,
                "-Dgerrit.peer.stopFile=" + dir.resolve("stop"),
                "-cp", Files.readString(cpFile).strip() + java.io.File.pathSeparator + classes,
                "dev.tollgate.peers.gerrit.GerritPeerServer"));
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        stdin = process.getOutputStream();
        while (!Files.exists(info)) { // written atomically once the server is ready
            if (!process.isAlive()) {
                throw new AssertionError("Gerrit peer exited with " + process.exitValue() + ":\n" + tail(log));
            }
            if (System.nanoTime() > deadline) {
                close();
                throw new AssertionError("Gerrit peer not up within " + START_LIMIT + ":\n" + tail(log));
            }
            process.waitFor(100, TimeUnit.MILLISECONDS); // a bounded wait on the child, not a sleep
        }
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
    }

    String sshUrl() {
        return "ssh://" + adminUser + "@" + sshHost + ":" + sshPort;
    }

    /** Authenticated HTTP git URL base (Gerrit's {@code /a/} prefix). */
    String httpGitUrl() {
        return httpUrl + "/a";
    }

    /** The same with the admin's credentials in it, for the git command. */
    String httpGitUrlWithPassword() {
        return httpUrl.replace("http://", "http://" + adminUser + ":" + adminHttpPassword + "@") + "/a";
    }

    private static String property(String name) {
        String v = System.getProperty(name);
        if (v == null) {
            throw new AssertionError("system property " + name + " not set (surefire sets it from the pom)");
        }
        return v;
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
    public void close() {
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
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }
}
