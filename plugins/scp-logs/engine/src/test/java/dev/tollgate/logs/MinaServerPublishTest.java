package dev.tollgate.logs;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.tollgate.common.BuildResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The publisher against an embedded Apache MINA SSH server (SFTP + SCP) started here. */
public class MinaServerPublishTest {
    @ClassRule
    public static final TemporaryFolder TMP = new TemporaryFolder();

    private static MinaLogServer server;
    private static Path source;
    private static Map<String, String> sourceSums;

    private final List<Duration> sleeps = Collections.synchronizedList(new ArrayList<>());
    private final Recorder recorder = new Recorder();
    private Path remoteRoot;

    @BeforeClass
    public static void startServer() throws IOException {
        Path root = TMP.newFolder("server-root").toPath();
        Files.createDirectories(root.resolve("srv/logs"));
        server = new MinaLogServer(root, true);
        source = TMP.newFolder("workspace-logs").toPath();
        // a small devstack-like tree: a few big logs, many small ones, nested dirs, a binary file
        TestTrees.writeText(source.resolve("logs/screen-n-cpu.txt"), 900_000, 1);
        TestTrees.writeText(source.resolve("logs/screen-q-svc.txt"), 400_000, 2);
        for (int i = 0; i < 40; i++) {
            TestTrees.writeText(source.resolve("logs/etc/nova/conf" + i + ".conf"), 200 + i * 97, 10 + i);
        }
        for (int i = 0; i < 20; i++) {
            TestTrees.writeText(source.resolve("logs/apache/access" + i + ".log"), 3_000 + i * 1_000, 100 + i);
        }
        TestTrees.writeBinary(source.resolve("logs/dstat.bin"), 70_000, 7);
        TestTrees.writeText(source.resolve("testr_results.html"), 50_000, 8);
        Files.writeString(source.resolve("logs/empty.txt"), "");
        sourceSums = TestTrees.checksums(source);
    }

    @AfterClass
    public static void stopServer() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    @Before
    public void setUp() {
        remoteRoot = server.remote("srv/logs");
    }

    private LogPublisher publisher(PublisherSettings settings) {
        CredentialSource creds = id -> switch (id) {
            case "pw" -> Credential.password(MinaLogServer.PASSWORD.toCharArray());
            case "key" -> Credential.keyPair(server.clientKey);
            case "wrong-pw" -> Credential.password("nope".toCharArray());
            default -> null;
        };
        return new LogPublisher(creds, settings, Clock.systemUTC(), sleeps::add);
    }

    private LogPublisher publisher() {
        return publisher(PublisherSettings.defaults().withChannels(4));
    }

    private static PublishRequest.Builder request(String logPath) {
        return PublishRequest.builder().source(source).parameters(Map.of("LOG_PATH", logPath));
    }

    @Test
    public void uploadsTheWholeTreeWithContentAndReportsTheUrl() throws Exception {
        String logPath = "21/12321/3/check/check-tempest-dsvm-metaplugin/abc1234";
        PublishResult r = publisher().publish(server.logHost("/srv/logs", "pw"), request(logPath).build(), recorder);

        assertEquals(PublishResult.Outcome.COMPLETE, r.outcome());
        assertEquals("http://logs.example.org/ci/" + logPath + "/", r.url());
        assertEquals(Protocol.SFTP, r.protocol());
        assertEquals(sourceSums.size(), r.files());
        assertEquals(sourceSums, TestTrees.checksums(remoteRoot.resolve(logPath)));
        long total = 0;
        for (String f : sourceSums.keySet()) {
            total += Files.size(source.resolve(f));
        }
        assertEquals(total, r.bytes());
        assertEquals(total, r.bytesSent());
        assertEquals(1, r.attempts());
        assertEquals(sourceSums.size(), recorder.uploaded.size());
        assertEquals(r, recorder.finished);
        assertEquals(r.url(), recorder.startedUrl);
        assertNoPartFiles(remoteRoot);
    }

    @Test
    public void includesExcludesAndFlatten() throws Exception {
        PublishRequest req = request("globs/1").includes("logs/**/*.conf, *.html").excludes("**/conf1*.conf")
                .flatten(true).build();
        PublishResult r = publisher().publish(server.logHost("/srv/logs", "key"), req, recorder);

        List<String> names;
        try (Stream<Path> s = Files.list(remoteRoot.resolve("globs/1"))) {
            names = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        // 40 conf files minus conf1, conf10..conf19 (11), plus the html file; all flat
        assertEquals(40 - 11 + 1, names.size());
        assertTrue(names.contains("testr_results.html"));
        assertTrue(names.contains("conf0.conf"));
        assertFalse(names.contains("conf1.conf"));
        assertFalse(names.contains("conf12.conf"));
        assertTrue(names.contains("conf2.conf"));
        assertEquals(names.size(), r.files());
        assertArrayEquals(Files.readAllBytes(source.resolve("logs/etc/nova/conf7.conf")),
                Files.readAllBytes(remoteRoot.resolve("globs/1/conf7.conf")));
    }

    @Test
    public void consoleLogAndGzipOfTextLogs() throws Exception {
        byte[] console = "<html><pre>Started by Gerrit\nFinished: FAILURE</pre></html>\n".getBytes(StandardCharsets.UTF_8);
        PublishRequest req = request("gz/2").includes("logs/").gzip(true)
                .consoleLog(ConsoleLog.of("console.html", console)).buildResult(BuildResult.FAILURE).build();
        PublishResult r = publisher().publish(server.logHost("/srv/logs", "pw"), req, recorder);

        Path dest = remoteRoot.resolve("gz/2");
        assertEquals(PublishResult.Outcome.COMPLETE, r.outcome());
        assertArrayEquals(console, TestTrees.gunzip(dest.resolve("console.html.gz")));
        assertArrayEquals(Files.readAllBytes(source.resolve("logs/screen-n-cpu.txt")),
                TestTrees.gunzip(dest.resolve("logs/screen-n-cpu.txt.gz")));
        assertFalse(Files.exists(dest.resolve("logs/screen-n-cpu.txt")));
        // binary files are not text logs: sent as they are
        assertArrayEquals(Files.readAllBytes(source.resolve("logs/dstat.bin")),
                Files.readAllBytes(dest.resolve("logs/dstat.bin")));
        assertTrue("gzip must shrink text logs: " + r, r.bytesSent() < r.bytes() / 2);
    }

    @Test
    public void copyAfterFailureOffSkipsAFailedBuild() throws Exception {
        PublishRequest req = request("skip/3").copyAfterFailure(false).buildResult(BuildResult.FAILURE).build();
        PublishResult r = publisher().publish(server.logHost("/srv/logs", "pw"), req, recorder);
        assertEquals(PublishResult.Outcome.SKIPPED, r.outcome());
        assertFalse(Files.exists(remoteRoot.resolve("skip")));
        // a successful build is still published with the option off
        PublishResult ok = publisher().publish(server.logHost("/srv/logs", "pw"),
                request("skip/3").copyAfterFailure(false).includes("*.html").build(), TransferListener.NONE);
        assertEquals(PublishResult.Outcome.COMPLETE, ok.outcome());
    }

    @Test
    public void refusesAServerWhoseHostKeyDoesNotMatch() throws Exception {
        HostKeyPin other = HostKeyPin.of(MinaLogServer.ecKey().getPublic());
        LogHost h = server.logHost("/srv/logs", "pw");
        LogHost wrong = new LogHost(h.name(), h.host(), h.port(), h.rootPath(), h.user(), h.credentialId(), other,
                h.urlBase());
        try {
            publisher().publish(wrong, request("mitm/1").build(), recorder);
            fail("a wrong host key must be refused");
        } catch (LogPublishException e) {
            assertEquals(LogPublishException.Reason.HOST_KEY_MISMATCH, e.reason());
            assertTrue(e.getMessage(), e.getMessage().contains(server.hostKeyFingerprint()));
            assertTrue(e.getMessage(), e.getMessage().contains(other.fingerprint()));
        }
        assertFalse(Files.exists(remoteRoot.resolve("mitm")));
        assertTrue("no retries on a host key mismatch", sleeps.isEmpty());
    }

    @Test
    public void wrongPasswordIsAnAuthenticationFailureWithoutTheSecret() throws Exception {
        try {
            publisher().publish(server.logHost("/srv/logs", "wrong-pw"), request("auth/1").build(), recorder);
            fail("wrong password must fail");
        } catch (LogPublishException e) {
            assertEquals(LogPublishException.Reason.AUTHENTICATION, e.reason());
            assertFalse(e.getMessage().contains("nope"));
        }
        try {
            publisher().publish(server.logHost("/srv/logs", "unknown"), request("auth/1").build(), recorder);
            fail("unknown credential must fail");
        } catch (LogPublishException e) {
            assertEquals(LogPublishException.Reason.NO_CREDENTIAL, e.reason());
            assertTrue(e.getMessage(), e.getMessage().contains("unknown"));
        }
    }

    @Test
    public void destinationsThatLeaveTheRootAreRejectedBeforeConnecting() throws Exception {
        int sessionsBefore = server.sessions.get();
        for (String dest : List.of("../x", "a/../../x", "/etc", "a\\..\\b", "ok/\u0007bell", "${LOG_PATH}")) {
            Map<String, String> params = dest.equals("${LOG_PATH}") ? Map.of("LOG_PATH", "../../etc") : Map.of();
            try {
                publisher().publish(server.logHost("/srv/logs", "pw"),
                        PublishRequest.builder().source(source).destination(dest).parameters(params).build(), recorder);
                fail("destination " + dest + " must be rejected");
            } catch (LogPublishException e) {
                assertEquals(LogPublishException.Reason.INVALID_REQUEST, e.reason());
                assertTrue(e.getMessage(), e.getMessage().contains("destination"));
            }
        }
        assertEquals("nothing was sent", sessionsBefore, server.sessions.get());
        assertFalse(Files.exists(server.root.resolve("etc")));
        assertFalse(Files.exists(server.root.resolve("x")));
    }

    @Test
    public void unsafeSourceNamesAndEscapingSymlinksAreSkippedNotUploaded() throws Exception {
        Path src = TMP.newFolder("unsafe").toPath();
        Path outside = TMP.newFolder("outside").toPath();
        Files.writeString(outside.resolve("secret.txt"), "host secrets");
        Files.writeString(src.resolve("good.txt"), "fine");
        Files.writeString(src.resolve("bell\u0007name.txt"), "control char");
        Files.writeString(src.resolve("back\\slash.txt"), "backslash");
        Files.writeString(src.resolve("invoice\u202Etxt.exe"), "reads as invoiceexe.txt");
        Files.createSymbolicLink(src.resolve("escape.txt"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(src.resolve("escape-dir"), outside);
        Files.createSymbolicLink(src.resolve("inside.txt"), src.resolve("good.txt"));

        PublishResult r = publisher().publish(server.logHost("/srv/logs", "pw"),
                PublishRequest.builder().source(src).destination("unsafe/1").build(), recorder);

        Path dest = remoteRoot.resolve("unsafe/1");
        assertEquals(Map.of("good.txt", TestTrees.sha256("fine".getBytes(StandardCharsets.UTF_8)),
                "inside.txt", TestTrees.sha256("fine".getBytes(StandardCharsets.UTF_8))), TestTrees.checksums(dest));
        assertEquals(5, r.skipped().size());
        String all = r.skipped().toString();
        assertTrue(all, all.contains("control character"));
        assertTrue(all, all.contains("invoice\\u202etxt.exe: file name contains an invisible or control character (U+202E)"));
        assertTrue(all, all.contains("backslash"));
        assertTrue(all, all.contains("escape.txt: symlink points outside the source directory"));
        assertTrue(all, all.contains("escape-dir"));
        assertEquals(5, recorder.failed.size());
        try {
            new ConsoleLog("../console.html", () -> null);
            fail("a console log name with .. must be rejected");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("'..'"));
        }
    }

    @Test
    public void transferInterruptedInsideALargeStreamedFileIsRetriedWithoutCorruption() throws Exception {
        interruptAndRetry("retry/large", 600_000, 0, 4); // inside screen-n-cpu.txt or screen-q-svc.txt
    }

    @Test
    public void transferInterruptedAmongPipelinedSmallFilesIsRetriedWithoutCorruption() throws Exception {
        // one channel makes the order fixed: the two large files are done, small ones are in flight
        interruptAndRetry("retry/small", 1_400_000, 2, 1);
    }

    private void interruptAndRetry(String logPath, long killAfterBytes, int minDoneBeforeBreak, int channels)
            throws Exception {
        int sessionsBefore = server.sessions.get();
        int killsBefore = server.kills.get();
        server.killOnceAfter(killAfterBytes);
        PublishResult r = publisher(PublisherSettings.defaults().withChannels(channels))
                .publish(server.logHost("/srv/logs", "key"), request(logPath).build(), recorder);

        assertEquals("the server killed the session once", killsBefore + 1, server.kills.get());
        assertEquals(PublishResult.Outcome.COMPLETE, r.outcome());
        assertEquals(2, r.attempts());
        assertEquals(2, server.sessions.get() - sessionsBefore);
        assertEquals(List.of(Duration.ofSeconds(1)), sleeps);
        assertEquals(1, recorder.retries);
        assertTrue("the break came in the middle: " + recorder.uploadedBeforeRetry + " files done before it",
                recorder.uploadedBeforeRetry >= minDoneBeforeBreak && recorder.uploadedBeforeRetry < sourceSums.size());
        assertEquals("each file reported once", sourceSums.size(), new java.util.HashSet<>(recorder.uploaded).size());
        assertEquals("each file reported once", sourceSums.size(), recorder.uploaded.size());
        assertEquals(sourceSums, TestTrees.checksums(remoteRoot.resolve(logPath)));
        assertEquals(sourceSums.size(), r.files());
        assertNoPartFiles(remoteRoot);
    }

    @Test
    public void filesTheServerRefusesFailAloneAndTheRestIsPublished() throws Exception {
        Path src = TMP.newFolder("refused").toPath();
        for (String n : List.of("a.txt", "b.txt", "c.txt")) {
            Files.writeString(src.resolve(n), "content of " + n);
        }
        Path dest = Files.createDirectories(remoteRoot.resolve("refused/1"));
        // the temporary name of a.txt is taken by a directory: OPEN fails
        Files.createDirectories(dest.resolve(".a.txt" + SftpUploader.PART_SUFFIX));
        // b.txt is a non-empty directory on the server: the rename fails
        Files.createDirectories(dest.resolve("b.txt/inner"));

        PublishResult r = publisher().publish(server.logHost("/srv/logs", "pw"),
                PublishRequest.builder().source(src).destination("refused/1").build(), recorder);

        assertEquals(PublishResult.Outcome.PARTIAL, r.outcome());
        assertEquals(1, r.files());
        assertEquals("content of c.txt", Files.readString(dest.resolve("c.txt")));
        assertEquals(2, r.failures().size());
        String failures = r.failures().toString();
        assertTrue(failures, failures.contains("a.txt: server refused it"));
        assertTrue(failures, failures.contains("b.txt: server refused the rename"));
        assertFalse("the temporary copy of b.txt was removed",
                Files.exists(dest.resolve(".b.txt" + SftpUploader.PART_SUFFIX)));
        assertTrue(sleeps.isEmpty());
    }

    @Test
    public void givesUpAfterMaxAttemptsWhenNothingListens() throws Exception {
        LogHost h = server.logHost("/srv/logs", "pw");
        LogHost dead = new LogHost("dead", "127.0.0.1", dev.tollgate.testing.Peers.freePort(), "/srv/logs", "logs",
                "pw", h.hostKey(), h.urlBase());
        try {
            publisher(PublisherSettings.defaults().withMaxAttempts(3)).publish(dead, request("dead/1").build(), recorder);
            fail("nothing listens there");
        } catch (LogPublishException e) {
            assertEquals(LogPublishException.Reason.CONNECTION, e.reason());
            assertTrue(e.getMessage(), e.getMessage().contains("after 3 attempts"));
        }
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)), sleeps);
    }

    @Test
    public void aPinnedRsaKeyMatchesAServerThatAlsoHasAnEcdsaKey() throws Exception {
        String logPath = "21/12321/3/check/check-tempest-dsvm-metaplugin/rsa0001";
        PublishResult r = publisher().publish(
                server.logHost("/srv/logs", "pw", HostKeyPin.of(server.rsaHostKey.getPublic())),
                request(logPath).build(), recorder);
        assertEquals(PublishResult.Outcome.COMPLETE, r.outcome());
    }

    @Test
    public void fallsBackToScpWhenTheServerHasNoSftp() throws Exception {
        Path root = TMP.newFolder("scp-only").toPath();
        Files.createDirectories(root.resolve("logs"));
        try (MinaLogServer scpOnly = new MinaLogServer(root, false)) {
            CredentialSource creds = id -> Credential.password(MinaLogServer.PASSWORD.toCharArray());
            LogPublisher p = new LogPublisher(creds, PublisherSettings.defaults(), Clock.systemUTC(), sleeps::add);
            PublishResult r = p.publish(scpOnly.logHost("/logs", "pw"),
                    // a console log of unknown length (as Jenkins hands it over): spooled, then sent with its length
                    request("21/12321/3/check/job/abc").consoleLog(new ConsoleLog("console.txt",
                            () -> new java.io.ByteArrayInputStream("done\n".getBytes(StandardCharsets.UTF_8))))
                            .build(), recorder);
            assertEquals(Protocol.SCP, r.protocol());
            assertEquals(PublishResult.Outcome.COMPLETE, r.outcome());
            Map<String, String> expected = new java.util.TreeMap<>(sourceSums);
            expected.put("console.txt", TestTrees.sha256("done\n".getBytes(StandardCharsets.UTF_8)));
            assertEquals(expected, TestTrees.checksums(root.resolve("logs/21/12321/3/check/job/abc")));
        }
    }

    @Test
    public void aServerWithoutAShellIsAskedForTarOnceAnHourAndSftpIsUsed() throws Exception {
        dev.tollgate.testing.ManualClock clock = new dev.tollgate.testing.ManualClock(java.time.Instant.parse(
                "2026-11-28T10:00:00Z"));
        CredentialSource creds = id -> Credential.password(MinaLogServer.PASSWORD.toCharArray());
        LogPublisher p = new LogPublisher(creds, PublisherSettings.defaults(), clock, sleeps::add);
        int before = server.otherCommands.get();
        for (int i = 0; i < 3; i++) {
            PublishResult r = p.publish(server.logHost("/srv/logs", "pw"), request("probe/" + i).includes("*.html")
                    .build(), TransferListener.NONE);
            assertEquals(Protocol.SFTP, r.protocol());
            assertEquals(PublishResult.Outcome.COMPLETE, r.outcome());
        }
        assertEquals("the first publish asked, the next two remembered the answer", before + 1,
                server.otherCommands.get());
        clock.advance(Duration.ofMinutes(61));
        p.publish(server.logHost("/srv/logs", "pw"), request("probe/3").includes("*.html").build(),
                TransferListener.NONE);
        assertEquals("asked again after an hour", before + 2, server.otherCommands.get());
    }

    @Test
    public void tarOnlyIsRefusedByAServerWithoutAShell() throws Exception {
        try {
            publisher(PublisherSettings.defaults().withProtocol(Protocol.TAR)).publish(
                    server.logHost("/srv/logs", "pw"), request("tar-only").build(), recorder);
            fail("MINA's server runs no tar");
        } catch (LogPublishException e) {
            assertEquals(LogPublishException.Reason.REMOTE_REFUSED, e.reason());
            assertTrue(e.getMessage(), e.getMessage().contains("takes no tar stream"));
        }
        assertFalse(Files.exists(remoteRoot.resolve("tar-only")));
    }

    static void assertNoPartFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            List<Path> parts = s.filter(p -> p.getFileName().toString().endsWith(SftpUploader.PART_SUFFIX)).toList();
            assertEquals("temporary files left: " + parts, List.of(), parts);
        }
    }

    static final class Recorder implements TransferListener {
        final List<String> uploaded = new ArrayList<>();
        final List<FileProblem> failed = new ArrayList<>();
        String startedUrl;
        int retries;
        int uploadedBeforeRetry = -1;
        PublishResult finished;

        @Override
        public void started(String url, int files, long bytes) {
            startedUrl = url;
        }

        @Override
        public void fileUploaded(String remotePath, long bytes, long sentBytes, int done, int total) {
            uploaded.add(remotePath);
        }

        @Override
        public void fileFailed(FileProblem problem) {
            failed.add(problem);
        }

        @Override
        public void retrying(int nextAttempt, Duration delay, String cause) {
            retries++;
            uploadedBeforeRetry = uploaded.size();
        }

        @Override
        public void finished(PublishResult result) {
            assertNull("finished once", finished);
            finished = result;
        }
    }
}
