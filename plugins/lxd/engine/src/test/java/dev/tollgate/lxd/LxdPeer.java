package dev.tollgate.lxd;

import dev.tollgate.testing.Peers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real LXD (or Incus) daemon for one test class: its own {@code LXD_DIR} ({@code INCUS_DIR}) in a
 * temporary directory, a {@code dir} storage pool and no network (preseeded), and one image built here
 * from Debian's busybox-static (a rootfs with busybox, its applets and an {@code /sbin/init} that
 * sleeps), imported under {@link #IMAGE}. Start it in {@code @BeforeClass}, {@link #close()} it in
 * {@code @AfterClass}. A missing daemon or {@code busybox-static} fails the test (never a skip). Needs
 * root (containers).
 *
 * <p>Every wait is explicit: {@code waitready}, and each client command runs to its end. LXD and Incus
 * differ here only in names ({@link Flavor}); both can run side by side, each in its own directory.
 */
public final class LxdPeer implements AutoCloseable {
    static final String IMAGE = "tollgate-busybox";
    private static final long COMMAND_TIMEOUT_S = 120;

    /** The names by which the daemon, its client and its admin commands differ. */
    public enum Flavor {
        LXD("LXD", "lxd", "LXD_DIR", List.of("/usr/bin/lxd", "/usr/sbin/lxd"), "/usr/bin/lxc", List.of(),
                List.of("config", "trust", "add")),
        // Debian's incus-base: the daemon lives in libexec; admin commands belong to the client, and
        // "trust add" makes a join token there, so a certificate file goes through add-certificate
        INCUS("Incus", "incus-base", "INCUS_DIR", List.of("/usr/libexec/incus/incusd", "/usr/lib/incus/incusd",
                "/usr/bin/incusd"), "/usr/bin/incus", List.of("admin"), List.of("config", "trust", "add-certificate"));

        /** How the daemon names itself ({@code environment.server} in {@code GET /1.0}, capitalised). */
        final String product;
        final String pkg;
        final String dirVariable;
        final List<String> daemonPaths;
        final String clientPath;
        final List<String> adminPrefix;
        final List<String> trustCertificate;

        Flavor(String product, String pkg, String dirVariable, List<String> daemonPaths, String clientPath,
                List<String> adminPrefix, List<String> trustCertificate) {
            this.product = product;
            this.trustCertificate = trustCertificate;
            this.pkg = pkg;
            this.dirVariable = dirVariable;
            this.daemonPaths = daemonPaths;
            this.clientPath = clientPath;
            this.adminPrefix = adminPrefix;
        }
    }

    final Flavor flavor;
    final Path dir;
    final Path lxdDir;
    private final Process daemon;
    private final Path daemonExe;
    private final Path lxc;
    private String httpsUrl;

    private LxdPeer(Flavor flavor, Path dir, Path lxdDir, Process daemon, Path daemonExe, Path lxc) {
        this.flavor = flavor;
        this.dir = dir;
        this.lxdDir = lxdDir;
        this.daemon = daemon;
        this.daemonExe = daemonExe;
        this.lxc = lxc;
    }

    /** Starts an LXD daemon, preseeds it and imports the busybox image. */
    public static LxdPeer start() throws Exception {
        return start(Flavor.LXD);
    }

    /** Starts an LXD or Incus daemon, preseeds it and imports the busybox image. */
    public static LxdPeer start(Flavor flavor) throws Exception {
        Path lxd = Peers.requireExecutable(flavor.pkg, flavor.daemonPaths.toArray(String[]::new));
        Path lxc = Peers.requireExecutable(flavor.pkg, flavor.clientPath);
        Path busybox = Peers.requireExecutable("busybox-static", "/bin/busybox", "/usr/bin/busybox");
        if (!isStatic(busybox)) {
            throw new AssertionError("test peer missing: " + busybox + " is not statically linked; run "
                    + "`apt-get install -y busybox-static` (.ci/run does this)");
        }
        // short: the daemon's unix socket path must stay under 108 bytes
        Path dir = Files.createTempDirectory(Path.of("/tmp"), flavor == Flavor.LXD ? "lxdpeer" : "incuspeer");
        // the containers' root (a mapped uid) must be able to walk through to their rootfs
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        Path lxdDir = Files.createDirectories(dir.resolve("d"));
        ProcessBuilder pb = new ProcessBuilder(lxd.toString(), "--group", "root", "--logfile",
                dir.resolve("lxd.log").toString());
        pb.environment().put(flavor.dirVariable, lxdDir.toString());
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("lxd.out").toFile());
        Process daemon = pb.start();
        LxdPeer peer = new LxdPeer(flavor, dir, lxdDir, daemon, lxd, lxc);
        try {
            peer.run(null, peer.admin("waitready", "--timeout", "60"));
            peer.run(String.join("\n",
                    "config: {}",
                    "storage_pools:",
                    "- name: default",
                    "  driver: dir",
                    "profiles:",
                    "- name: default",
                    "  devices:",
                    "    root:",
                    "      path: /",
                    "      pool: default",
                    "      type: disk",
                    ""), peer.admin("init", "--preseed"));
            peer.run(null, lxc.toString(), "image", "import", peer.buildImage(busybox).toString(), "--alias", IMAGE);
            return peer;
        } catch (Exception | AssertionError e) {
            peer.close();
            throw e;
        }
    }

    /** An admin command: {@code lxd CMD ...} for LXD, {@code incus admin CMD ...} for Incus. */
    private String[] admin(String... args) {
        List<String> cmd = new ArrayList<>();
        if (flavor.adminPrefix.isEmpty()) {
            cmd.add(daemonExe.toString());
        } else {
            cmd.add(lxc.toString());
            cmd.addAll(flavor.adminPrefix);
        }
        cmd.addAll(List.of(args));
        return cmd.toArray(String[]::new);
    }

    private static boolean isStatic(Path exe) throws IOException {
        // a dynamically linked ELF names its loader (PT_INTERP); a static one does not
        byte[] head = Files.readAllBytes(exe);
        String s = new String(head, 0, Math.min(head.length, 4096), StandardCharsets.ISO_8859_1);
        return !s.contains("/lib64/ld-linux") && !s.contains("/lib/ld-linux");
    }

    /** A unified image tarball: metadata.yaml and a busybox rootfs whose init sleeps. */
    private Path buildImage(Path busybox) throws Exception {
        Path img = Files.createDirectories(dir.resolve("image"));
        Path root = img.resolve("rootfs");
        for (String d : List.of("bin", "sbin", "etc", "tmp", "root", "dev", "proc", "sys", "run", "var/tmp")) {
            Files.createDirectories(root.resolve(d));
        }
        Files.copy(busybox, root.resolve("bin/busybox"));
        for (String applet : List.of("sh", "sleep", "env", "cat", "ls", "mkdir", "mv", "echo", "id", "ps", "tr")) {
            Files.createSymbolicLink(root.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        Path init = root.resolve("sbin/init");
        Files.writeString(init, "#!/bin/sh\nexec /bin/sleep 2147483647\n");
        Files.setPosixFilePermissions(init, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Files.writeString(img.resolve("metadata.yaml"), "architecture: x86_64\ncreation_date: 1764288000\n"
                + "properties:\n  description: tollgate test image (busybox)\n  os: busybox\n");
        Path tarball = dir.resolve("busybox-image.tar.gz");
        run(null, "tar", "-C", img.toString(), "-czf", tarball.toString(), "metadata.yaml", "rootfs");
        return tarball;
    }

    /** The daemon's unix socket. */
    public Path socket() {
        return lxdDir.resolve("unix.socket");
    }

    /** The daemon's own certificate (what a pin is taken from). */
    public X509Certificate serverCertificate() throws Exception {
        return HttpsTransport.certificate(Files.readString(lxdDir.resolve("server.crt")));
    }

    /** Listens on HTTPS at 127.0.0.1 (once), and returns the URL. */
    public synchronized URI https() throws Exception {
        if (httpsUrl == null) {
            int port = Peers.freePort();
            lxc("config", "set", "core.https_address", "127.0.0.1:" + port);
            httpsUrl = "https://127.0.0.1:" + port;
        }
        return URI.create(httpsUrl);
    }

    /** Trusts a client certificate (PEM) for HTTPS. */
    public void trust(String certPem, String name) throws Exception {
        Path f = dir.resolve(name + ".crt");
        Files.writeString(f, certPem);
        List<String> args = new ArrayList<>(flavor.trustCertificate);
        args.addAll(List.of(f.toString(), "--name", name));
        lxc(args.toArray(String[]::new));
    }

    /** A client certificate and PKCS#8 key made with openssl: {cert PEM, key PEM}. */
    public String[] newClientCertificate(String name) throws Exception {
        Path openssl = Peers.requireExecutable("openssl", "/usr/bin/openssl");
        Path key = dir.resolve(name + ".key");
        Path crt = dir.resolve(name + ".pem");
        run(null, openssl.toString(), "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-keyout", key.toString(), "-out", crt.toString(), "-days", "30", "-subj", "/CN=" + name);
        return new String[] {Files.readString(crt), Files.readString(key)};
    }

    /** Runs the client ({@code lxc} or {@code incus}) against this daemon; returns its output. */
    public String lxc(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(lxc.toString());
        cmd.addAll(List.of(args));
        return run(null, cmd.toArray(String[]::new));
    }

    private String run(String stdin, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put(flavor.dirVariable, lxdDir.toString());
        pb.environment().put("HOME", dir.toString()); // the client keeps its own config there, not in ~/.config
        pb.redirectErrorStream(true);
        Path out = Files.createTempFile(dir, "cmd", ".out");
        pb.redirectOutput(out.toFile());
        if (stdin == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        }
        Process p = pb.start();
        if (stdin != null) {
            try (var in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!p.waitFor(COMMAND_TIMEOUT_S, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not end in " + COMMAND_TIMEOUT_S + " s");
        }
        String text = Files.readString(out);
        Files.delete(out);
        if (p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + text
                    + "\n--- lxd.log:\n" + log());
        }
        return text;
    }

    String log() {
        try {
            Path l = dir.resolve("lxd.log");
            return Files.exists(l) ? Files.readString(l) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Shuts the daemon down (its containers stop), then removes its directory. */
    @Override
    public void close() {
        try {
            if (daemon.isAlive()) {
                ProcessBuilder pb = new ProcessBuilder(admin("shutdown", "--timeout", "30"));
                pb.environment().put(flavor.dirVariable, lxdDir.toString());
                pb.environment().put("HOME", dir.toString());
                pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
                Process p = pb.start();
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        } catch (IOException e) {
            // the daemon is stopped below either way
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            Peers.stop(daemon);
            keepLogs();
            unmountUnder(dir);
            deleteTree(dir);
        }
    }

    /** The daemon's and the containers' logs go to target/lxd-peer-logs, for a failure's post-mortem. */
    private void keepLogs() {
        try {
            Path to = Files.createDirectories(Path.of("target", "lxd-peer-logs", dir.getFileName().toString()));
            for (Path f : List.of(dir.resolve("lxd.log"), dir.resolve("lxd.out"))) {
                if (Files.exists(f)) {
                    Files.copy(f, to.resolve(f.getFileName()));
                }
            }
            Path logs = lxdDir.resolve("logs");
            if (Files.isDirectory(logs)) {
                try (Stream<Path> s = Files.walk(logs)) {
                    for (Path f : s.filter(Files::isRegularFile).toList()) {
                        Path target = to.resolve(logs.relativize(f).toString());
                        Files.createDirectories(target.getParent());
                        Files.copy(f, target);
                    }
                }
            }
        } catch (IOException e) {
            // logs are a help, not a result
        }
    }

    private static void unmountUnder(Path dir) {
        try {
            List<String> mounts = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
                String[] f = line.split(" ");
                if (f.length > 1 && f[1].startsWith(dir.toString())) {
                    mounts.add(f[1]);
                }
            }
            mounts.sort(Comparator.comparing(String::length).reversed());
            for (String m : mounts) {
                new ProcessBuilder("umount", "-l", m).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(30, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // a file the daemon still held: left in /tmp, reported by nobody
                }
            });
        } catch (IOException e) {
            // as above
        }
    }
}
