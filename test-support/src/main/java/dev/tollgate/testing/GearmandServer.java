package dev.tollgate.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code gearmand} (package gearman-job-server) run in the foreground on a loopback port
 * for peer tests. It can be stopped and started again on the same port, which is how tests make
 * the job server "go away" under a connected worker. Without persistence, a restart loses every
 * queued job, exactly like a production gearmand restart.
 *
 * <p>The first start lets gearmand pick its own port ({@code -p 0}), so no other process can take
 * it between picking and binding. gearmand retries a bind that fails rather than exiting, so a
 * successful connect is no proof that gearmand is the one listening: readiness is "this process
 * holds a listening socket on the port", read from {@code /proc} (the tests run on Linux).
 */
public final class GearmandServer implements AutoCloseable {
    /** A hang guard only: gearmand listens within milliseconds on an idle machine. */
    private static final long READY_TIMEOUT_MS = 60_000;

    private final Path binary;
    private int port; // 0 until the first start has found it
    private final Path logFile;
    private Process process;

    private GearmandServer(Path binary, int port, Path logFile) {
        this.binary = binary;
        this.port = port;
        this.logFile = logFile;
    }

    /** Starts gearmand on a free loopback port; fails the test when gearmand is not installed. */
    public static GearmandServer start() {
        Path binary = Peers.requireExecutable("gearman-job-server", "/usr/sbin/gearmand");
        try {
            Path log = Files.createTempFile("gearmand-", ".log");
            GearmandServer server = new GearmandServer(binary, 0, log);
            server.startAgain();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public synchronized int port() {
        return port;
    }

    public String host() {
        return "127.0.0.1";
    }

    public Path logFile() {
        return logFile;
    }

    /** The running gearmand's process id. */
    synchronized long pidForTest() {
        return process.pid();
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /**
     * Starts gearmand (the first time on a port of its own choosing, later on that same port) and
     * waits, bounded, until it listens.
     */
    public synchronized void startAgain() {
        if (isRunning()) {
            throw new IllegalStateException("gearmand already runs on port " + port);
        }
        ProcessBuilder pb = new ProcessBuilder(binary.toString(), "-L", "127.0.0.1",
                "-p", Integer.toString(port), "--log-file=" + logFile, "--verbose=WARNING")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + binary, e);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("gearmand exited with " + process.exitValue() + "; log: " + logFile);
            }
            Set<Integer> ports = listeningPorts(process.pid());
            if (port == 0 && ports.size() == 1) {
                port = ports.iterator().next();
                return;
            }
            if (port != 0 && ports.contains(port)) {
                return;
            }
            try {
                Thread.sleep(20); // polling a starting process; bounded by the deadline
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for gearmand");
            }
        }
        stop();
        throw new IllegalStateException("gearmand did not listen on 127.0.0.1:" + (port == 0 ? "(any)" : port)
                + " within " + READY_TIMEOUT_MS + " ms (port taken by another process?); log: " + logFile);
    }

    /** The TCP ports a process listens on: its socket inodes matched against /proc/net/tcp. */
    static Set<Integer> listeningPorts(long pid) {
        Set<String> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException closedMeanwhile) {
                    // the descriptor went away while listing: not a listener then
                }
            }
        } catch (IOException processGone) {
            return Set.of();
        }
        Set<Integer> ports = new HashSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(table), StandardCharsets.US_ASCII);
            } catch (IOException noTable) {
                continue;
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && "0A".equals(f[3]) && inodes.contains(f[9])) {
                    String local = f[1];
                    ports.add(Integer.parseInt(local.substring(local.lastIndexOf(':') + 1), 16));
                }
            }
        }
        return ports;
    }

    /** Kills gearmand (queued jobs are lost) and waits, bounded, until the process is gone. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        Peers.stop(process);
        process = null;
    }

    /**
     * The text admin protocol's {@code status} answer: function name to
     * {total queued+running, running, available workers}.
     */
    public Map<String, int[]> status() {
        Map<String, int[]> result = new LinkedHashMap<>();
        for (String line : admin("status")) {
            String[] f = line.split("\t");
            if (f.length == 4) {
                result.put(f[0], new int[] {Integer.parseInt(f[1].trim()),
                        Integer.parseInt(f[2].trim()), Integer.parseInt(f[3].trim())});
            }
        }
        return result;
    }

    /** Sends one text admin command and returns the answer lines up to the closing ".". */
    public List<String> admin(String command) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write((command + "\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(
                    new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            List<String> lines = new java.util.ArrayList<>();
            for (String line = in.readLine(); line != null && !line.equals("."); line = in.readLine()) {
                lines.add(line);
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException("gearmand admin command '" + command + "' failed", e);
        }
    }

    @Override
    public void close() {
        stop();
    }
}
