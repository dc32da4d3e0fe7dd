package dev.tollgate.logs;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;

import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import dev.tollgate.testing.OpenSshServer;

/**
 * "Test connection" ({@link LogPublisher#checkConnection}) against the embedded MINA server and
 * OpenSSH: the pinned host key, the login, and a root path that exists and can be written to, each
 * failing with the reason a publish would fail for, and nothing left behind on the server.
 */
public class ConnectionCheckTest {
    @ClassRule
    public static final TemporaryFolder TMP = new TemporaryFolder();

    private static MinaLogServer mina;
    private static Path minaRoot;
    private static OpenSshServer sshd;
    private static String clientKey;

    @BeforeClass
    public static void start() throws Exception {
        minaRoot = TMP.newFolder("mina-root").toPath();
        Files.createDirectories(minaRoot.resolve("logs"));
        Files.writeString(minaRoot.resolve("a-file"), "not a directory");
        mina = new MinaLogServer(minaRoot, true);
        ClientKey key = ClientKey.generate(TMP.newFolder("client").toPath());
        clientKey = key.privateKey();
        sshd = OpenSshServer.start(TMP.newFolder("sshd").toPath(),
                List.of(key.publicKey()));
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

    @Before
    public void serverAcceptsEverything() {
        mina.refuseWrites = false;
        mina.refuseRemoves = false;
    }

    private static LogPublisher publisher() {
        CredentialSource creds = id -> switch (id) {
            case "pw" -> Credential.password(MinaLogServer.PASSWORD.toCharArray());
            case "wrong-pw" -> Credential.password("not-it".toCharArray());
            case "key" -> Credential.privateKey(clientKey, null);
            case "broken-key" -> Credential.privateKey("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n", null);
            default -> null;
        };
        return new LogPublisher(creds, PublisherSettings.defaults(), Clock.systemUTC(),
                d -> fail("a check is never retried"));
    }

    private static LogPublishException refused(LogHost host) {
        try {
            fail("checked: " + publisher().checkConnection(host));
            return null;
        } catch (LogPublishException e) {
            assertFalse(e.getMessage(), e.getMessage().contains(MinaLogServer.PASSWORD));
            return e;
        }
    }

    private static List<String> leftovers(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".tollgate")).toList();
        }
    }

    @Test
    public void aWritableRootPassesAndTheProbeFileIsGone() throws Exception {
        ConnectionCheck c = publisher().checkConnection(mina.logHost("/logs", "pw"));
        assertTrue(c.rootChecked());
        assertEquals(mina.hostKeyFingerprint(), c.hostKey());
        assertTrue(c.serverVersion(), c.serverVersion().startsWith("SSH-2.0-"));
        assertEquals("connected to log host 'mina' (" + c.serverVersion() + ", host key " + mina.hostKeyFingerprint()
                + ") as logs; root path /logs is a directory it can write to", c.message());
        assertEquals(List.of(), leftovers(minaRoot));
    }

    @Test
    public void openSshWithAKeyAndItsEd25519HostKeyPasses() throws Exception {
        Path root = TMP.newFolder("openssh-root").toPath();
        LogHost host = LogHost.of("openssh", "127.0.0.1", sshd.port(), root.toString(), sshd.user(), "key",
                sshd.hostPublicKeyLine(), "https://logs.example.org/");
        ConnectionCheck c = publisher().checkConnection(host);
        assertTrue(c.message(), c.rootChecked());
        assertTrue(c.serverVersion(), c.serverVersion().contains("OpenSSH"));
        assertEquals(List.of(), leftovers(root));
    }

    @Test
    public void aRootTheUserCannotWriteToIsRefused() {
        mina.refuseWrites = true;
        LogPublishException e = refused(mina.logHost("/logs", "pw"));
        assertEquals(LogPublishException.Reason.REMOTE_REFUSED, e.reason());
        assertTrue(e.getMessage(), e.getMessage().startsWith("root path /logs on log host 'mina' is not writable for "
                + "logs: "));
    }

    @Test
    public void aRootWhereFilesCannotBeRemovedIsRefusedAndSaysWhatWasLeft() throws Exception {
        mina.refuseRemoves = true;
        LogPublishException e = refused(mina.logHost("/logs", "pw"));
        assertEquals(LogPublishException.Reason.REMOTE_REFUSED, e.reason());
        assertTrue(e.getMessage(), e.getMessage().matches("root path /logs on log host 'mina': logs created "
                + "/logs/\\.tollgate-check-[0-9a-f]{12} but cannot remove it .*"));
        try (Stream<Path> s = Files.list(minaRoot.resolve("logs"))) {
            s.filter(p -> p.getFileName().toString().startsWith(".tollgate-check-")).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    public void aMissingRootOrOneThatIsAFileIsRefused() {
        LogPublishException missing = refused(mina.logHost("/no/such/dir", "pw"));
        assertEquals(LogPublishException.Reason.REMOTE_REFUSED, missing.reason());
        assertTrue(missing.getMessage(), missing.getMessage().startsWith(
                "root path /no/such/dir is not accessible on log host 'mina': "));
        LogPublishException file = refused(mina.logHost("/a-file", "pw"));
        assertEquals(LogPublishException.Reason.REMOTE_REFUSED, file.reason());
        assertEquals("root path /a-file on log host 'mina' is not a directory", file.getMessage());
    }

    @Test
    public void aWrongHostKeyIsRefusedBeforeLoggingIn() {
        LogPublishException e = refused(mina.logHost("/logs", "pw", HostKeyPin.of(MinaLogServer.ecKey().getPublic())));
        assertEquals(LogPublishException.Reason.HOST_KEY_MISMATCH, e.reason());
        assertTrue(e.getMessage(), e.getMessage().contains("presented host key " + mina.hostKeyFingerprint()));
    }

    @Test
    public void aWrongPasswordAMissingCredentialAndAnUnusableKeyAreRefused() {
        LogPublishException wrong = refused(mina.logHost("/logs", "wrong-pw"));
        assertEquals(LogPublishException.Reason.AUTHENTICATION, wrong.reason());
        assertTrue(wrong.getMessage(), wrong.getMessage().startsWith("login to log host 'mina' as logs with credential "
                + "'wrong-pw' failed"));
        assertFalse(wrong.getMessage(), wrong.getMessage().contains("not-it"));
        LogPublishException none = refused(mina.logHost("/logs", "nobody"));
        assertEquals(LogPublishException.Reason.NO_CREDENTIAL, none.reason());
        assertEquals("no credential 'nobody' for log host 'mina'", none.getMessage());
        LogPublishException broken = refused(mina.logHost("/logs", "broken-key"));
        assertEquals(LogPublishException.Reason.NO_CREDENTIAL, broken.reason());
    }

    @Test
    public void aServerWithoutSftpIsReportedUncheckedNotRefused() throws Exception {
        Path root = TMP.newFolder("scp-only").toPath();
        try (MinaLogServer scpOnly = new MinaLogServer(root, false)) {
            ConnectionCheck c = publisher().checkConnection(scpOnly.logHost("/", "pw"));
            assertFalse(c.rootChecked());
            assertTrue(c.message(), c.message().endsWith("; the server offers no SFTP, so root path / was not checked"
                    + " (uploads would go over SCP)"));
        }
    }

    @Test
    public void aServerThatHangsUpIsAConnectionProblem() throws Exception {
        try (java.net.ServerSocket hangsUp = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try {
                    while (true) {
                        hangsUp.accept().close();
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            }, "hangs-up");
            t.setDaemon(true);
            t.start();
            int port = hangsUp.getLocalPort();
            LogHost host = new LogHost("gone", "127.0.0.1", port, "/logs", "logs", "pw",
                    HostKeyPin.of(mina.hostKey.getPublic()), java.net.URI.create("http://logs.example.org/"));
            LogPublishException e = refused(host);
            assertEquals(LogPublishException.Reason.CONNECTION, e.reason());
            assertTrue(e.getMessage(), e.getMessage().startsWith("cannot check log host 'gone' (127.0.0.1:" + port
                    + "): "));
        }
    }
}
