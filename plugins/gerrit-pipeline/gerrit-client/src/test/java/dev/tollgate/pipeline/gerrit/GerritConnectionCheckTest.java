package dev.tollgate.pipeline.gerrit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.tollgate.pipeline.gerrit.FakeGerritHttp.Answer;
import dev.tollgate.pipeline.gerrit.GerritConnectionCheck.Outcome;
import dev.tollgate.pipeline.gerrit.GerritConnectionCheck.Result;
import dev.tollgate.pipeline.gerrit.GerritConnectionCheck.Step;
import dev.tollgate.pipeline.gerrit.GerritConnectionCheck.StepResult;
import dev.tollgate.testing.FaultyTcpProxy;
import dev.tollgate.testing.Peers;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.junit.After;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The connection check's steps and messages against the MINA stand-in and a local HTTP server:
 * every way a step can fail, each message naming what the administrator has to look at, none
 * showing a secret.
 */
public class GerritConnectionCheckTest {
    private static final String HTTP_PASSWORD = "http-s3cret-Pa55";
    private static final String PASSPHRASE = "key-s3cret-phrase";
    private static String privateKeyPem;
    private static PublicKey publicKey;
    private static String lockedKey; // ed25519, OpenSSH form, PASSPHRASE
    private static String otherKey; // ed25519, not the server's user key

    @ClassRule
    public static final TemporaryFolder tmp = new TemporaryFolder();

    private FakeGerritSshServer server;
    private FakeGerritHttp http;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final CountDownLatch endOfTest = new CountDownLatch(1);

    private static String keygen(String... args) throws Exception {
        Path keygen = Peers.requireExecutable("openssh-client", "/usr/bin/ssh-keygen");
        Path key = tmp.newFolder().toPath().resolve("key");
        List<String> cmd = new ArrayList<>(List.of(keygen.toString(), "-q", "-f", key.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        return key.toString();
    }

    @BeforeClass
    public static void makeKeys() throws Exception {
        String rsa = keygen("-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "");
        privateKeyPem = Files.readString(Path.of(rsa));
        publicKey = PublicKeyEntry.parsePublicKeyEntry(Files.readString(Path.of(rsa + ".pub")).strip())
                .resolvePublicKey(null, null, PublicKeyEntryResolver.FAILING);
        lockedKey = Files.readString(Path.of(keygen("-t", "ed25519", "-N", PASSPHRASE)));
        otherKey = Files.readString(Path.of(keygen("-t", "ed25519", "-N", "")));
    }

    @Before
    public void start() throws Exception {
        server = new FakeGerritSshServer(publicKey);
        http = new FakeGerritHttp();
        http.handler = r -> {
            if (r.uri().equals("/a/accounts/self")) {
                return Answer.of(200, ")]}'\n{\"_account_id\":1000001,\"name\":\"CI Bot\",\"username\":\"ci\"}");
            }
            if (r.uri().equals("/config/server/version")) {
                return Answer.of(200, ")]}'\n\"3.10.2\"");
            }
            return Answer.of(404, "Not found");
        };
    }

    @After
    public void stop() throws Exception {
        endOfTest.countDown();
        for (AutoCloseable c : closeables) {
            c.close();
        }
        http.close();
        server.close();
    }

    private GerritSshConfig config(int port, String hostKey) {
        return GerritSshConfig.of("127.0.0.1", port, hostKey).withConnectTimeout(Duration.ofSeconds(30));
    }

    private GerritSshConfig config() {
        return config(server.port(), server.hostKeyLine);
    }

    private GerritRest rest(URI base, String password) {
        return new GerritRest(base, () -> new HttpCredentials("ci", password), Duration.ofSeconds(10),
                Duration.ofSeconds(30));
    }

    private static SshKeyCredentials ci(String key, String passphrase) {
        return new SshKeyCredentials("ci", key, passphrase);
    }

    private Result check(GerritSshConfig cfg, SshKeyCredentials cred, GerritRest rest, Duration streamWait)
            throws InterruptedException {
        Result r = new GerritConnectionCheck(cfg, () -> cred, rest).withStreamEventsWait(streamWait).run();
        for (StepResult s : r.steps()) {
            for (String secret : List.of(HTTP_PASSWORD, PASSPHRASE, "PRIVATE KEY", privateKeyPem.split("\n")[1],
                    lockedKey.split("\n")[1])) {
                assertFalse("no secret in " + s, s.message().contains(secret));
            }
        }
        return r;
    }

    private static List<Outcome> outcomes(Result r) {
        return r.steps().stream().map(StepResult::outcome).collect(Collectors.toList());
    }

    private static List<Step> steps(Result r) {
        return r.steps().stream().map(StepResult::step).collect(Collectors.toList());
    }

    private static String message(Result r, Step s) {
        return r.step(s).message();
    }

    private static final List<Outcome> ALL_OK = List.of(Outcome.OK, Outcome.OK, Outcome.OK, Outcome.OK, Outcome.OK,
            Outcome.OK, Outcome.OK);

    @Test
    public void everyStepPassesAndSaysWhatItFound() throws Exception {
        Result r = check(config(), ci(privateKeyPem, null), rest(http.uri(), HTTP_PASSWORD), Duration.ofMillis(200));
        assertEquals(r.toString(), List.of(Step.values()), steps(r));
        assertEquals(r.toString(), ALL_OK, outcomes(r));
        assertTrue(r.ok());
        assertEquals("connected to 127.0.0.1:" + server.port(), message(r, Step.TCP_CONNECT));
        PublicKey hostKey = PublicKeyEntry.parsePublicKeyEntry(server.hostKeyLine).resolvePublicKey(null, null,
                PublicKeyEntryResolver.FAILING);
        assertEquals("127.0.0.1:" + server.port() + " presented " + HostKeyCheck.describe(hostKey) + ", a pinned key",
                message(r, Step.SSH_HOST_KEY));
        assertEquals("authenticated as ci with key " + HostKeyCheck.describe(publicKey),
                message(r, Step.SSH_AUTHENTICATION));
        assertEquals("Gerrit 3.10.2", message(r, Step.GERRIT_VERSION));
        assertEquals("user ci may stream events (no refusal within 200 ms)", message(r, Step.STREAM_EVENTS));
        assertEquals("authenticated as ci (CI Bot), account 1000001", message(r, Step.REST_ACCOUNT));
        assertEquals("Gerrit 3.10.2", message(r, Step.REST_VERSION));
        assertEquals("the check closed its stream-events channel", 1, server.commands.get());
        assertTrue(http.requests().get(0).authorization().startsWith("Basic "));
    }

    @Test
    public void withoutRestOnlyTheSshStepsRunAndAnEventCountsAsAccepted() throws Exception {
        // a long wait that an event line ends at once
        Thread sender = new Thread(() -> {
            try {
                server.send("{\"type\":\"ref-updated\",\"eventCreatedOn\":1}");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        sender.start();
        Result r = check(config(), ci(privateKeyPem, null), null, Duration.ofSeconds(30));
        sender.join(30_000);
        assertEquals(r.toString(), List.of(Step.TCP_CONNECT, Step.SSH_HOST_KEY, Step.SSH_AUTHENTICATION,
                Step.GERRIT_VERSION, Step.STREAM_EVENTS), steps(r));
        assertTrue(r.toString(), r.ok());
        assertEquals("user ci may stream events (the first event arrived)", message(r, Step.STREAM_EVENTS));
        assertNull(r.step(Step.REST_ACCOUNT));
    }

    @Test
    public void aHostKeyMismatchShowsBothFingerprintsAndGoesNoFurther() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        PublicKey wrong = g.generateKeyPair().getPublic();
        PublicKey real = PublicKeyEntry.parsePublicKeyEntry(server.hostKeyLine).resolvePublicKey(null, null,
                PublicKeyEntryResolver.FAILING);
        Result r = check(config(server.port(), "[127.0.0.1]:" + server.port() + " " + PublicKeyEntry.toString(wrong)),
                ci(privateKeyPem, null), null, Duration.ofSeconds(30));
        assertEquals(r.toString(), List.of(Outcome.OK, Outcome.FAILED, Outcome.SKIPPED, Outcome.SKIPPED,
                Outcome.SKIPPED), outcomes(r));
        String m = message(r, Step.SSH_HOST_KEY);
        assertTrue(m, m.startsWith("host key mismatch: 127.0.0.1:" + server.port() + " presented "
                + HostKeyCheck.describe(real) + ", the pinned key is " + HostKeyCheck.describe(wrong)));
        assertTrue(m, m.contains("ssh-keyscan -p " + server.port() + " 127.0.0.1"));
        assertTrue(HostKeyCheck.fingerprint(real).startsWith("SHA256:"));
        assertEquals("not run: SSH host key failed", message(r, Step.SSH_AUTHENTICATION));
        assertEquals(0, server.commands.get());
        assertFalse(r.ok());
        assertEquals(List.of(r.step(Step.SSH_HOST_KEY)), r.failures());
    }

    @Test
    public void aKeyNotRegisteredForTheUserNamesTheUserAndTheKey() throws Exception {
        Result r = check(config(), ci(otherKey, null), rest(http.uri(), HTTP_PASSWORD), Duration.ofSeconds(30));
        assertEquals(r.toString(), List.of(Outcome.OK, Outcome.OK, Outcome.FAILED, Outcome.SKIPPED, Outcome.SKIPPED,
                Outcome.OK, Outcome.OK), outcomes(r));
        String m = message(r, Step.SSH_AUTHENTICATION);
        assertTrue(m, m.startsWith("127.0.0.1:" + server.port() + " rejected user ci with key ssh-ed25519 SHA256:"));
        assertTrue(m, m.contains("the key is not registered for that user"));

        Result other = check(config(), new SshKeyCredentials("jenkins", privateKeyPem, null), null,
                Duration.ofSeconds(30));
        assertTrue(other.toString(), message(other, Step.SSH_AUTHENTICATION).contains("rejected user jenkins"));
    }

    @Test
    public void anUnreadableKeyOrAWrongPassphraseIsToldWithoutTheSecret() throws Exception {
        Result r = check(config(), ci(lockedKey, "not-the-" + PASSPHRASE), null, Duration.ofSeconds(30));
        String m = message(r, Step.SSH_AUTHENTICATION);
        assertEquals(r.toString(), Outcome.FAILED, r.step(Step.SSH_AUTHENTICATION).outcome());
        assertTrue(m, m.startsWith("the SSH private key for user ci could not be used: "));
        assertTrue(m, m.endsWith("(is the passphrase right?)"));

        String garbled = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU-garbled\n"
                + "-----END OPENSSH PRIVATE KEY-----\n";
        Result g = check(config(), ci(garbled, null), null, Duration.ofSeconds(30));
        assertEquals(g.toString(), Outcome.FAILED, g.step(Step.SSH_AUTHENTICATION).outcome());
        assertFalse(g.toString(), g.toString().contains("b3BlbnNzaC1rZXktdjEAAAAABG5vbmU"));

        // with its passphrase the locked key is read and offered (the server does not know it)
        Result read = check(config(), ci(lockedKey, PASSPHRASE), null, Duration.ofSeconds(30));
        assertTrue(read.toString(), message(read, Step.SSH_AUTHENTICATION).contains("rejected user ci with key ssh-ed25519"));
    }

    @Test
    public void aUserWithoutTheStreamEventsCapabilityIsToldWithGerritsWords() throws Exception {
        server.streamEventsRefusal = "stream events not permitted"; // Gerrit 3.10's words
        Result r = check(config(), ci(privateKeyPem, null), null, Duration.ofSeconds(30));
        assertEquals(r.toString(), List.of(Outcome.OK, Outcome.OK, Outcome.OK, Outcome.OK, Outcome.FAILED),
                outcomes(r));
        assertEquals("Gerrit refused `gerrit stream-events` for user ci: stream events not permitted (grant the "
                + "user the \"Stream Events\" global capability, e.g. through the \"Service Users\" group, in "
                + "All-Projects)", message(r, Step.STREAM_EVENTS));
    }

    @Test
    public void aFailingVersionCommandShowsGerritsError() throws Exception {
        server.version = null;
        Result r = check(config(), ci(privateKeyPem, null), null, Duration.ofMillis(100));
        assertEquals(r.toString(), Outcome.FAILED, r.step(Step.GERRIT_VERSION).outcome());
        assertEquals("`gerrit version` failed for user ci (exit status 1): fatal: gerrit: version: not found",
                message(r, Step.GERRIT_VERSION));
        assertEquals("the stream-events check does not depend on it", List.of(Outcome.OK, Outcome.OK, Outcome.OK,
                Outcome.FAILED, Outcome.OK), outcomes(r));
    }

    @Test
    public void aRefusedPortNamesHostAndPort() throws Exception {
        FaultyTcpProxy proxy = new FaultyTcpProxy("127.0.0.1", server.port());
        closeables.add(proxy);
        proxy.refuse(true);
        Result r = check(config(proxy.port(), server.hostKeyLine), ci(privateKeyPem, null), null,
                Duration.ofSeconds(30));
        assertEquals(r.toString(), List.of(Outcome.FAILED, Outcome.SKIPPED, Outcome.SKIPPED, Outcome.SKIPPED,
                Outcome.SKIPPED), outcomes(r));
        assertTrue(r.toString(), message(r, Step.TCP_CONNECT).startsWith("connection to 127.0.0.1:" + proxy.port()
                + " refused: nothing listens on that port"));
        assertEquals("not run: TCP connection failed", message(r, Step.STREAM_EVENTS));
        assertEquals(0, proxy.accepted.get());
    }

    @Test
    public void anUnknownHostIsNamed() throws Exception {
        GerritSshConfig cfg = GerritSshConfig.of("gerrit.invalid", 29418, server.hostKeyLine)
                .withConnectTimeout(Duration.ofSeconds(30));
        Result r = check(cfg, ci(privateKeyPem, null), null, Duration.ofSeconds(30));
        assertEquals(r.toString(), "unknown host gerrit.invalid: DNS has no address for it",
                message(r, Step.TCP_CONNECT));
    }

    @Test
    public void aPortThatAcceptsButNeverSpeaksSshEndsAtTheConnectTimeout() throws Exception {
        // the kernel completes the TCP handshake for the backlog; nobody ever reads or writes
        try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            // long enough for a loopback connect on a loaded machine; the handshake then waits it out
            Result r = check(config(silent.getLocalPort(), server.hostKeyLine).withConnectTimeout(Duration.ofSeconds(2)),
                    ci(privateKeyPem, null), null, Duration.ofSeconds(30));
            assertEquals(r.toString(), List.of(Outcome.OK, Outcome.FAILED, Outcome.SKIPPED, Outcome.SKIPPED,
                    Outcome.SKIPPED), outcomes(r));
            assertTrue(r.toString(), message(r, Step.SSH_HOST_KEY).startsWith("no SSH handshake from 127.0.0.1:"
                    + silent.getLocalPort() + " within 2 s"));
        }
    }

    @Test
    public void aPortThatIsNotSshIsToldApart() throws Exception {
        // an HTTP server answers the SSH greeting with an error and closes
        int port = http.uri().getPort();
        Result r = check(config(port, server.hostKeyLine), ci(privateKeyPem, null), null, Duration.ofSeconds(30));
        assertEquals(r.toString(), Outcome.FAILED, r.step(Step.SSH_HOST_KEY).outcome());
        assertTrue(r.toString(), message(r, Step.SSH_HOST_KEY).startsWith("the SSH handshake with 127.0.0.1:" + port
                + " failed before the server showed its host key (it answered \"HTTP/1.1 400 Bad Request\" instead of "
                + "an SSH greeting): is this Gerrit's SSH port (usually 29418)?"));
    }

    @Test
    public void aRejectedHttpPasswordIsSaidSoAndTheVersionIsStillRead() throws Exception {
        http.handler = r -> r.uri().startsWith("/a/") ? Answer.of(401, "Unauthorized")
                : Answer.of(200, ")]}'\n\"3.10.2\"");
        URI withUserInfo = URI.create("http://ci:" + HTTP_PASSWORD + "@127.0.0.1:" + http.uri().getPort() + "/");
        Result r = check(config(), ci(privateKeyPem, null), rest(withUserInfo, HTTP_PASSWORD), Duration.ofMillis(100));
        assertEquals(r.toString(), Outcome.FAILED, r.step(Step.REST_ACCOUNT).outcome());
        assertEquals("HTTP password rejected for user ci (HTTP 401 from http://127.0.0.1:" + http.uri().getPort()
                + "/a/accounts/self): set the user's current HTTP password (Gerrit: Settings → HTTP Credentials) in "
                + "the credentials", message(r, Step.REST_ACCOUNT));
        assertEquals("Gerrit 3.10.2", message(r, Step.REST_VERSION));
    }

    @Test
    public void aUrlThatIsNotGerritsIsSaidSo() throws Exception {
        http.handler = r -> Answer.of(200, "<html>login</html>");
        Result r = check(config(), ci(privateKeyPem, null), rest(http.uri(), HTTP_PASSWORD), Duration.ofMillis(100));
        String base = "http://127.0.0.1:" + http.uri().getPort() + "/";
        assertEquals("the answer of " + base + "a/accounts/self is not a Gerrit account: is " + base
                + " Gerrit's web URL?", message(r, Step.REST_ACCOUNT));
        assertEquals("the answer of " + base + "config/server/version is not Gerrit's: is " + base
                + " Gerrit's web URL?", message(r, Step.REST_VERSION));

        http.handler = r2 -> Answer.of(404, "Not found");
        r = check(config(), ci(privateKeyPem, null), rest(http.uri(), HTTP_PASSWORD), Duration.ofMillis(100));
        assertEquals("HTTP 404 from " + base + "a/accounts/self: Not found (is " + base + " Gerrit's web URL, with "
                + "its path prefix if any?)", message(r, Step.REST_ACCOUNT));
    }

    @Test
    public void aRestServerThatIsDownOrSilentIsBounded() throws Exception {
        // refused: the version is not asked
        FaultyTcpProxy proxy = new FaultyTcpProxy("127.0.0.1", http.uri().getPort());
        closeables.add(proxy);
        proxy.refuse(true);
        Result r = check(config(), ci(privateKeyPem, null),
                rest(URI.create("http://127.0.0.1:" + proxy.port()), HTTP_PASSWORD), Duration.ofMillis(100));
        assertEquals("cannot connect to 127.0.0.1:" + proxy.port() + ": connection refused (http://127.0.0.1:"
                + proxy.port() + "/a/accounts/self)", message(r, Step.REST_ACCOUNT));
        assertEquals(Outcome.SKIPPED, r.step(Step.REST_VERSION).outcome());

        // silent: an answer that never comes ends at the request time-out
        http.handler = req -> {
            try {
                endOfTest.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Answer.of(500, "too late");
        };
        GerritRest slow = new GerritRest(http.uri(), () -> new HttpCredentials("ci", HTTP_PASSWORD),
                Duration.ofSeconds(10), Duration.ofMillis(500));
        r = check(config(), ci(privateKeyPem, null), slow, Duration.ofMillis(100));
        assertEquals("no answer from http://127.0.0.1:" + http.uri().getPort() + "/a/accounts/self within 500 ms",
                message(r, Step.REST_ACCOUNT));
        assertEquals(Outcome.SKIPPED, r.step(Step.REST_VERSION).outcome());
    }

    @Test
    public void theDisplayedUrlNeverCarriesUserInfoOrQuery() {
        assertEquals("https://gerrit.example.org/r/a/accounts/self", GerritConnectionCheck.display(
                URI.create("https://ci:pw@gerrit.example.org/r/?token=x"), "a/accounts/self"));
    }
}
