package dev.tollgate.logs;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import dev.tollgate.testing.OpenSshServer;
import dev.tollgate.testing.Peers;

/** The publisher against Debian's OpenSSH sshd, started here on a loopback port. */
public class OpenSshPublishTest {
    @ClassRule
    public static final TemporaryFolder TMP = new TemporaryFolder();

    private static OpenSshServer sshd;
    private static String clientPrivateKey;
    private static Path logRoot;
    private static Path source;

    @BeforeClass
    public static void start() throws Exception {
        Path keygen = Peers.requireExecutable("openssh-client", "/usr/bin/ssh-keygen");
        Path keys = TMP.newFolder("client").toPath();
        // Ed25519 in OpenSSH's own key format: what `ssh-keygen` makes by default today
        Process p = new ProcessBuilder(keygen.toString(), "-q", "-t", "ed25519", "-N", "", "-C", "tollgate",
                "-f", keys.resolve("id").toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        clientPrivateKey = Files.readString(keys.resolve("id"), StandardCharsets.US_ASCII);
        String pub = Files.readString(keys.resolve("id.pub"), StandardCharsets.US_ASCII).trim();
        sshd = OpenSshServer.start(TMP.newFolder("sshd").toPath(), List.of(pub));
        logRoot = TMP.newFolder("srv-logs").toPath();
        source = TMP.newFolder("workspace").toPath();
        TestTrees.writeText(source.resolve("logs/screen-n-api.txt"), 700_000, 1);
        for (int i = 0; i < 60; i++) {
            TestTrees.writeText(source.resolve("logs/etc/d" + (i % 5) + "/f" + i + ".conf"), 100 + i * 211, i);
        }
        TestTrees.writeBinary(source.resolve("logs/core.bin"), 123_457, 3);
    }

    @AfterClass
    public static void stop() {
        if (sshd != null) {
            sshd.close();
        }
    }

    private static LogHost host(String hostKey) {
        return LogHost.of("openssh", sshd.host(), sshd.port(), logRoot.toString(), sshd.user(), "deploy-key", hostKey,
                "https://logs.example.org/");
    }

    private static LogPublisher publisher() {
        return publisher(PublisherSettings.defaults());
    }

    private static LogPublisher publisher(PublisherSettings settings) {
        CredentialSource creds = id -> "deploy-key".equals(id) ? Credential.privateKey(clientPrivateKey, null) : null;
        return new LogPublisher(creds, settings, Clock.systemUTC(), d -> {
            throw new AssertionError("no retry expected against a healthy server");
        });
    }

    @Test
    public void uploadsATreeOverSftpWithTheHostKeyChecked() throws Exception {
        String logPath = "21/12321/3/check/check-tempest-dsvm-metaplugin/abc1234";
        PublishResult r = publisher(PublisherSettings.defaults().withProtocol(Protocol.SFTP)).publish(host(sshd.hostPublicKeyLine()), PublishRequest.builder().source(source)
                .parameters(Map.of("LOG_PATH", logPath)).consoleLog(ConsoleLog.of("console.html",
                        "<pre>ok</pre>".getBytes(StandardCharsets.UTF_8))).build(), TransferListener.NONE);

        assertEquals(r.toString(), PublishResult.Outcome.COMPLETE, r.outcome());
        assertEquals(Protocol.SFTP, r.protocol());
        assertEquals("https://logs.example.org/" + logPath + "/", r.url());
        Map<String, String> expected = new java.util.TreeMap<>(TestTrees.checksums(source));
        expected.put("console.html", TestTrees.sha256("<pre>ok</pre>".getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected, TestTrees.checksums(logRoot.resolve(logPath)));
        MinaServerPublishTest.assertNoPartFiles(logRoot);

        // publishing again over the same folder replaces the files (posix-rename over existing names)
        PublishResult again = publisher(PublisherSettings.defaults().withProtocol(Protocol.SFTP)).publish(
                host(sshd.hostPublicKeyLine()), PublishRequest.builder()
                .source(source).parameters(Map.of("LOG_PATH", logPath)).build(), TransferListener.NONE);
        assertEquals(PublishResult.Outcome.COMPLETE, again.outcome());
        assertEquals(expected, TestTrees.checksums(logRoot.resolve(logPath)));
    }

    @Test
    public void scpProtocolWorksAgainstOpenSshScp() throws Exception {
        PublishResult r = publisher(PublisherSettings.defaults().withProtocol(Protocol.SCP)).publish(
                host(sshd.hostPublicKeyLine()), PublishRequest.builder().source(source).destination("scp/run 1")
                        .gzip(true).build(), TransferListener.NONE);
        assertEquals(r.toString(), PublishResult.Outcome.COMPLETE, r.outcome());
        assertEquals(Protocol.SCP, r.protocol());
        Path dest = logRoot.resolve("scp/run 1");
        assertEquals(TestTrees.checksums(source).size(), TestTrees.checksums(dest).size());
        assertEquals(TestTrees.sha256(Files.readAllBytes(source.resolve("logs/screen-n-api.txt"))),
                TestTrees.sha256(TestTrees.gunzip(dest.resolve("logs/screen-n-api.txt.gz"))));
        assertEquals(TestTrees.sha256(Files.readAllBytes(source.resolve("logs/core.bin"))),
                TestTrees.sha256(Files.readAllBytes(dest.resolve("logs/core.bin"))));
    }

    @Test
    public void refusesAWrongHostKeyShowingBothFingerprints() throws Exception {
        String presented = HostKeyPin.parse(sshd.hostPublicKeyLine()).fingerprint();
        HostKeyPin other = HostKeyPin.of(MinaLogServer.ecKey().getPublic());
        try {
            publisher().publish(host(other.fingerprint()), PublishRequest.builder().source(source)
                    .destination("mitm").build(), TransferListener.NONE);
            fail("must refuse");
        } catch (LogPublishException e) {
            assertEquals(LogPublishException.Reason.HOST_KEY_MISMATCH, e.reason());
            assertTrue(e.getMessage(), e.getMessage().contains(presented));
            assertTrue(e.getMessage(), e.getMessage().contains(other.fingerprint()));
        }
        assertFalse(Files.exists(logRoot.resolve("mitm")));
    }

    @Test
    public void pathEscapesAreRejected() throws IOException {
        try {
            publisher().publish(host(sshd.hostPublicKeyLine()), PublishRequest.builder().source(source)
                    .parameters(Map.of("LOG_PATH", "../../../tmp/evil")).build(), TransferListener.NONE);
            fail("must reject");
        } catch (LogPublishException e) {
            assertEquals(LogPublishException.Reason.INVALID_REQUEST, e.reason());
            assertTrue(e.getMessage(), e.getMessage().contains("'..'"));
        }
        assertFalse(Files.exists(logRoot.getParent().resolve("tmp")));
    }
}
