package dev.tollgate.logs;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A build that is still running (or a hostile one) changes the workspace between planning and
 * reading: files and directories swapped for links, files that grow or shrink, reads that blow up.
 * The swaps happen in {@link TransferListener#started}, which the publisher calls after planning and
 * before the first byte is read, so every test is deterministic.
 */
public class HostileSourceTest {
    @ClassRule
    public static final TemporaryFolder TMP = new TemporaryFolder();

    private static final String SECRET = "SECRET host data";

    private static MinaLogServer sftpServer;
    private static MinaLogServer scpServer;
    private static Path outside;

    @BeforeClass
    public static void start() throws IOException {
        Path sftpRoot = TMP.newFolder("sftp-root").toPath();
        Files.createDirectories(sftpRoot.resolve("logs"));
        sftpServer = new MinaLogServer(sftpRoot, true);
        Path scpRoot = TMP.newFolder("scp-root").toPath();
        Files.createDirectories(scpRoot.resolve("logs"));
        scpServer = new MinaLogServer(scpRoot, false);
        outside = TMP.newFolder("outside").toPath();
        Files.writeString(outside.resolve("small.txt"), SECRET);
        Files.writeString(outside.resolve("big.txt"), SECRET.repeat(30_000));
        Files.createDirectories(outside.resolve("etc"));
        Files.writeString(outside.resolve("etc/nova.conf"), SECRET);
    }

    @AfterClass
    public static void stop() throws IOException {
        for (MinaLogServer s : new MinaLogServer[] {sftpServer, scpServer}) {
            if (s != null) {
                s.close();
            }
        }
    }

    private static LogPublisher publisher(Protocol protocol) {
        return publisher(protocol, LocalFiles.forPlatform());
    }

    private static LogPublisher publisher(Protocol protocol, LocalFiles opener) {
        CredentialSource creds = id -> Credential.password(MinaLogServer.PASSWORD.toCharArray());
        return new LogPublisher(creds, PublisherSettings.defaults().withProtocol(protocol), Clock.systemUTC(),
                d -> { }, opener);
    }

    private static MinaLogServer server(Protocol protocol) {
        return protocol == Protocol.SCP ? scpServer : sftpServer;
    }

    /** logs/small.txt (pipelined), logs/big.txt (streamed), logs/etc/nova.conf, logs/keep.txt. */
    private static Path workspace(String name) throws IOException {
        Path src = TMP.newFolder(name).toPath();
        TestTrees.writeText(src.resolve("logs/small.txt"), 100, 1);
        TestTrees.writeText(src.resolve("logs/big.txt"), 400_000, 2);
        TestTrees.writeText(src.resolve("logs/etc/nova.conf"), 300, 3);
        TestTrees.writeText(src.resolve("logs/keep.txt"), 500, 4);
        return src;
    }

    private static PublishResult publish(Protocol protocol, Path src, String dest, TransferListener listener)
            throws LogPublishException {
        return publish(protocol, LocalFiles.forPlatform(), src, dest, listener);
    }

    private static PublishResult publish(Protocol protocol, LocalFiles opener, Path src, String dest,
            TransferListener listener) throws LogPublishException {
        return publisher(protocol, opener).publish(server(protocol).logHost("/logs", "pw"),
                PublishRequest.builder().source(src).destination(dest).build(), listener);
    }

    private static void swapForLink(Path path, Path target) throws IOException {
        Path aside = path.resolveSibling(path.getFileName() + ".aside");
        Files.move(path, aside);
        Files.createSymbolicLink(path, target);
    }

    private static void assertNoSecretPublished(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p)) {
                    assertFalse(p + " holds data from outside the workspace",
                            Files.readString(p, StandardCharsets.ISO_8859_1).contains(SECRET));
                }
            }
        }
    }

    @Test
    public void filesAndDirectoriesSwappedForLinksAfterPlanningAreRefusedOverSftp() throws Exception {
        swappedForLinks(Protocol.SFTP, LocalFiles.forPlatform());
    }

    @Test
    public void filesAndDirectoriesSwappedForLinksAfterPlanningAreRefusedOverScp() throws Exception {
        swappedForLinks(Protocol.SCP, LocalFiles.forPlatform());
    }

    @Test
    public void theSecureDirectoryWalkIsWhatLinuxUses() {
        assertTrue(LocalFiles.forPlatform() == LocalFiles.secure());
    }

    @Test
    public void withoutSecureDirectoryStreamsSwapsAreRefusedToo() throws Exception {
        swappedForLinks(Protocol.SFTP, LocalFiles.portable());
        swappedForLinks(Protocol.SCP, LocalFiles.portable());
    }

    private void swappedForLinks(Protocol protocol, LocalFiles opener) throws Exception {
        Path src = workspace("swap-" + protocol + "-" + opener.getClass().getSimpleName());
        String keep = Files.readString(src.resolve("logs/keep.txt"));
        Recorder rec = new Recorder(() -> {
            swapForLink(src.resolve("logs/small.txt"), outside.resolve("small.txt"));
            swapForLink(src.resolve("logs/big.txt"), outside.resolve("big.txt"));
            swapForLink(src.resolve("logs/etc"), outside.resolve("etc"));
        });
        String dest = "swap/" + protocol + "-" + opener.getClass().getSimpleName();
        PublishResult r = publish(protocol, opener, src, dest, rec);

        Path published = server(protocol).remote("logs/" + dest);
        assertNoSecretPublished(published);
        assertEquals(keep, Files.readString(published.resolve("logs/keep.txt")));
        assertEquals(r.toString(), PublishResult.Outcome.PARTIAL, r.outcome());
        assertEquals(1, r.files());
        String failures = r.failures().toString();
        assertEquals(failures, 3, r.failures().size());
        for (String f : List.of("logs/small.txt", "logs/big.txt", "logs/etc/nova.conf")) {
            assertTrue(failures, failures.contains(f + ": changed after planning"));
        }
        assertEquals(new java.util.HashSet<>(r.failures()), new java.util.HashSet<>(rec.failed));
    }

    @Test
    public void aFileThatGrowsAfterPlanningIsPublishedAtItsPlannedSize() throws Exception {
        for (Protocol protocol : List.of(Protocol.SFTP, Protocol.SCP)) {
            Path src = workspace("grow-" + protocol);
            Map<String, byte[]> planned = Map.of("logs/small.txt", Files.readAllBytes(src.resolve("logs/small.txt")),
                    "logs/big.txt", Files.readAllBytes(src.resolve("logs/big.txt")));
            Recorder rec = new Recorder(() -> {
                // a service that is still running keeps writing
                for (String f : planned.keySet()) {
                    Files.write(src.resolve(f), new byte[300_000], StandardOpenOption.APPEND);
                }
            });
            String dest = "grow/" + protocol;
            PublishResult r = publish(protocol, src, dest, rec);

            Path published = server(protocol).remote("logs/" + dest);
            for (Map.Entry<String, byte[]> e : planned.entrySet()) {
                assertEquals(protocol + " " + e.getKey(), TestTrees.sha256(e.getValue()),
                        TestTrees.sha256(Files.readAllBytes(published.resolve(e.getKey()))));
            }
            assertEquals(r.toString(), 4, r.files());
            assertEquals(r.toString(), PublishResult.Outcome.COMPLETE, r.outcome());
            assertEquals(r.changed().toString(), 2, r.changed().size());
            for (FileProblem p : r.changed()) {
                assertTrue(p.toString(), planned.containsKey(p.path()));
                assertTrue(p.toString(), p.reason().contains("grew after planning; its first "
                        + planned.get(p.path()).length + " bytes (the planned size) were published"));
            }
            // several upload threads: the order of the reports is theirs
            assertEquals(new java.util.HashSet<>(r.changed()), new java.util.HashSet<>(rec.changed));
        }
    }

    @Test
    public void aFileThatShrinksAfterPlanningFailsAndNothingIsLeftUnderItsName() throws Exception {
        for (Protocol protocol : List.of(Protocol.SFTP, Protocol.SCP)) {
            Path src = workspace("shrink-" + protocol);
            Recorder rec = new Recorder(() -> {
                for (String f : List.of("logs/small.txt", "logs/big.txt")) {
                    try (var ch = Files.newByteChannel(src.resolve(f), StandardOpenOption.WRITE)) {
                        ch.truncate(10);
                    }
                }
            });
            String dest = "shrink/" + protocol;
            PublishResult r = publish(protocol, src, dest, rec);

            Path published = server(protocol).remote("logs/" + dest);
            assertEquals(r.toString(), PublishResult.Outcome.PARTIAL, r.outcome());
            assertEquals(r.toString(), 2, r.files());
            String failures = r.failures().toString();
            assertEquals(failures, 2, r.failures().size());
            assertTrue(failures, failures.contains("logs/small.txt: changed after planning: shrank"));
            assertTrue(failures, failures.contains("logs/big.txt: changed after planning: shrank"));
            for (String f : List.of("logs/small.txt", "logs/big.txt")) {
                if (protocol == Protocol.SCP) {
                    // SCP cannot remove: the copy is emptied, never left with padding under the name
                    assertEquals(f, 0, Files.size(published.resolve(f)));
                } else {
                    assertFalse(f, Files.exists(published.resolve(f)));
                }
            }
            MinaServerPublishTest.assertNoPartFiles(published);
        }
    }

    @Test
    public void theSourceDirectoryItselfSwappedForALinkIsRefused() throws Exception {
        Path src = workspace("swap-root");
        Path copy = TMP.newFolder("swap-root-copy").toPath();
        TestTrees.writeText(copy.resolve("logs/keep.txt"), 500, 4);
        Recorder rec = new Recorder(() -> swapForLink(src, copy));
        PublishResult r = publish(Protocol.SFTP, src, "swap-root", rec);
        assertEquals(r.toString(), 0, r.files());
        assertEquals(r.toString(), 4, r.failures().size());
        assertTrue(r.failures().toString(), r.failures().get(0).reason()
                .startsWith("changed after planning: the source directory"));
    }

    @Test
    public void aHardLinkToAFileOutsideTheWorkspaceIsRefused() throws Exception {
        Path src = workspace("hardlink");
        Path secret = outside.resolve("agent-key");
        Files.writeString(secret, SECRET);
        Files.createLink(src.resolve("logs/innocent.txt"), secret);
        // two names for one file, both inside: fine
        Files.createLink(src.resolve("logs/keep-again.txt"), src.resolve("logs/keep.txt"));
        PublishResult r = publish(Protocol.SFTP, src, "hardlink", new Recorder(() -> { }));

        assertNoSecretPublished(sftpServer.remote("logs/hardlink"));
        assertEquals(r.toString(), 5, r.files());
        assertEquals(r.skipped().toString(), 1, r.skipped().size());
        assertTrue(r.skipped().toString(), r.skipped().get(0).toString().startsWith(
                "logs/innocent.txt: has 2 hard links but only 1 inside the source directory"));
    }

    @Test
    public void aConsoleLogFileIsNotReadThroughALink() throws Exception {
        Path dir = TMP.newFolder("build-dir").toPath();
        Path console = dir.resolve("log");
        Files.writeString(console, "Started\n");
        Path linked = dir.resolve("log-link");
        Files.createSymbolicLink(linked, outside.resolve("small.txt"));
        PublishResult r = publisher(Protocol.SFTP).publish(sftpServer.logHost("/logs", "pw"), PublishRequest.builder()
                .consoleLog(ConsoleLog.of("console.txt", linked)).destination("console-link").build(),
                new Recorder(() -> { }));
        assertEquals(r.toString(), 0, r.files());
        assertTrue(r.skipped().toString(), r.skipped().toString().contains("console log: is a symbolic link"));

        Recorder swap = new Recorder(() -> swapForLink(console, outside.resolve("small.txt")));
        r = publisher(Protocol.SFTP).publish(sftpServer.logHost("/logs", "pw"), PublishRequest.builder()
                .consoleLog(ConsoleLog.of("console.txt", console)).destination("console-swap").build(), swap);
        assertEquals(r.toString(), 0, r.files());
        assertTrue(r.failures().toString(), r.failures().toString().contains(
                "console.txt: changed after planning: log is now a symbolic link"));
        assertFalse(Files.exists(sftpServer.remote("logs/console-swap/console.txt")));
    }

    @Test
    public void anErrorWhileReadingOneFileFailsThatFileAloneAndLosesNothing() throws Exception {
        for (Protocol protocol : List.of(Protocol.SFTP, Protocol.SCP)) {
            Path src = workspace("error-" + protocol);
            InputStreamSource exploding = () -> new InputStream() {
                @Override
                public int read() {
                    throw new OutOfMemoryError("simulated: the heap ran out while reading");
                }
            };
            String dest = "error/" + protocol;
            Recorder rec = new Recorder(() -> { });
            PublishResult r = publisher(protocol).publish(server(protocol).logHost("/logs", "pw"),
                    PublishRequest.builder().source(src).destination(dest)
                            .consoleLog(new ConsoleLog("console.html", exploding)).build(), rec);

            assertEquals(protocol + ": " + r, PublishResult.Outcome.PARTIAL, r.outcome());
            assertEquals(r.toString(), 4, r.files());
            assertEquals(1, r.failures().size());
            assertTrue(r.failures().toString(), r.failures().get(0).toString().startsWith("console.html: "));
            assertTrue(r.failures().toString(), r.failures().get(0).reason().contains("simulated"));
            assertEquals(4, TestTrees.checksums(server(protocol).remote("logs/" + dest)).size());
        }
    }

    @Test
    public void aListenerThatThrowsAnErrorLosesNoFile() throws Exception {
        Path src = workspace("listener-error");
        for (int i = 0; i < 30; i++) {
            TestTrees.writeText(src.resolve("logs/many/f" + i + ".txt"), 200 + i, 100 + i);
        }
        Map<String, String> expected = TestTrees.checksums(src);
        TransferListener broken = new TransferListener() {
            @Override
            public void fileUploaded(String remotePath, long bytes, long sentBytes, int done, int total) {
                throw new AssertionError("listener bug");
            }
        };
        PublishResult r = publisher(Protocol.SFTP).publish(sftpServer.logHost("/logs", "pw"),
                PublishRequest.builder().source(src).destination("listener-error").build(), broken);

        assertEquals(r.toString(), PublishResult.Outcome.COMPLETE, r.outcome());
        assertEquals(expected.size(), r.files());
        assertEquals(expected, TestTrees.checksums(sftpServer.remote("logs/listener-error")));
    }

    @Test
    public void theListenerIsCalledOneCallAtATime() throws Exception {
        Path src = workspace("listener-turns");
        for (int i = 0; i < 40; i++) {
            TestTrees.writeText(src.resolve("logs/many/f" + i + ".txt"), 200 + i, 100 + i);
        }
        java.util.concurrent.atomic.AtomicInteger inside = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger overlaps = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CountDownLatch second = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean(true);
        TransferListener notThreadSafe = new TransferListener() {
            @Override
            public void fileUploaded(String remotePath, long bytes, long sentBytes, int done, int total) {
                if (inside.incrementAndGet() > 1) {
                    overlaps.incrementAndGet();
                    second.countDown();
                }
                try {
                    if (first.getAndSet(false)) {
                        // four upload threads are busy: if calls were not taken in turns, another would
                        // come in while this one waits
                        second.await(300, java.util.concurrent.TimeUnit.MILLISECONDS);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    inside.decrementAndGet();
                }
            }
        };
        PublishResult r = publisher(Protocol.SFTP).publish(sftpServer.logHost("/logs", "pw"),
                PublishRequest.builder().source(src).destination("listener-turns").build(), notThreadSafe);
        assertEquals(r.toString(), PublishResult.Outcome.COMPLETE, r.outcome());
        assertEquals("calls that overlapped", 0, overlaps.get());
    }

    /** Records problems; runs a change to the workspace when the plan is made. */
    static final class Recorder implements TransferListener {
        interface Change {
            void run() throws IOException;
        }

        final List<FileProblem> failed = new java.util.ArrayList<>();
        final List<FileProblem> changed = new java.util.ArrayList<>();
        private final Change onStarted;

        Recorder(Change onStarted) {
            this.onStarted = onStarted;
        }

        @Override
        public void started(String url, int files, long bytes) {
            try {
                onStarted.run();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public void fileFailed(FileProblem problem) {
            failed.add(problem);
        }

        @Override
        public void fileChanged(FileProblem problem) {
            changed.add(problem);
        }
    }
}
