package dev.tollgate.logs;

import dev.tollgate.common.Sleeper;
import dev.tollgate.testing.FaultyTcpProxy;
import dev.tollgate.testing.OpenSshServer;
import dev.tollgate.testing.Peers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Not a test: uploads one generated devstack-like log tree to one OpenSSH sshd on loopback with this
 * publisher (the tar stream it picks by default; SFTP with N channels, with and without gzip),
 * {@code scp -r} and {@code rsync -a} over ssh, each into a fresh remote directory, checks every copy
 * against the source, and prints a table. With a round-trip time, every tool goes through a
 * {@link FaultyTcpProxy} that delays each direction by half of it, as a long link would.
 *
 * <pre>scripts/bench plugins/scp-logs/engine dev.tollgate.logs.LogUploadBenchmark [files=3000] [MB=60] [channels=4] [rounds=3] [rttMs=0] [scpRounds=rounds]</pre>
 */
public final class LogUploadBenchmark {
    private LogUploadBenchmark() {}

    public static void main(String[] args) throws Exception {
        int files = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
        int megabytes = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        int channels = args.length > 2 ? Integer.parseInt(args[2]) : PublisherSettings.defaults().channels();
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        int rttMs = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        int scpRounds = args.length > 5 ? Integer.parseInt(args[5]) : rounds;
        Path work = Files.createTempDirectory("log-upload-bench");
        try {
            run(work, files, megabytes, channels, rounds, rttMs, scpRounds);
        } finally {
            MinaLogServer.deleteTree(work);
        }
    }

    private static void run(Path work, int files, int megabytes, int channels, int rounds, int rttMs, int scpRounds)
            throws Exception {
        Path src = work.resolve("src");
        long bytes = generate(src, files, megabytes * 1_000_000L);
        Map<String, String> sums = TestTrees.checksums(src);
        int count = sums.size();
        System.out.printf(Locale.ROOT, "tree: %d files, %.1f MB in %s; %d cores; round trip %d ms%n", count,
                bytes / 1e6, src, Runtime.getRuntime().availableProcessors(), rttMs);

        Path keygen = Peers.requireExecutable("openssh-client", "/usr/bin/ssh-keygen");
        Path scp = Peers.requireExecutable("openssh-client", "/usr/bin/scp");
        Path rsync = Peers.requireExecutable("rsync", "/usr/bin/rsync");
        Path keyDir = Files.createDirectories(work.resolve("client"));
        Path key = keyDir.resolve("id");
        exec(List.of(keygen.toString(), "-q", "-t", "ecdsa", "-b", "256", "-N", "", "-f", key.toString()));
        String pub = Files.readString(keyDir.resolve("id.pub"), StandardCharsets.US_ASCII).trim();
        Path remote = Files.createDirectories(work.resolve("remote"));
        try (OpenSshServer sshd = OpenSshServer.start(work.resolve("sshd"), List.of(pub));
                FaultyTcpProxy proxy = new FaultyTcpProxy("127.0.0.1", sshd.port())) {
            // every tool connects through the proxy; with no delay it only adds a loopback hop
            proxy.delay(Duration.ofNanos(rttMs * 500_000L), Duration.ofNanos(rttMs * 500_000L));
            int port = rttMs > 0 ? proxy.port() : sshd.port();
            Path known = work.resolve("known_hosts");
            Files.writeString(known, "[127.0.0.1]:" + port + " " + sshd.hostPublicKeyLine() + "\n");
            String sshOpts = "-i " + key + " -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile="
                    + known;
            String target = sshd.user() + "@127.0.0.1:";
            LogHost host = LogHost.of("bench", "127.0.0.1", port, remote.toString(), sshd.user(), "k",
                    sshd.hostPublicKeyLine(), "http://127.0.0.1/logs/");
            String keyText = Files.readString(key, StandardCharsets.US_ASCII);
            CredentialSource creds = id -> Credential.privateKey(keyText, null);

            // A Jenkins controller is a long-running JVM: warm it up, timing the first, cold run
            // separately. The JIT needs several runs: AES-GCM, for one, is several times slower before
            // the JDK's intrinsics are compiled in, and one publish encrypts only some 10-60 MB.
            for (int i = 0; i < 10; i++) {
                long t0 = System.nanoTime();
                Protocol p = i % 2 == 0 ? Protocol.AUTO : Protocol.SFTP;
                PublishResult r = publisher(creds, channels, p).publish(host, PublishRequest.builder().source(src)
                        .gzip(i % 3 == 2).destination("warmup-" + i).build(), TransferListener.NONE);
                System.out.printf(Locale.ROOT, "warm-up run %d (%s%s): %.2f s%n", i + 1, r.protocol(),
                        i % 3 == 2 ? ", gzip" : "", (System.nanoTime() - t0) / 1e9);
            }
            MinaLogServer.deleteTree(remote);
            Files.createDirectories(remote);

            // rounds interleave the tools, so a burst of load from other processes hits all of them
            Map<String, List<Double>> seconds = new java.util.LinkedHashMap<>();
            Map<String, List<double[]>> cpu = new java.util.HashMap<>(); // {client, server} CPU seconds
            long sshdPid = sshd.pid();
            Map<String, Long> sentBytes = new java.util.HashMap<>();
            for (int round = 1; round <= rounds; round++) {
                String tag = "r" + round;
                timePublisher(seconds, cpu, sshdPid, sentBytes, creds, host, src, remote, sums, Protocol.AUTO,
                        channels, false, tag);
                timePublisher(seconds, cpu, sshdPid, sentBytes, creds, host, src, remote, sums, Protocol.AUTO,
                        channels, true, tag);
                timePublisher(seconds, cpu, sshdPid, sentBytes, creds, host, src, remote, sums, Protocol.SFTP,
                        channels, false, tag);
                if (rttMs == 0) {
                    timePublisher(seconds, cpu, sshdPid, sentBytes, creds, host, src, remote, sums, Protocol.SFTP,
                            channels, true, tag);
                    timePublisher(seconds, cpu, sshdPid, sentBytes, creds, host, src, remote, sums, Protocol.SFTP, 1,
                            false, tag);
                }
                if (round <= scpRounds) {
                    // the target does not exist yet: scp -r creates it as the copy of src
                    timeTool(seconds, cpu, sshdPid, "scp -r", sums, remote.resolve("scp-" + tag),
                            List.of("sh", "-c", scp + " -q -r -P " + port + " " + sshOpts + " " + src + " " + target
                                    + remote.resolve("scp-" + tag)));
                }
                timeTool(seconds, cpu, sshdPid, "rsync -a", sums, remote.resolve("rsync-" + tag), List.of(
                        rsync.toString(), "-a", "-e", "ssh -p " + port + " " + sshOpts, src + "/",
                        target + remote.resolve("rsync-" + tag)));
                MinaLogServer.deleteTree(remote); // keep the disk small between rounds
                Files.createDirectories(remote);
            }
            double scpMedian = seconds.containsKey("scp -r") ? median(seconds.get("scp -r")) : Double.NaN;
            double rsyncMedian = median(seconds.get("rsync -a"));
            System.out.printf(Locale.ROOT, "%n%d rounds (scp -r in %d), median (min) seconds, round trip %d ms%n",
                    rounds, Math.min(rounds, scpRounds), rttMs);
            System.out.printf(Locale.ROOT, "| %-46s | %5s | %5s | %-15s | %6s | %7s | %8s | %-17s |%n", "tool", "files",
                    "MB", "seconds", "MB/s", "vs scp", "vs rsync", "CPU s client+sshd");
            System.out.printf(Locale.ROOT, "|%s|%s|%s|%s|%s|%s|%s|%s|%n", "-".repeat(48), "-".repeat(7), "-".repeat(7),
                    "-".repeat(17), "-".repeat(8), "-".repeat(9), "-".repeat(10), "-".repeat(19));
            for (Map.Entry<String, List<Double>> e : seconds.entrySet()) {
                double med = median(e.getValue());
                double min = e.getValue().stream().mapToDouble(Double::doubleValue).min().orElse(0);
                String name = e.getKey() + (sentBytes.containsKey(e.getKey())
                        ? String.format(Locale.ROOT, " (%.1f MB sent)", sentBytes.get(e.getKey()) / 1e6) : "");
                List<double[]> c = cpu.get(e.getKey());
                double client = median(c.stream().map(x -> x[0]).toList());
                double server = median(c.stream().map(x -> x[1]).toList());
                System.out.printf(Locale.ROOT,
                        "| %-46s | %5d | %5.1f | %6.2f (%6.2f) | %6.1f | %6.1fx | %7.2fx | %5.2f + %5.2f     |%n",
                        name, count, bytes / 1e6, med, min, bytes / 1e6 / med, scpMedian / med, rsyncMedian / med,
                        client, server);
            }
            System.out.println("all runs: " + seconds);
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        java.util.Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /**
     * CPU seconds of a process from /proc: {own, reaped children}. For sshd it first waits (up to 5 s)
     * until the session processes of the last run are gone, so their CPU time has been added.
     */
    static double[] cpuOf(String pid) throws IOException {
        if (!pid.equals("self")) {
            long until = System.nanoTime() + 5_000_000_000L;
            while (hasChildren(pid) && System.nanoTime() < until) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        String stat = Files.readString(Path.of("/proc", pid, "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // fields after the name start at 3 (state): utime=14, stime=15, cutime=16, cstime=17
        double hz = 100.0; // USER_HZ on Linux
        return new double[] {(Long.parseLong(f[11]) + Long.parseLong(f[12])) / hz,
            (Long.parseLong(f[13]) + Long.parseLong(f[14])) / hz};
    }

    private static boolean hasChildren(String pid) throws IOException {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                if (!p.getFileName().toString().matches("[0-9]+")) {
                    continue;
                }
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    if (f[1].equals(pid)) {
                        return true;
                    }
                } catch (IOException gone) {
                    // exited meanwhile
                }
            }
        }
        return false;
    }

    private static void timePublisher(Map<String, List<Double>> seconds, Map<String, List<double[]>> cpu,
            long sshdPid, Map<String, Long> sentBytes, CredentialSource creds, LogHost host, Path src, Path remote,
            Map<String, String> sums, Protocol protocol, int channels, boolean gzip, String tag) throws Exception {
        String dest = "publisher-" + protocol + "-" + channels + (gzip ? "-gzip-" : "-") + tag;
        double[] self0 = cpuOf("self");
        double[] sshd0 = cpuOf(Long.toString(sshdPid));
        long t0 = System.nanoTime();
        PublishResult r = publisher(creds, channels, protocol).publish(host, PublishRequest.builder().source(src)
                .destination(dest).gzip(gzip).build(), TransferListener.NONE);
        double s = (System.nanoTime() - t0) / 1e9;
        double[] self1 = cpuOf("self");
        double[] sshd1 = cpuOf(Long.toString(sshdPid));
        if (r.outcome() != PublishResult.Outcome.COMPLETE || r.files() != sums.size()) {
            throw new IllegalStateException("publisher run incomplete: " + r);
        }
        checkCopy(r.protocol() + " publish", sums, remote.resolve(dest), gzip);
        String name = "publisher " + (r.protocol() == Protocol.TAR ? "tar stream" : r.protocol() + ", " + channels
                + " channel" + (channels > 1 ? "s" : "")) + (gzip ? ", gzip" : "");
        seconds.computeIfAbsent(name, k -> new ArrayList<>()).add(s);
        cpu.computeIfAbsent(name, k -> new ArrayList<>()).add(new double[] {self1[0] - self0[0],
            sshd1[0] + sshd1[1] - sshd0[0] - sshd0[1]});
        if (gzip) {
            sentBytes.put(name, r.bytesSent());
        }
    }

    /** The copy holds exactly the source's files and bytes (gunzipped where the publisher gzipped). */
    private static void checkCopy(String what, Map<String, String> sums, Path copy, boolean gzipped)
            throws IOException {
        Map<String, String> got = new java.util.TreeMap<>();
        for (Map.Entry<String, String> e : TestTrees.checksums(copy).entrySet()) {
            String name = e.getKey();
            if (gzipped && name.endsWith(".gz") && !sums.containsKey(name)) {
                got.put(name.substring(0, name.length() - 3), TestTrees.sha256(TestTrees.gunzip(copy.resolve(name))));
            } else {
                got.put(name, e.getValue());
            }
        }
        if (!got.equals(sums)) {
            throw new IllegalStateException(what + ": the copy in " + copy + " differs from the source");
        }
    }

    private static void timeTool(Map<String, List<Double>> seconds, Map<String, List<double[]>> cpu, long sshdPid,
            String name, Map<String, String> sums, Path dest, List<String> command) throws Exception {
        double[] self0 = cpuOf("self");
        double[] sshd0 = cpuOf(Long.toString(sshdPid));
        long t0 = System.nanoTime();
        exec(command);
        double s = (System.nanoTime() - t0) / 1e9;
        double[] self1 = cpuOf("self");
        double[] sshd1 = cpuOf(Long.toString(sshdPid));
        cpu.computeIfAbsent(name, k -> new ArrayList<>()).add(new double[] {self1[1] - self0[1],
            sshd1[0] + sshd1[1] - sshd0[0] - sshd0[1]});
        checkCopy(name, sums, dest, false);
        seconds.computeIfAbsent(name, k -> new ArrayList<>()).add(s);
    }

    private static LogPublisher publisher(CredentialSource creds, int channels, Protocol protocol) {
        return new LogPublisher(creds, PublisherSettings.defaults().withChannels(channels).withProtocol(protocol),
                Clock.systemUTC(), Sleeper.REAL);
    }

    private static void exec(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }

    /**
     * A devstack-like tree: a few multi-MB service logs (logs/screen-*.txt), a couple of hundred
     * mid-size logs, and thousands of small config copies and command outputs in nested dirs.
     */
    static long generate(Path root, int files, long totalBytes) throws IOException {
        Random r = new Random(42);
        int big = Math.max(1, files / 150);          // 20 for 3000
        int medium = Math.max(1, files / 15);        // 200
        int small = files - big - medium;            // 2780
        long bigBytes = totalBytes * 62 / 100;
        long mediumBytes = totalBytes * 22 / 100;
        long smallBytes = totalBytes - bigBytes - mediumBytes;
        String[] services = {"n-cpu", "n-api", "n-sch", "n-cond", "q-svc", "q-agt", "q-dhcp", "q-l3", "c-api", "c-vol",
            "g-api", "key", "h-eng", "s-proxy", "placement-api", "etcd", "dstat", "n-novnc", "q-meta", "c-sch"};
        long written = 0;
        for (int i = 0; i < big; i++) {
            int size = (int) (bigBytes / big * (0.4 + 1.2 * r.nextDouble()));
            TestTrees.writeText(root.resolve("logs/screen-" + services[i % services.length] + (i < services.length ? ""
                    : "-" + i) + ".txt"), size, i);
            written += size;
        }
        String[] midDirs = {"logs/apache", "logs/libvirt", "logs/openvswitch", "logs/rabbitmq", "logs/mysql", "logs"};
        for (int i = 0; i < medium; i++) {
            int size = (int) (mediumBytes / medium * (0.2 + 1.6 * r.nextDouble()));
            TestTrees.writeText(root.resolve(midDirs[i % midDirs.length] + "/log-" + i + ".log"), size, 1000 + i);
            written += size;
        }
        String[] smallDirs = {"logs/etc/nova", "logs/etc/neutron", "logs/etc/neutron/plugins/ml2", "logs/etc/cinder",
            "logs/etc/glance", "logs/etc/keystone", "logs/etc/apache2/sites-enabled", "logs/etc/openvswitch",
            "logs/etc/sudoers.d", "logs/etc/libvirt/qemu", "logs/ps", "logs/df", "logs/pip", "logs/tempest/etc",
            "logs/dib", "logs/journal"};
        for (int i = 0; i < small; i++) {
            int size = (int) (smallBytes / small * (0.1 + 1.8 * r.nextDouble()));
            String ext = i % 4 == 0 ? ".txt" : i % 4 == 1 ? ".conf" : i % 4 == 2 ? ".ini" : ".log";
            TestTrees.writeText(root.resolve(smallDirs[i % smallDirs.length] + "/d" + (i % 7) + "/f" + i + ext), size,
                    5000 + i);
            written += size;
        }
        return written;
    }

}
