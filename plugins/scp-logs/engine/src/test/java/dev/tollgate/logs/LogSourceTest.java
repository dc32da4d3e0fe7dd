package dev.tollgate.logs;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import dev.tollgate.testing.OpenSshServer;

/**
 * The {@link LogSource} seam: files that are not in a local directory of the publishing process go
 * through the same plan, checks and upload paths. {@link FarSide} is what the Jenkins plugin does
 * with a build agent's workspace (docs/scp-logs.md, "Files on another machine"): the listing and each
 * opened file cross a serialization boundary, the files are judged and read by a {@link LocalLogSource}
 * "over there", and the bytes arrive as a stream pushed in full. Against the embedded MINA server
 * (SFTP and SCP) and OpenSSH with GNU tar.
 */
public class LogSourceTest {
    @ClassRule
    public static final TemporaryFolder TMP = new TemporaryFolder();

    private static final String SECRET = "SECRET of the agent";
    private static MinaLogServer mina;
    private static OpenSshServer sshd;
    private static String clientKey;
    private static Path outside;

    @BeforeClass
    public static void start() throws Exception {
        Path root = TMP.newFolder("mina-root").toPath();
        Files.createDirectories(root.resolve("logs"));
        mina = new MinaLogServer(root, true);
        ClientKey key = ClientKey.generate(TMP.newFolder("client").toPath());
        clientKey = key.privateKey();
        sshd = OpenSshServer.start(TMP.newFolder("sshd").toPath(),
                List.of(key.publicKey()));
        outside = TMP.newFolder("outside").toPath();
        Files.writeString(outside.resolve("agent-key"), SECRET);
    }

    @AfterClass
    public static void stop() throws IOException {
        if (mina != null) {
            mina.close();
        }
        if (sshd != null) {
            sshd.close();
        }
    }

    /**
     * The workspace of a build agent, seen from the publishing process only through serialized
     * messages: a listing, and per file an entry sent back and the file's bytes pushed in full (as
     * Jenkins' remoting pushes a greedy remote stream). Counts the bytes read over there.
     */
    static final class FarSide implements LogSource {
        final Path workspace;
        final AtomicLong bytesReadThere = new AtomicLong();
        final List<String> opened = Collections.synchronizedList(new ArrayList<>());

        FarSide(Path workspace) {
            this.workspace = workspace;
        }

        @Override
        public Listing list(String includes, String excludes) throws IOException {
            return roundTrip(new LocalLogSource(workspace).list(includes, excludes));
        }

        @Override
        public InputStream open(Entry entry) throws IOException {
            Entry there = roundTrip(entry);
            opened.add(there.path());
            try (InputStream in = new LocalLogSource(workspace).openBounded(there)) {
                byte[] all = in.readAllBytes();
                bytesReadThere.addAndGet(all.length);
                return new ByteArrayInputStream(all);
            }
        }

        @Override
        public String toString() {
            return "FarSide[" + workspace + "]";
        }
    }

    @SuppressWarnings("unchecked")
    static <T extends Serializable> T roundTrip(T value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }

    /** A devstack-like workspace: logs/ to publish, a link out of it, a link inside it, a FIFO, other files. */
    private static Path workspace(String name) throws Exception {
        Path ws = TMP.newFolder(name).toPath();
        TestTrees.writeText(ws.resolve("logs/screen-n-cpu.txt"), 600_000, 1);
        for (int i = 0; i < 30; i++) {
            TestTrees.writeText(ws.resolve("logs/etc/nova/f" + i + ".conf"), 100 + i * 313, 10 + i);
        }
        TestTrees.writeBinary(ws.resolve("logs/dstat.bin"), 40_000, 2);
        TestTrees.writeText(ws.resolve("devstack/stack.sh"), 2_000, 3); // not matched by logs/**
        Files.createSymbolicLink(ws.resolve("logs/key.txt"), outside.resolve("agent-key"));
        Files.createSymbolicLink(ws.resolve("logs/cpu-again.txt"), ws.resolve("logs/screen-n-cpu.txt"));
        Process mkfifo = new ProcessBuilder("mkfifo", ws.resolve("logs/pipe").toString()).start();
        assertTrue(mkfifo.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, mkfifo.exitValue());
        return ws;
    }

    /** What a publish of logs/** should leave on the server: the regular files, and the inside link's target. */
    private static Map<String, String> expected(Path ws) throws IOException {
        Map<String, String> sums = new TreeMap<>();
        for (Map.Entry<String, String> e : TestTrees.checksums(ws.resolve("logs")).entrySet()) {
            sums.put("logs/" + e.getKey(), e.getValue());
        }
        sums.put("logs/cpu-again.txt", sums.get("logs/screen-n-cpu.txt"));
        return sums;
    }

    private static LogPublisher publisher(Protocol protocol) {
        CredentialSource creds = id -> id.equals("key") ? Credential.privateKey(clientKey, null)
                : Credential.password(MinaLogServer.PASSWORD.toCharArray());
        return new LogPublisher(creds, PublisherSettings.defaults().withProtocol(protocol), Clock.systemUTC(),
                d -> fail("no retry expected, asked to wait " + d));
    }

    private static LogHost openSshHost(Path root) {
        return LogHost.of("openssh", "127.0.0.1", sshd.port(), root.toString(), sshd.user(), "key",
                sshd.hostPublicKeyLine(), "https://logs.example.org/");
    }

    private static PublishRequest.Builder request(LogSource source, String dest) {
        return PublishRequest.builder().source(source).includes("logs/**").destination(dest);
    }

    private static void assertNoSecretPublished(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p)) {
                    assertFalse(p + " holds the agent's secret",
                            Files.readString(p, StandardCharsets.ISO_8859_1).contains(SECRET));
                }
            }
        }
    }

    /** Calls {@code then} when the plan is made, before any file is read (the listener's first call). */
    private static TransferListener afterPlanning(Hook then) {
        return new TransferListener() {
            @Override
            public void started(String url, int files, long bytes) {
                try {
                    then.run();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }
        };
    }

    @FunctionalInterface
    interface Hook {
        void run() throws Exception;
    }

    @Test
    public void aWorkspaceOnTheFarSideIsPublishedAsALocalOneWouldBeOverEveryProtocol() throws Exception {
        for (Protocol protocol : List.of(Protocol.SFTP, Protocol.SCP)) {
            Path ws = workspace("far-" + protocol);
            FarSide far = new FarSide(ws);
            PublishResult r = publisher(protocol).publish(mina.logHost("/logs", "pw"),
                    request(far, "far/" + protocol).build(), TransferListener.NONE);
            assertEquals(r.toString(), PublishResult.Outcome.COMPLETE, r.outcome());
            assertEquals(protocol, r.protocol());
            assertEquals(expected(ws), TestTrees.checksums(mina.remote("logs/far/" + protocol)));
            assertEquals(r.skipped().toString(), 2, r.skipped().size());
            assertTrue(r.skipped().toString(), r.skipped().toString().contains(
                    "logs/key.txt: symlink points outside the source directory"));
            assertTrue(r.skipped().toString(), r.skipped().toString().contains("logs/pipe: not a regular file"));
            assertFalse("only the planned files were opened there", far.opened.contains("devstack/stack.sh"));
            assertNoSecretPublished(mina.remote("logs/far/" + protocol));
        }
        Path root = TMP.newFolder("tar-root").toPath();
        Path ws = workspace("far-TAR");
        PublishResult r = publisher(Protocol.TAR).publish(openSshHost(root), request(new FarSide(ws), "far/TAR")
                .gzip(true).build(), TransferListener.NONE);
        assertEquals(r.toString(), PublishResult.Outcome.COMPLETE, r.outcome());
        assertEquals(Protocol.TAR, r.protocol());
        Map<String, String> gunzipped = new TreeMap<>();
        for (Map.Entry<String, String> e : TestTrees.checksums(root.resolve("far/TAR")).entrySet()) {
            String name = e.getKey();
            gunzipped.put(name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name, name.endsWith(".gz")
                    ? TestTrees.sha256(TestTrees.gunzip(root.resolve("far/TAR").resolve(name))) : e.getValue());
        }
        assertEquals(expected(ws), gunzipped);
    }

    @Test
    public void aFileThatGrowsOverThereIsReadNoFurtherThanOneBytePastItsListedSize() throws Exception {
        for (Protocol protocol : List.of(Protocol.SFTP, Protocol.TAR)) {
            Path ws = TMP.newFolder("grow-" + protocol).toPath();
            TestTrees.writeText(ws.resolve("logs/screen-n-cpu.txt"), 500_000, 1);
            TestTrees.writeText(ws.resolve("logs/small.txt"), 3_000, 2);
            byte[] planned = Files.readAllBytes(ws.resolve("logs/screen-n-cpu.txt"));
            FarSide far = new FarSide(ws);
            // a service still running goes on writing its log: 5 MB more after the listing
            TransferListener grows = afterPlanning(() -> Files.write(ws.resolve("logs/screen-n-cpu.txt"),
                    new byte[5_000_000], StandardOpenOption.APPEND));
            Path root = TMP.newFolder("grow-root-" + protocol).toPath();
            LogHost host = protocol == Protocol.TAR ? openSshHost(root) : mina.logHost("/logs", "pw");
            Path published = protocol == Protocol.TAR ? root.resolve("grow") : mina.remote("logs/grow-" + protocol);
            PublishResult r = publisher(protocol).publish(host, request(far, protocol == Protocol.TAR ? "grow"
                    : "grow-" + protocol).build(), grows);
            assertEquals(r.toString(), PublishResult.Outcome.COMPLETE, r.outcome());
            assertEquals(TestTrees.sha256(planned),
                    TestTrees.sha256(Files.readAllBytes(published.resolve("logs/screen-n-cpu.txt"))));
            assertEquals(r.changed().toString(), 1, r.changed().size());
            assertTrue(r.changed().toString(), r.changed().get(0).toString().startsWith(
                    "logs/screen-n-cpu.txt: grew after planning"));
            assertEquals("read over there: each file's listed size and one byte of the grown one", 500_000 + 1 + 3_000,
                    far.bytesReadThere.get());
        }
    }

    @Test
    public void aFileSwappedForALinkOverThereAfterTheListingIsRefused() throws Exception {
        Path ws = workspace("swap");
        FarSide far = new FarSide(ws);
        TransferListener swap = afterPlanning(() -> {
            Path small = ws.resolve("logs/etc/nova/f1.conf");
            Files.move(small, small.resolveSibling("f1.conf.aside"));
            Files.createSymbolicLink(small, outside.resolve("agent-key"));
        });
        PublishResult r = publisher(Protocol.SFTP).publish(mina.logHost("/logs", "pw"), request(far, "swap").build(),
                swap);
        assertEquals(r.toString(), PublishResult.Outcome.PARTIAL, r.outcome());
        assertEquals(r.failures().toString(), 1, r.failures().size());
        assertEquals("logs/etc/nova/f1.conf: changed after planning: logs/etc/nova/f1.conf is now a symbolic link;"
                + " not followed", r.failures().get(0).toString());
        assertFalse(Files.exists(mina.remote("logs/swap/logs/etc/nova/f1.conf")));
        assertNoSecretPublished(mina.remote("logs/swap"));
    }

    /** A source that lists what it is told to and serves fixed bytes: no file system at all. */
    static class Listed implements LogSource {
        final List<Entry> entries;
        final List<FileProblem> skipped;
        final Map<String, byte[]> content;

        Listed(List<Entry> entries, List<FileProblem> skipped, Map<String, byte[]> content) {
            this.entries = entries;
            this.skipped = skipped;
            this.content = content;
        }

        @Override
        public Listing list(String includes, String excludes) {
            return new Listing(entries, skipped);
        }

        @Override
        public InputStream open(Entry entry) throws IOException {
            byte[] b = content.get(entry.path());
            if (b == null) {
                throw new IOException("no such file: " + entry.path());
            }
            return new ByteArrayInputStream(b);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    public void aHostileListingCannotNameAnythingOutsideTheDestination() throws Exception {
        Map<String, byte[]> content = new java.util.HashMap<>();
        List<LogSource.Entry> entries = new ArrayList<>();
        for (String path : List.of("logs/ok.txt", "logs/../../escape.txt", "/etc/cron.d/x", "logs//empty-part.txt",
                "logs/..", "logs/a\\b.txt", "logs/exe\u202Etxt.sh", "logs/tab\there.txt", "other/not-included.txt")) {
            content.put(path, bytes("content of " + path));
            entries.add(new LogSource.Entry(path, content.get(path).length, null));
        }
        entries.add(new LogSource.Entry("logs/negative.txt", -1, null));
        String longReason = "x".repeat(100_000);
        Listed hostile = new Listed(entries, List.of(new FileProblem("logs/odd", longReason)), content);

        PublishResult r = publisher(Protocol.SFTP).publish(mina.logHost("/logs", "pw"),
                request(hostile, "hostile/1").build(), TransferListener.NONE);

        assertEquals(r.toString(), PublishResult.Outcome.COMPLETE, r.outcome());
        assertEquals(Map.of("logs/ok.txt", TestTrees.sha256(content.get("logs/ok.txt"))),
                TestTrees.checksums(mina.remote("logs/hostile/1")));
        assertFalse(Files.exists(mina.remote("logs/hostile/escape.txt")));
        assertFalse(Files.exists(mina.root.resolve("escape.txt")));
        assertFalse(Files.exists(mina.root.resolve("etc")));
        List<String> skipped = r.skipped().stream().map(FileProblem::toString).toList();
        assertEquals(skipped.toString(), 10, skipped.size());
        assertTrue(skipped.get(0), skipped.get(0).startsWith("logs/odd: " + "x".repeat(1000) + "... (100000 characters)"));
        assertEquals(List.of(
                "logs/../../escape.txt: file name contains '..' (a parent-directory reference); not uploaded",
                "/etc/cron.d/x: file name contains an empty name; not uploaded",
                "logs//empty-part.txt: file name contains an empty name; not uploaded",
                "logs/..: file name contains '..' (a parent-directory reference); not uploaded",
                "logs/a\\b.txt: file name contains a backslash (some servers read it as a path separator); not uploaded",
                "logs/exe\\u202etxt.sh: file name contains an invisible or control character (U+202E); not uploaded",
                "logs/tab\\u0009here.txt: file name contains an invisible or control character (U+0009); not uploaded",
                "other/not-included.txt: listed although the patterns do not take it; not uploaded",
                "logs/negative.txt: listed with a negative size; not uploaded"), skipped.subList(1, skipped.size()));
    }

    @Test
    public void aFileTheSourceCannotOpenOrThatEndsEarlyFailsAlone() throws Exception {
        Map<String, byte[]> content = new java.util.HashMap<>();
        content.put("logs/a.txt", bytes("a whole file\n"));
        content.put("logs/short.txt", bytes("12345"));
        List<LogSource.Entry> entries = List.of(new LogSource.Entry("logs/a.txt", 13, null),
                new LogSource.Entry("logs/gone.txt", 10, null), new LogSource.Entry("logs/short.txt", 50, null));
        for (Protocol protocol : List.of(Protocol.SFTP, Protocol.SCP)) {
            PublishResult r = publisher(protocol).publish(mina.logHost("/logs", "pw"),
                    request(new Listed(entries, List.of(), content), "fails-alone/" + protocol).build(),
                    TransferListener.NONE);
            assertEquals(r.toString(), PublishResult.Outcome.PARTIAL, r.outcome());
            assertEquals(1, r.files());
            List<String> failures = r.failures().stream().map(FileProblem::toString).sorted().toList();
            assertEquals(failures.toString(), 2, failures.size());
            assertTrue(failures.get(0), failures.get(0).startsWith("logs/gone.txt: cannot read logs/gone.txt: "
                    + "java.io.IOException: no such file: logs/gone.txt"));
            assertTrue(failures.get(1), failures.get(1).startsWith("logs/short.txt: changed after planning: shrank"));
            Path published = mina.remote("logs/fails-alone/" + protocol);
            assertEquals("a whole file\n", Files.readString(published.resolve("logs/a.txt")));
            assertFalse(Files.exists(published.resolve("logs/gone.txt")));
        }
    }

    @Test
    public void aSourceThatCannotListFailsThePublishWithItsReason() throws Exception {
        LogSource broken = new LogSource() {
            @Override
            public Listing list(String includes, String excludes) throws IOException {
                throw new IOException("source directory /ws/logs does not exist or is not a directory");
            }

            @Override
            public InputStream open(Entry entry) {
                throw new AssertionError("nothing was listed");
            }
        };
        LogSource silent = new Listed(null, null, Map.of()) {
            @Override
            public Listing list(String includes, String excludes) {
                return null;
            }
        };
        for (LogSource source : List.of(broken, silent)) {
            try {
                publisher(Protocol.SFTP).publish(mina.logHost("/logs", "pw"), request(source, "unlisted").build(),
                        TransferListener.NONE);
                fail("published without a listing");
            } catch (LogPublishException e) {
                assertEquals(LogPublishException.Reason.INVALID_REQUEST, e.reason());
                assertTrue(e.getMessage(), e.getMessage().startsWith("cannot publish to log host 'mina': "));
            }
        }
        assertFalse(Files.exists(mina.remote("logs/unlisted")));
    }

    @Test
    public void aBadPatternIsRefusedBeforeTheSourceIsAsked() throws Exception {
        LogSource untouched = new Listed(List.of(), List.of(), Map.of()) {
            @Override
            public Listing list(String includes, String excludes) {
                throw new AssertionError("asked for a listing with a pattern that cannot be used");
            }
        };
        try {
            publisher(Protocol.SFTP).publish(mina.logHost("/logs", "pw"), PublishRequest.builder().source(untouched)
                    .includes("../etc/**").destination("bad-pattern").build(), TransferListener.NONE);
            fail("published with a pattern leaving the source");
        } catch (LogPublishException e) {
            assertEquals(LogPublishException.Reason.INVALID_REQUEST, e.reason());
            assertTrue(e.getMessage(), e.getMessage().contains("patterns cannot leave the source directory"));
        }
    }

    @Test
    public void listingsAndEntriesCrossAProcessBoundaryWithEverythingNeededToOpenTheFileThere() throws Exception {
        Path ws = workspace("serial");
        LogSource.Listing here = new LocalLogSource(ws).list("logs/**", "**/*.bin");
        LogSource.Listing there = roundTrip(here);
        assertEquals(here, there);
        assertEquals(new HashSet<>(here.skipped()), new HashSet<>(there.skipped()));
        LogSource.Entry cpu = there.entries().stream().filter(e -> e.path().equals("logs/screen-n-cpu.txt"))
                .findFirst().orElseThrow();
        try (InputStream in = new LocalLogSource(ws).open(roundTrip(cpu))) {
            assertEquals(TestTrees.sha256(Files.readAllBytes(ws.resolve("logs/screen-n-cpu.txt"))),
                    TestTrees.sha256(in.readAllBytes()));
        }
        // a location is opened as listed: another directory's source cannot be talked into reading it elsewhere
        Files.move(ws.resolve("logs"), ws.resolve("logs.moved"));
        Files.createDirectories(ws.resolve("logs"));
        Files.writeString(ws.resolve("logs/screen-n-cpu.txt"), SECRET);
        try (InputStream in = new LocalLogSource(ws).open(cpu)) {
            fail("opened a replaced file: " + new String(in.readAllBytes(), StandardCharsets.ISO_8859_1));
        } catch (LocalFiles.ChangedException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("logs was replaced by another directory"));
        }
    }
}
