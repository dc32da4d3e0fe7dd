package dev.tollgate.libvirt;

import dev.tollgate.testing.ManualClock;
import dev.tollgate.testing.Peers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;

/**
 * A real QEMU behind a real libvirt daemon for the driver's peer tests: {@code libvirtd} started by the
 * test in session mode as the unprivileged user {@code nobody} (uid 65534), every path of it in a
 * temporary directory, reached on its own socket ({@code qemu+unix:///session?socket=...}). As root,
 * {@code qemu:///session} means the system daemon, so the daemon is run as another user; root's
 * client may use its socket. QEMU runs with TCG (no KVM needed). The guest is the host's Debian kernel
 * with a busybox initramfs built here whose /init reads the agent's SMBIOS OEM strings and connects
 * back to the URL found there (see guest-init.sh). A dir storage pool in the temporary directory holds
 * the base image (made by qemu-img) and the agents' overlays.
 *
 * <p>Missing pieces fail the test with the Debian package to install, never skip it.
 */
final class QemuSessionPeer implements AutoCloseable {
    static final String POOL = "tollgate-test";
    /** The user-mode network's address of the host's loopback, as the guest sees it. */
    static final String HOST_FROM_GUEST = "10.0.2.2";
    private static final String NOBODY = "65534";
    /** A hang guard: libvirtd listens within a second or two. */
    private static final long READY_TIMEOUT_MS = 60_000;
    private static final List<String> GUEST_MODULES = List.of("kernel/drivers/net/ethernet/intel/e1000/e1000.ko",
            "kernel/drivers/virtio/virtio_pci.ko", "kernel/drivers/block/virtio_blk.ko");

    final ManualClock clock = new ManualClock();
    final Path dir;
    final Path kernel;
    final Path initrd;
    final Path basePath;
    final Path poolDir;
    final String uri;
    final Connect connect;
    private final Process daemon;
    private final Path daemonLog;
    private final List<LibvirtDriver> drivers = new ArrayList<>();
    private final Thread cleanup = new Thread(this::stopAll, "qemu-peer-cleanup");
    private boolean closed;

    QemuSessionPeer() throws Exception {
        Path libvirtd = Peers.requireExecutable("libvirt-daemon libvirt-daemon-driver-qemu", "/usr/sbin/libvirtd");
        Peers.requireExecutable("qemu-system-x86", "/usr/bin/qemu-system-x86_64");
        Path qemuImg = Peers.requireExecutable("qemu-utils", "/usr/bin/qemu-img");
        Path busybox = staticBusybox();
        kernel = kernel();
        String version = kernel.getFileName().toString().substring("vmlinuz-".length());

        // short: QEMU's monitor socket lands under the config home, and a UNIX socket path has 108 bytes
        dir = Files.createTempDirectory("tgl");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx")); // nobody writes here
        poolDir = Files.createDirectories(dir.resolve("pool"));
        Path home = Files.createDirectories(dir.resolve("home"));
        Path run = Files.createDirectories(dir.resolve("run"));
        Path config = Files.createDirectories(dir.resolve("c"));
        run("chown", "-R", NOBODY + ":" + NOBODY, poolDir.toString(), home.toString(), run.toString(), config.toString());

        initrd = dir.resolve("initrd.cpio");
        buildInitramfs(busybox, version, initrd);
        basePath = poolDir.resolve("base.qcow2");
        run(qemuImg.toString(), "create", "-q", "-f", "qcow2", basePath.toString(), "64M");
        run("chown", NOBODY + ":" + NOBODY, basePath.toString());

        daemonLog = dir.resolve("libvirtd.log");
        ProcessBuilder pb = new ProcessBuilder("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups",
                "env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=" + home, "XDG_RUNTIME_DIR=" + run,
                "XDG_CONFIG_HOME=" + dir.resolve("c"), "XDG_CACHE_HOME=" + home.resolve(".cache"),
                libvirtd.toString(), "--timeout=0")
                .redirectErrorStream(true).redirectOutput(daemonLog.toFile());
        daemon = pb.start();
        // a test JVM that is stopped (Ctrl-C, a killed build) still ends its guests and daemon
        Runtime.getRuntime().addShutdownHook(cleanup);
        Path socket = run.resolve("libvirt/libvirt-sock");
        uri = "qemu+unix:///session?socket=" + socket;
        connect = waitForDaemon(socket);
        StoragePool pool = connect.storagePoolCreateXML("<pool type='dir'><name>" + POOL + "</name><target><path>"
                + poolDir + "</path></target></pool>", 0);
        pool.free();
    }

    /** busybox-static's binary: the initramfs has no C library for a dynamic one. */
    private static Path staticBusybox() throws IOException {
        Path p = Peers.requireExecutable("busybox-static", "/bin/busybox", "/usr/bin/busybox");
        byte[] head = Files.readAllBytes(p);
        if (new String(head, StandardCharsets.ISO_8859_1).contains("/lib64/ld-linux")) {
            throw new AssertionError("test peer missing: " + p + " is linked dynamically; run `apt-get install -y "
                    + "busybox-static` (.ci/run does this)");
        }
        return p;
    }

    /** The newest /boot/vmlinuz-* whose modules are installed. */
    private static Path kernel() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/boot"))) {
            return s.filter(p -> p.getFileName().toString().startsWith("vmlinuz-"))
                    .filter(p -> Files.isReadable(p) && Files.isDirectory(Path.of("/lib/modules",
                            p.getFileName().toString().substring("vmlinuz-".length()))))
                    .max(Comparator.comparing(p -> p.getFileName().toString()))
                    .orElseThrow(() -> new AssertionError("test peer missing: no kernel in /boot with its modules; "
                            + "run `apt-get install -y linux-image-amd64` (.ci/run does this)"));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new AssertionError("test peer missing: no /boot; run `apt-get install -y linux-image-amd64`");
        }
    }

    /** The modules to load, each after what it depends on (from modules.dep). */
    private static List<String> loadOrder(Path modulesDir) throws IOException {
        Map<String, List<String>> deps = new LinkedHashMap<>();
        for (String line : Files.readAllLines(modulesDir.resolve("modules.dep"))) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                String rest = line.substring(colon + 1).trim();
                deps.put(line.substring(0, colon), rest.isEmpty() ? List.of() : List.of(rest.split("\\s+")));
            }
        }
        LinkedHashSet<String> order = new LinkedHashSet<>();
        for (String m : GUEST_MODULES) {
            visit(m, deps, order);
        }
        return new ArrayList<>(order);
    }

    private static void visit(String m, Map<String, List<String>> deps, LinkedHashSet<String> order) {
        if (order.contains(m)) {
            return;
        }
        List<String> d = deps.get(m);
        if (d == null) {
            throw new AssertionError("kernel module " + m + " not found (compressed modules are not handled)");
        }
        for (int i = d.size() - 1; i >= 0; i--) {
            visit(d.get(i), deps, order);
        }
        order.add(m);
    }

    private static void buildInitramfs(Path busybox, String kernelVersion, Path out) throws IOException {
        Path modulesDir = Path.of("/lib/modules", kernelVersion);
        List<String> modules = loadOrder(modulesDir);
        byte[] init;
        try (InputStream in = QemuSessionPeer.class.getResourceAsStream("guest-init.sh")) {
            init = in.readAllBytes();
        }
        try (OutputStream os = Files.newOutputStream(out);
             CpioArchiveOutputStream cpio = new CpioArchiveOutputStream(os, CpioConstants.FORMAT_NEW)) {
            dirEntry(cpio, "bin");
            dirEntry(cpio, "lib");
            fileEntry(cpio, "init", init, 0755);
            fileEntry(cpio, "bin/busybox", Files.readAllBytes(busybox), 0755);
            StringBuilder names = new StringBuilder();
            for (String m : modules) {
                String name = Path.of(m).getFileName().toString();
                fileEntry(cpio, "lib/" + name, Files.readAllBytes(modulesDir.resolve(m)), 0644);
                names.append(name).append('\n');
            }
            fileEntry(cpio, "lib/load-order", names.toString().getBytes(StandardCharsets.US_ASCII), 0644);
        }
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-r--r--"));
    }

    private static void dirEntry(CpioArchiveOutputStream cpio, String name) throws IOException {
        CpioArchiveEntry e = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, name);
        e.setMode(CpioConstants.C_ISDIR | 0755);
        e.setNumberOfLinks(2);
        cpio.putArchiveEntry(e);
        cpio.closeArchiveEntry();
    }

    private static void fileEntry(CpioArchiveOutputStream cpio, String name, byte[] data, int mode) throws IOException {
        CpioArchiveEntry e = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, name, data.length);
        e.setMode(CpioConstants.C_ISREG | mode);
        e.setNumberOfLinks(1);
        cpio.putArchiveEntry(e);
        cpio.write(data);
        cpio.closeArchiveEntry();
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    private Connect waitForDaemon(Path socket) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
        while (System.nanoTime() < deadline) {
            if (!daemon.isAlive()) {
                throw new IllegalStateException("libvirtd exited with " + daemon.exitValue() + ": " + log());
            }
            if (Files.exists(socket)) {
                try {
                    return new Connect(uri, false);
                } catch (LibvirtException e) {
                    // the socket file appears just before the daemon accepts on it: try again
                }
            }
            Thread.sleep(20); // polling a starting process; bounded by the deadline
        }
        close();
        throw new IllegalStateException("libvirtd did not answer on " + socket + " within " + READY_TIMEOUT_MS + " ms: " + log());
    }

    String log() {
        try {
            return Files.readString(daemonLog);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** A domain XML template for the test guest: direct kernel boot, overlay disk, user-mode NIC, serial log. */
    String domainXml() {
        return """
                <domain type='qemu'>
                  <name>{{name}}</name>
                  <memory unit='MiB'>{{memoryMib}}</memory>
                  <vcpu>{{vcpus}}</vcpu>
                  <os>
                    <type arch='x86_64' machine='pc'>hvm</type>
                    <kernel>%s</kernel>
                    <initrd>%s</initrd>
                    <cmdline>console=ttyS0 panic=-1</cmdline>
                  </os>
                  <on_poweroff>destroy</on_poweroff>
                  <devices>
                    <disk type='file' device='disk'>
                      <driver name='qemu' type='qcow2'/>
                      <source file='{{disk}}'/>
                      <target dev='vda' bus='virtio'/>
                    </disk>
                    <interface type='user'><mac address='{{mac}}'/><model type='e1000'/></interface>
                    <serial type='file'><source path='%s/{{name}}.console'/><target port='0'/></serial>
                  </devices>
                </domain>
                """.formatted(kernel, initrd, dir);
    }

    LibvirtOptions.Builder overlayOptions() {
        return LibvirtOptions.builder().domainXml(domainXml()).baseImage(basePath.toString()).storagePool(POOL)
                .memoryMib(256).vcpus(1);
    }

    /** A driver with its own real connection to the daemon (the daemon keeps the state, not the connection). */
    LibvirtDriver driver(LibvirtCloudConfig config) {
        LibvirtDriver d = LibvirtDriver.connect(config, clock);
        drivers.add(d);
        return d;
    }

    String console(String domain) {
        try {
            return Files.readString(dir.resolve(domain + ".console"));
        } catch (IOException e) {
            return "(no console log: " + e + ")";
        }
    }

    /** Every domain and every volume in the pool but the base image. */
    List<String> everything() throws LibvirtException {
        TreeSet<String> out = new TreeSet<>();
        for (String n : connect.listDefinedDomains()) {
            out.add("domain " + n);
        }
        for (int id : connect.listDomains()) {
            var d = connect.domainLookupByID(id);
            try {
                out.add("domain " + d.getName());
            } finally {
                d.free();
            }
        }
        StoragePool pool = connect.storagePoolLookupByName(POOL);
        try {
            pool.refresh(0);
            for (String v : pool.listVolumes()) {
                out.add("volume " + POOL + "/" + v);
            }
        } finally {
            pool.free();
        }
        out.remove("volume " + POOL + "/base.qcow2");
        return new ArrayList<>(out);
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // shutting down already (the hook runs), or it was never added
        }
        stopAll();
    }

    private synchronized void stopAll() {
        if (closed) {
            return;
        }
        closed = true;
        drivers.forEach(LibvirtDriver::close);
        if (connect != null) {
            try {
                // QEMU outlives its daemon: end every guest first
                for (int id : connect.listDomains()) {
                    var d = connect.domainLookupByID(id);
                    try {
                        d.destroy();
                    } finally {
                        d.free();
                    }
                }
                connect.close();
            } catch (LibvirtException e) {
                // the daemon is stopped below either way
            }
        }
        if (daemon != null) {
            Peers.stop(daemon);
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
