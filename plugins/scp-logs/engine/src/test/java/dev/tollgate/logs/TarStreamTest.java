package dev.tollgate.logs;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import dev.tollgate.testing.FaultyTcpProxy;
import dev.tollgate.testing.OpenSshServer;

/**
 * The tar fast path against Debian's OpenSSH sshd and GNU tar: a new folder through a stage, an
 * existing one through part names and renames, hostile sources, links on the server, a failing
 * server-side tar, a broken connection.
 */
public class TarStreamTest {
    @ClassRule
    public static final TemporaryFolder TMP = new TemporaryFolder();

    private static final String SECRET = "SECRET host data";
    private static OpenSshServer sshd;
    private static String clientKey;
    private static Path outside;

    private Path root;
    private final List<Duration> sleeps = new ArrayList<>();

    @BeforeClass
    public static void start() throws Exception {
        ClientKey key = ClientKey.generate(TMP.newFolder("client").toPath());
        clientKey = key.privateKey();
        sshd = OpenSshServer.start(TMP.newFolder("sshd").toPath(),
                List.of(key.publicKey()));
        outside = TMP.newFolder("outside").toPath();
        Files.writeString(outside.resolve("small.txt"), SECRET);
        Files.createDirectories(outside.resolve("etc"));
        Files.writeString(outside.resolve("etc/nova.conf"), SECRET);
    }

    @AfterClass
    public static void stop() {
        if (sshd != null) {
            sshd.close();
        }
    }

    @Before
    public void newRoot() throws IOException {
        root = TMP.newFolder().toPath();
    }

    private LogHost host(int port) {
        return LogHost.of("openssh", "127.0.0.1", port, root.toString(), sshd.user(), "key",
                sshd.hostPublicKeyLine(), "https://logs.example.org/");
    }

    private LogHost host() {
        return host(sshd.port());
    }

    private LogPublisher publisher(Protocol protocol, LocalFiles opener) {
        return new LogPublisher(id -> Credential.privateKey(clientKey, null),
                PublisherSettings.defaults().withProtocol(protocol), Clock.systemUTC(), sleeps::add, opener);
    }

    private LogPublisher publisher() {
        return publisher(Protocol.AUTO, LocalFiles.forPlatform());
    }

    /** A devstack-like tree: one streamed service log, held small files, odd names. */
    private static Path workspace(String name) throws IOException {
        Path src = TMP.newFolder(name).toPath();
        TestTrees.writeText(src.resolve("logs/screen-n-api.txt"), 1_500_000, 1); // > TarArchiver.HOLD_MAX: streamed
        for (int i = 0; i < 40; i++) {
            TestTrees.writeText(src.resolve("logs/etc/d" + (i % 4) + "/f" + i + ".conf"), 100 + i * 211, i);
        }
        TestTrees.writeBinary(src.resolve("logs/core.bin"), 123_457, 3);
        TestTrees.writeText(src.resolve("logs/" + "deep/".repeat(20) + "x".repeat(40) + ".txt"), 300, 4);
        TestTrees.writeText(src.resolve("logs/caf\u00e9 \u65e5\u672c it's $HOME.txt"), 200, 5);
        Files.writeString(src.resolve("logs/empty.txt"), "");
        return src;
    }

    private static List<Path> leftovers(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().contains(TarUploader.STAGE_INFIX)
                    || p.getFileName().toString().endsWith(SftpUploader.PART_SUFFIX)).toList();
        }
    }

    @Test
    public void aNewFolderArrivesAsOneTarStreamThroughAStage() throws Exception {
        Path src = workspace("fresh");
        byte[] console = "<pre>Finished: SUCCESS</pre>\n".getBytes(StandardCharsets.UTF_8);
        String dest = "21/12321/3/check/run 1/it's $x";
        MinaServerPublishTest.Recorder rec = new MinaServerPublishTest.Recorder();
        PublishResult r = publisher().publish(host(), PublishRequest.builder().source(src).destination(dest)
                // unknown length, as Jenkins hands a console log over: spooled, then sent with its length
                .consoleLog(new ConsoleLog("console.html", () -> new ByteArrayInputStream(console))).build(), rec);

        assertEquals(r.toString(), PublishResult.Outcome.COMPLETE, r.outcome());
        assertEquals(Protocol.TAR, r.protocol());
        assertEquals(1, r.attempts());
        Map<String, String> expected = new TreeMap<>(TestTrees.checksums(src));
        expected.put("console.html", TestTrees.sha256(console));
        assertEquals(expected, TestTrees.checksums(root.resolve(dest)));
        assertEquals(expected.size(), r.files());
        assertEquals("each file reported once", expected.keySet(), new java.util.TreeSet<>(rec.uploaded));
        assertEquals(expected.size(), rec.uploaded.size());
        assertEquals("https://logs.example.org/21/12321/3/check/run%201/it%27s%20%24x/", r.url());
        assertEquals(List.of(), leftovers(root));
    }

    @Test
    public void anExistingFolderGetsPartNamesRenamedIntoPlace() throws Exception {
        Path src = workspace("again");
        assertEquals(Protocol.TAR, publisher().publish(host(), PublishRequest.builder().source(src)
                .destination("again").build(), TransferListener.NONE).protocol());
        TestTrees.writeText(src.resolve("logs/etc/d1/f1.conf"), 999, 77); // changed since the first publish
        PublishResult r = publisher().publish(host(), PublishRequest.builder().source(src).destination("again")
                .build(), TransferListener.NONE);

        assertEquals(r.toString(), PublishResult.Outcome.COMPLETE, r.outcome());
        assertEquals(Protocol.TAR, r.protocol());
        assertEquals(TestTrees.checksums(src), TestTrees.checksums(root.resolve("again")));
        assertEquals(List.of(), leftovers(root));
    }

    @Test
    public void gzippedFilesAreSentAsTheyAre() throws Exception {
        Path src = workspace("gzip");
        PublishResult r = publisher().publish(host(), PublishRequest.builder().source(src).destination("gz")
                .gzip(true).build(), TransferListener.NONE);
        assertEquals(r.toString(), PublishResult.Outcome.COMPLETE, r.outcome());
        assertEquals(Protocol.TAR, r.protocol());
        Path dest = root.resolve("gz");
        assertEquals(TestTrees.sha256(Files.readAllBytes(src.resolve("logs/screen-n-api.txt"))),
                TestTrees.sha256(TestTrees.gunzip(dest.resolve("logs/screen-n-api.txt.gz"))));
        assertEquals(TestTrees.sha256(Files.readAllBytes(src.resolve("logs/core.bin"))),
                TestTrees.sha256(Files.readAllBytes(dest.resolve("logs/core.bin"))));
        assertTrue(r.toString(), r.bytesSent() < r.bytes() / 2);
    }

    @Test
    public void swappedGrownAndShrunkFilesAreHandledAsOverSftp() throws Exception {
        Path src = workspace("hostile");
        TestTrees.writeText(src.resolve("logs/small.txt"), 100, 9);
        TestTrees.writeText(src.resolve("logs/grows.txt"), 100, 10);
        TestTrees.writeText(src.resolve("logs/shrinks.txt"), 5_000, 11);
        byte[] grows = Files.readAllBytes(src.resolve("logs/grows.txt"));
        HostileSourceTest.Recorder rec = new HostileSourceTest.Recorder(() -> {
            swapForLink(src.resolve("logs/small.txt"), outside.resolve("small.txt"));
            swapForLink(src.resolve("logs/etc/d2"), outside.resolve("etc"));
            Files.write(src.resolve("logs/grows.txt"), new byte[100_000], StandardOpenOption.APPEND);
            try (var ch = Files.newByteChannel(src.resolve("logs/shrinks.txt"), StandardOpenOption.WRITE)) {
                ch.truncate(10);
            }
        });
        PublishResult r = publisher().publish(host(), PublishRequest.builder().source(src).destination("hostile")
                .build(), rec);

        assertEquals(Protocol.TAR, r.protocol());
        Path dest = root.resolve("hostile");
        try (Stream<Path> s = Files.walk(dest)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p)) {
                    assertFalse(p.toString(), Files.readString(p, StandardCharsets.ISO_8859_1).contains(SECRET));
                }
            }
        }
        String failures = r.failures().toString();
        assertTrue(failures, failures.contains("logs/small.txt: changed after planning"));
        assertTrue(failures, failures.contains("logs/etc/d2/f2.conf: changed after planning"));
        assertTrue(failures, failures.contains("logs/shrinks.txt: changed after planning: shrank"));
        assertEquals(failures, 2 + 10, r.failures().size()); // small, shrinks, and d2's ten files
        assertFalse(Files.exists(dest.resolve("logs/shrinks.txt")));
        assertEquals(TestTrees.sha256(grows), TestTrees.sha256(Files.readAllBytes(dest.resolve("logs/grows.txt"))));
        assertEquals(r.changed().toString(), 1, r.changed().size());
        assertEquals(List.of(), leftovers(root));
    }

    @Test
    public void aLargeFileThatFallsShortWhileSentAbandonsTheStageAndGoesOverSftp() throws Exception {
        Path src = workspace("short-stage");
        PublishResult r = publisher(Protocol.AUTO, fallsShort("logs/screen-n-api.txt")).publish(host(),
                PublishRequest.builder().source(src).destination("short").build(), TransferListener.NONE);

        // the tar stream was given up before the padded file could reach its name; SFTP sent the rest
        assertEquals(r.toString(), Protocol.SFTP, r.protocol());
        assertEquals(r.toString(), PublishResult.Outcome.PARTIAL, r.outcome());
        assertEquals(r.failures().toString(), 1, r.failures().size());
        assertTrue(r.failures().toString(), r.failures().get(0).toString()
                .startsWith("logs/screen-n-api.txt: changed after planning: shrank"));
        Map<String, String> expected = new TreeMap<>(TestTrees.checksums(src));
        expected.remove("logs/screen-n-api.txt");
        assertEquals(expected, TestTrees.checksums(root.resolve("short")));
        assertEquals(List.of(), leftovers(root));
    }

    @Test
    public void aLargeFileThatFallsShortInAnExistingFolderGivesUpTheTarStreamToo() throws Exception {
        Path src = workspace("short-parts");
        Files.createDirectories(root.resolve("short"));
        PublishResult r = publisher(Protocol.AUTO, fallsShort("logs/screen-n-api.txt")).publish(host(),
                PublishRequest.builder().source(src).destination("short").build(), TransferListener.NONE);

        assertEquals(r.toString(), Protocol.SFTP, r.protocol());
        assertEquals(r.toString(), PublishResult.Outcome.PARTIAL, r.outcome());
        assertEquals(r.failures().toString(), 1, r.failures().size());
        assertFalse(Files.exists(root.resolve("short/logs/screen-n-api.txt")));
        Map<String, String> expected = new TreeMap<>(TestTrees.checksums(src));
        expected.remove("logs/screen-n-api.txt");
        assertEquals(expected, TestTrees.checksums(root.resolve("short")));
        assertEquals(List.of(), leftovers(root));
    }

    /** Reads the named file as if it had shrunk to 100 KB while it was being sent. */
    private static LocalFiles fallsShort(String path) {
        return new LocalFiles() {
            @Override
            PlannedFileStream open(Planned p) throws Streams.SourceReadException {
                PlannedFileStream real = LocalFiles.secure().open(p);
                if (!String.join("/", p.segments()).equals(path)) {
                    return real;
                }
                return new PlannedFileStream(new ChannelHook(real.channel(), 100_000, () -> { }));
            }
        };
    }

    @Test
    public void aLinkOnTheServerInTheDestinationStopsTheTarStream() throws Exception {
        Path src = workspace("server-link");
        Path elsewhere = TMP.newFolder("elsewhere").toPath();
        Files.createSymbolicLink(root.resolve("linked"), elsewhere);
        try {
            publisher(Protocol.TAR, LocalFiles.forPlatform()).publish(host(), PublishRequest.builder().source(src)
                    .destination("linked/x").build(), TransferListener.NONE);
            fail("a link in the destination must stop the tar stream");
        } catch (LogPublishException e) {
            assertEquals(LogPublishException.Reason.REMOTE_REFUSED, e.reason());
            assertTrue(e.getMessage(), e.getMessage().contains("exit status 3"));
        }
        try (Stream<Path> s = Files.list(elsewhere)) {
            assertEquals("nothing created past the link", List.of(), s.toList());
        }
    }

    @Test
    public void linksInAnExistingFolderOnTheServerAreReplacedNotFollowed() throws Exception {
        Path src = TMP.newFolder("replace-links").toPath();
        TestTrees.writeText(src.resolve("logs/a.txt"), 300, 1);
        TestTrees.writeText(src.resolve("keep.txt"), 300, 2);
        Path target = TMP.newFolder("link-target").toPath();
        Files.writeString(target.resolve("a.txt"), SECRET);
        Files.writeString(target.resolve("keep.txt"), SECRET);
        Path dest = Files.createDirectories(root.resolve("links"));
        Files.createSymbolicLink(dest.resolve("logs"), target);
        Files.createSymbolicLink(dest.resolve("keep.txt"), target.resolve("keep.txt"));
        PublishResult r = publisher().publish(host(), PublishRequest.builder().source(src).destination("links")
                .build(), TransferListener.NONE);

        assertEquals(r.toString(), PublishResult.Outcome.COMPLETE, r.outcome());
        assertEquals(Protocol.TAR, r.protocol());
        assertEquals(SECRET, Files.readString(target.resolve("a.txt")));
        assertEquals(SECRET, Files.readString(target.resolve("keep.txt")));
        try (Stream<Path> s = Files.list(target)) {
            assertEquals(2, s.count());
        }
        assertTrue(Files.isDirectory(dest.resolve("logs"), LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.isRegularFile(dest.resolve("keep.txt"), LinkOption.NOFOLLOW_LINKS));
        assertEquals(TestTrees.checksums(src), TestTrees.checksums(dest));
    }

    @Test
    public void whenTheServersTarFailsEachFileGoesOverSftp() throws Exception {
        Path src = TMP.newFolder("tar-fails").toPath();
        for (String n : List.of("a.txt", "b.txt", "c.txt")) {
            Files.writeString(src.resolve(n), "content of " + n);
        }
        Path dest = Files.createDirectories(root.resolve("fails"));
        // a.txt's part name is a non-empty directory: tar cannot write it, and SFTP cannot open it
        Files.createDirectories(dest.resolve(".a.txt" + SftpUploader.PART_SUFFIX + "/inner"));
        PublishResult r = publisher().publish(host(), PublishRequest.builder().source(src).destination("fails")
                .build(), TransferListener.NONE);

        assertEquals(r.toString(), Protocol.SFTP, r.protocol());
        assertEquals(r.toString(), PublishResult.Outcome.PARTIAL, r.outcome());
        assertEquals(r.failures().toString(), 1, r.failures().size());
        assertTrue(r.failures().toString(), r.failures().get(0).toString().startsWith("a.txt: server refused it"));
        assertEquals("content of b.txt", Files.readString(dest.resolve("b.txt")));
        assertEquals("content of c.txt", Files.readString(dest.resolve("c.txt")));
    }

    @Test
    public void aConnectionCutInsideTheStreamIsRetriedAndTheStageCleanedUp() throws Exception {
        Path src = workspace("cut");
        // archived before the streamed log, and sent at once: the stream is not compressed (the files
        // are gzipped one by one) and this binary file fills several chunks
        TestTrees.writeBinary(src.resolve("logs/aaa.bin"), 300_000, 12);
        try (FaultyTcpProxy proxy = new FaultyTcpProxy("127.0.0.1", sshd.port())) {
            AtomicBoolean cut = new AtomicBoolean();
            LocalFiles cutting = new LocalFiles() {
                @Override
                PlannedFileStream open(Planned p) throws Streams.SourceReadException {
                    PlannedFileStream real = LocalFiles.secure().open(p);
                    if (!String.join("/", p.segments()).equals("logs/screen-n-api.txt")) {
                        return real;
                    }
                    // The archive is written from before connecting. Reading the streamed log holds it up
                    // until the server's tar is unpacking the stage (it exists), then the connection is
                    // cut, once: in the middle of the stream, before the archive's completion entry.
                    return new PlannedFileStream(new ChannelHook(real.channel(), Long.MAX_VALUE, () -> {
                        if (!cut.get()) {
                            awaitStage();
                            proxy.cutAll();
                            cut.set(true);
                        }
                    }));
                }
            };
            MinaServerPublishTest.Recorder rec = new MinaServerPublishTest.Recorder();
            PublishResult r = publisher(Protocol.AUTO, cutting).publish(host(proxy.port()),
                    PublishRequest.builder().source(src).destination("cut").gzip(true).build(), rec);

            assertTrue(cut.get());
            assertEquals(r.toString(), PublishResult.Outcome.COMPLETE, r.outcome());
            assertEquals(Protocol.TAR, r.protocol());
            assertEquals(2, r.attempts());
            assertEquals(List.of(Duration.ofSeconds(1)), sleeps);
            Path dest = root.resolve("cut");
            assertEquals(TestTrees.sha256(Files.readAllBytes(src.resolve("logs/screen-n-api.txt"))),
                    TestTrees.sha256(TestTrees.gunzip(dest.resolve("logs/screen-n-api.txt.gz"))));
            assertEquals(TestTrees.sha256(Files.readAllBytes(src.resolve("logs/aaa.bin"))),
                    TestTrees.sha256(Files.readAllBytes(dest.resolve("logs/aaa.bin"))));
            assertEquals(TestTrees.checksums(src).size(), TestTrees.checksums(dest).size());
            assertEquals("each file reported once", rec.uploaded.size(), new java.util.HashSet<>(rec.uploaded).size());
            assertEquals(TestTrees.checksums(src).size(), rec.uploaded.size());
            // the first attempt's script removes its stage once its tar has read the end of the stream
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!leftovers(root).isEmpty() && System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            assertEquals(List.of(), leftovers(root));
        }
    }

    /**
     * Waits (at most 20 s) until the server's tar has unpacked something into a stage folder: the
     * stream is flowing. (The script creates the stage before it says it is ready.)
     */
    private void awaitStage() {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < until) {
            try (Stream<Path> s = Files.walk(root)) {
                if (s.anyMatch(p -> p.getParent() != null
                        && p.getParent().getFileName().toString().contains(TarUploader.STAGE_INFIX))) {
                    return;
                }
            } catch (IOException | java.io.UncheckedIOException e) {
                // a folder went away under the walk: look again
            }
        }
        throw new AssertionError("the server's tar unpacked nothing");
    }

    private static void swapForLink(Path path, Path target) throws IOException {
        Files.move(path, path.resolveSibling(path.getFileName() + ".aside"));
        Files.createSymbolicLink(path, target);
    }

    /** A source channel that ends after {@code limit} bytes and runs {@code onRead} before each read. */
    private static final class ChannelHook extends ReadOnlyChannel {
        private final long limit;
        private final Runnable onRead;
        private long read;

        ChannelHook(SeekableByteChannel in, long limit, Runnable onRead) {
            super(in);
            this.limit = limit;
            this.onRead = onRead;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            onRead.run();
            if (read >= limit) {
                return -1;
            }
            if (dst.remaining() > limit - read) {
                dst.limit(dst.position() + (int) (limit - read));
            }
            int n = in.read(dst);
            if (n > 0) {
                read += n;
            }
            return n;
        }
    }
}
