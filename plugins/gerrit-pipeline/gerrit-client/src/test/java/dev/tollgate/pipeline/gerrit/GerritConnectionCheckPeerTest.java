package dev.tollgate.pipeline.gerrit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.tollgate.pipeline.gerrit.GerritConnectionCheck.Outcome;
import dev.tollgate.pipeline.gerrit.GerritConnectionCheck.Result;
import dev.tollgate.pipeline.gerrit.GerritConnectionCheck.Step;
import dev.tollgate.pipeline.gerrit.GerritConnectionCheck.StepResult;
import dev.tollgate.testing.FaultyTcpProxy;
import dev.tollgate.testing.Peers;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The connection check against the real Gerrit 3.10.2 that the other peer tests share (one start
 * per test JVM): everything green for admin; a wrong pinned host key, a key not registered for the
 * user, a user without the "Stream Events" capability, a refused port and a wrong HTTP password,
 * each told in the words an administrator needs.
 */
public class GerritConnectionCheckPeerTest {
    private static GerritPeerProcess gerrit;
    private static GerritAdmin admin;

    @ClassRule
    public static final TemporaryFolder tmp = new TemporaryFolder();

    @BeforeClass
    public static void startGerrit() throws Exception {
        gerrit = GerritPeerProcess.shared();
        admin = new GerritAdmin(gerrit);
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(String.join(" ", cmd), p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(String.join(" ", cmd) + ": " + out, 0, p.exitValue());
        return out;
    }

    private static String keygen() {
        return Peers.requireExecutable("openssh-client", "/usr/bin/ssh-keygen").toString();
    }

    /** A fresh ed25519 key pair from ssh-keygen: the private key file. */
    private static Path newKey() throws Exception {
        Path key = tmp.newFolder().toPath().resolve("id_ed25519");
        run(keygen(), "-q", "-t", "ed25519", "-N", "", "-C", "check", "-f", key.toString());
        return key;
    }

    /** The fingerprint of a public key line as {@code ssh-keygen -l} prints it. */
    private static String sshKeygenFingerprint(String publicKeyLine) throws Exception {
        Path f = tmp.newFile().toPath();
        Files.writeString(f, publicKeyLine + "\n");
        return run(keygen(), "-l", "-E", "sha256", "-f", f.toString()).split(" ")[1];
    }

    private static GerritSshConfig ssh(int port, String hostKey) {
        return GerritSshConfig.of("127.0.0.1", port, hostKey).withConnectTimeout(Duration.ofSeconds(60));
    }

    private static GerritRest rest(String user, String password) {
        return new GerritRest(URI.create(gerrit.httpUrl), () -> new HttpCredentials(user, password),
                Duration.ofSeconds(10), Duration.ofSeconds(60));
    }

    private static Result check(GerritSshConfig cfg, SshKeyCredentials cred, GerritRest rest, Duration streamWait)
            throws Exception {
        Result r = new GerritConnectionCheck(cfg, () -> cred, rest).withStreamEventsWait(streamWait).run();
        for (StepResult s : r.steps()) {
            assertFalse("no secret in " + s, s.message().contains(gerrit.adminHttpPassword));
            assertFalse("no secret in " + s, s.message().contains("PRIVATE KEY"));
        }
        return r;
    }

    private static List<Outcome> outcomes(Result r) {
        return r.steps().stream().map(StepResult::outcome).collect(Collectors.toList());
    }

    @Test
    public void allGreenAgainstTheRealGerrit() throws Exception {
        // admin has every capability: a refusal would come within milliseconds; 1 s is plenty and
        // the outcome does not depend on it
        Result r = check(ssh(gerrit.sshPort, gerrit.sshHostKey), gerrit.sshCredentials(),
                rest(gerrit.adminUser, gerrit.adminHttpPassword), Duration.ofSeconds(1));
        assertTrue(r.toString(), r.ok());
        assertEquals(List.of(Step.values()), r.steps().stream().map(StepResult::step).collect(Collectors.toList()));
        // the acceptance-test server that the peer runs calls its version "(dev)"
        String version = r.step(Step.GERRIT_VERSION).message();
        assertTrue(r.toString(), version.startsWith("Gerrit ") && version.length() > "Gerrit ".length());
        assertEquals("REST and SSH name the same version", version, r.step(Step.REST_VERSION).message());
        assertTrue(r.toString(), r.step(Step.SSH_HOST_KEY).message().contains(
                sshKeygenFingerprint(gerrit.sshHostKey)));
        assertTrue(r.toString(), r.step(Step.SSH_AUTHENTICATION).message().startsWith("authenticated as admin with key "
                + "ssh-ed25519 " + sshKeygenFingerprint(Files.readString(Path.of(gerrit.adminPrivateKeyFile + ".pub")))));
        assertTrue(r.toString(), r.step(Step.REST_ACCOUNT).message().startsWith("authenticated as admin"));
    }

    @Test
    public void aWrongPinnedHostKeyShowsTheServersFingerprintAsSshKeygenPrintsIt() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        PublicKey wrong = g.generateKeyPair().getPublic();
        String wrongLine = PublicKeyEntry.toString(wrong);
        Result r = check(ssh(gerrit.sshPort, "[127.0.0.1]:" + gerrit.sshPort + " " + wrongLine),
                gerrit.sshCredentials(), null, Duration.ofSeconds(60));
        assertEquals(r.toString(), List.of(Outcome.OK, Outcome.FAILED, Outcome.SKIPPED, Outcome.SKIPPED,
                Outcome.SKIPPED), outcomes(r));
        String m = r.step(Step.SSH_HOST_KEY).message();
        String type = gerrit.sshHostKey.split(" ")[0];
        assertTrue(m, m.startsWith("host key mismatch: 127.0.0.1:" + gerrit.sshPort + " presented " + type + " "
                + sshKeygenFingerprint(gerrit.sshHostKey) + ", the pinned key is ssh-rsa "
                + sshKeygenFingerprint(wrongLine) + "; compare with `ssh-keyscan -p " + gerrit.sshPort));
    }

    @Test
    public void aKeyNotRegisteredForTheUserIsRejectedNamingTheUser() throws Exception {
        Path key = newKey();
        Result r = check(ssh(gerrit.sshPort, gerrit.sshHostKey),
                new SshKeyCredentials(gerrit.adminUser, Files.readString(key), null), null, Duration.ofSeconds(60));
        assertEquals(r.toString(), List.of(Outcome.OK, Outcome.OK, Outcome.FAILED, Outcome.SKIPPED, Outcome.SKIPPED),
                outcomes(r));
        String m = r.step(Step.SSH_AUTHENTICATION).message();
        assertTrue(m, m.startsWith("127.0.0.1:" + gerrit.sshPort + " rejected user admin with key ssh-ed25519 "
                + sshKeygenFingerprint(Files.readString(Path.of(key + ".pub"))) + ": the key is not registered"));
    }

    @Test
    public void aUserWithoutTheStreamEventsCapabilityIsToldSoByGerrit() throws Exception {
        String user = "check-" + UUID.randomUUID().toString().substring(0, 8);
        String password = "pw-" + UUID.randomUUID();
        Path key = newKey();
        admin.createUser(user, Files.readString(Path.of(key + ".pub")).strip(), password);
        // Gerrit refuses within milliseconds; the long wait only bounds a hang, it is not waited out
        Result r = check(ssh(gerrit.sshPort, gerrit.sshHostKey), new SshKeyCredentials(user, Files.readString(key), null),
                rest(user, password), Duration.ofSeconds(60));
        assertEquals(r.toString(), List.of(Outcome.OK, Outcome.OK, Outcome.OK, Outcome.OK, Outcome.FAILED, Outcome.OK,
                Outcome.OK), outcomes(r));
        String m = r.step(Step.STREAM_EVENTS).message();
        // Gerrit 3.10's own words on the channel's stderr, before it closes it with exit status 1
        assertTrue(m, m.startsWith("Gerrit refused `gerrit stream-events` for user " + user
                + ": stream events not permitted (grant the user the \"Stream Events\" global capability"));
        assertTrue(r.toString(), r.step(Step.REST_ACCOUNT).message().startsWith("authenticated as " + user
                + " (Test " + user + ")"));
        assertFalse(r.toString().contains(password));
    }

    @Test
    public void aRefusedPortIsToldWithHostAndPort() throws Exception {
        try (FaultyTcpProxy proxy = new FaultyTcpProxy("127.0.0.1", gerrit.sshPort)) {
            proxy.refuse(true);
            Result r = check(ssh(proxy.port(), gerrit.sshHostKey), gerrit.sshCredentials(), null, Duration.ofSeconds(60));
            assertEquals(r.toString(), List.of(Outcome.FAILED, Outcome.SKIPPED, Outcome.SKIPPED, Outcome.SKIPPED,
                    Outcome.SKIPPED), outcomes(r));
            assertTrue(r.toString(), r.step(Step.TCP_CONNECT).message().startsWith("connection to 127.0.0.1:"
                    + proxy.port() + " refused"));
        }
    }

    @Test
    public void aWrongHttpPasswordIsRejectedAndTheVersionIsStillRead() throws Exception {
        String wrong = "not-" + gerrit.adminHttpPassword;
        Result r = check(ssh(gerrit.sshPort, gerrit.sshHostKey), gerrit.sshCredentials(),
                rest(gerrit.adminUser, wrong), Duration.ofSeconds(1));
        List<Outcome> expected = new ArrayList<>(List.of(Outcome.OK, Outcome.OK, Outcome.OK, Outcome.OK, Outcome.OK,
                Outcome.FAILED, Outcome.OK));
        assertEquals(r.toString(), expected, outcomes(r));
        assertTrue(r.toString(), r.step(Step.REST_ACCOUNT).message().startsWith(
                "HTTP password rejected for user admin (HTTP 401 from " + gerrit.httpUrl + "/a/accounts/self)"));
        assertEquals(r.toString(), r.step(Step.GERRIT_VERSION).message(), r.step(Step.REST_VERSION).message());
        assertFalse(r.toString().contains(wrong));
    }
}
