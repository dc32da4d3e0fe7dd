package dev.tollgate.cli.watch;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.pipeline.gerrit.GerritAdmin;
import dev.tollgate.pipeline.gerrit.GerritPeerProcess;
import dev.tollgate.testing.FaultyTcpProxy;
import dev.tollgate.testing.Peers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.After;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code tollgate watch} against the real Gerrit (its own JVM, one for the class): changes and
 * comments made through Gerrit's REST API come out as decision lines, {@code --vote-dry-run} lines
 * come out and Gerrit gets no vote, a cut connection loses no event (the REST recovery brings them
 * back), bad credentials and an unknown host key are one clear message, and Ctrl-C (SIGINT) stops a
 * real process with exit 0 and a summary. Every wait is on printed lines, bounded.
 */
public class WatchPeerTest {
    private static final String LAYOUT = "../examples/metaplugin-ci/layout.yaml";
    private static final String JOB = "check-tempest-dsvm-metaplugin";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int WAIT = 90; // seconds: generous for a loaded 2-core machine

    private static GerritPeerProcess gerrit;
    private static GerritAdmin admin;

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeClass
    public static void startGerrit() throws Exception {
        gerrit = GerritPeerProcess.shared();
        admin = new GerritAdmin(gerrit);
    }

    @After
    public void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    /** A watch running in this JVM on its own thread, stopped as Ctrl-C would stop it. */
    private final class Running implements AutoCloseable {
        final LineQueue out = new LineQueue("stdout");
        final LineQueue err = new LineQueue("stderr");
        final WatchCommand.Stop stop = new WatchCommand.Stop();
        final Thread thread;
        volatile int code = -1;

        Running(List<String> args) {
            thread = new Thread(() -> code = WatchCommand.run(args, out.printStream(), err.printStream(), stop),
                    "watch-under-test");
            thread.start();
            closeables.add(this);
        }

        /** Stops it; its exit code. */
        int stop() throws InterruptedException {
            stop.request();
            thread.join(TimeUnit.SECONDS.toMillis(WAIT));
            assertFalse("the watch stopped", thread.isAlive());
            return code;
        }

        @Override
        public void close() throws InterruptedException {
            if (thread.isAlive()) {
                stop();
            }
            for (String l : err.lines()) {
                System.err.println("watch: " + l); // kept in the test's output file
            }
        }

        /** Decision lines about {@code change} with that action, as JSON. */
        List<JsonNode> lines(int change, String action) throws IOException {
            List<JsonNode> found = new ArrayList<>();
            for (String l : out.lines()) {
                JsonNode n = JSON.readTree(l);
                if (n.path("change").asInt() == change && n.path("action").asText().equals(action)) {
                    found.add(n);
                }
            }
            return found;
        }

        /**
         * Gerrit subscribes a stream a moment after it has accepted it: comment on a change of its
         * own until the watch shows that comment's decision, so that the test's events are not sent
         * into that moment.
         */
        void awaitSubscribed() throws Exception {
            err.await("connected", WAIT, l -> l.contains("connected to"));
            int warmUp = admin.createChange("watch warm-up " + UUID.randomUUID());
            for (int attempt = 1; ; attempt++) {
                admin.comment(warmUp, "metaplugin-recheck");
                try {
                    out.await("a decision on the warm-up change", 5, isAction(warmUp, "enqueue"));
                    return;
                } catch (AssertionError notYet) {
                    if (attempt == 6) {
                        throw notYet;
                    }
                }
            }
        }
    }

    private static Predicate<String> isAction(int change, String action) {
        return l -> {
            try {
                JsonNode n = JSON.readTree(l);
                return n.path("change").asInt() == change && n.path("action").asText().equals(action);
            } catch (IOException e) {
                return false;
            }
        };
    }

    private static Predicate<String> isAction(int change, int patchset, String action) {
        return isAction(change, action).and(l -> l.contains("\"patchset\":" + patchset + ","));
    }

    private Path knownHosts(int port, String key) throws IOException {
        Path f = tmp.newFile("known_hosts-" + UUID.randomUUID()).toPath();
        Files.writeString(f, "# Gerrit\n[127.0.0.1]:" + port + " " + key + "\n");
        return f;
    }

    private Path httpCredentials(String password) throws IOException {
        Path f = tmp.newFile("gerrit-http-" + UUID.randomUUID()).toPath();
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(f, gerrit.adminUser + ":" + password + "\n");
        return f;
    }

    private List<String> args(int port, String... more) throws IOException {
        List<String> a = new ArrayList<>(List.of("--layout", LAYOUT,
                "--gerrit", "ssh://" + gerrit.adminUser + "@127.0.0.1:" + port,
                "--key", gerrit.adminPrivateKeyFile.toString(),
                "--known-hosts", knownHosts(port, gerrit.sshHostKey).toString(),
                "--rest-url", gerrit.httpUrl,
                "--http-credentials", httpCredentials(gerrit.adminHttpPassword).toString()));
        a.addAll(List.of(more));
        return a;
    }

    @Test
    public void liveChangesAndCommentsAreDecisionLinesAndDryRunVotesPostNothing() throws Exception {
        Running w = new Running(args(gerrit.sshPort, "--assume", "SUCCESS", "--vote-dry-run"));
        w.awaitSubscribed();

        int change = admin.createChange("watch live " + UUID.randomUUID());
        String enqueue = w.out.await("enqueue of the new change", WAIT, isAction(change, 1, "enqueue"));
        JsonNode e = JSON.readTree(enqueue);
        assertEquals("check", e.path("pipeline").asText());
        assertEquals("openstack/neutron", e.path("project").asText());
        assertEquals(JOB, e.path("jobs").get(0).asText());
        JsonNode report = JSON.readTree(w.out.await("its report", WAIT, isAction(change, 1, "report")));
        assertEquals(1, report.path("labels").path("Verified").asInt());
        JsonNode vote = JSON.readTree(w.out.await("its dry-run review", WAIT, isAction(change, 1, "vote-dry-run")));
        assertEquals(1, vote.path("labels").path("Verified").asInt());
        assertEquals(report.path("message").asText(), vote.path("message").asText());
        assertEquals(report.path("event").asLong(), vote.path("event").asLong());

        // plain recheck is ignored, metaplugin-recheck runs the check again
        admin.comment(change, "recheck");
        admin.comment(change, "metaplugin-recheck");
        w.out.awaitCount("the recheck's dry-run review", WAIT, 2, isAction(change, 1, "vote-dry-run"));
        assertEquals("the plain recheck enqueued nothing (its event came first)", 2, w.lines(change, "enqueue").size());

        admin.newPatchSet(change, "neutron/watch.py", "print('watch')\n");
        w.out.await("the new patchset's dry-run review", WAIT, isAction(change, 2, "vote-dry-run"));
        List<String> actions = new ArrayList<>();
        for (String l : w.out.lines()) {
            JsonNode n = JSON.readTree(l);
            if (n.path("change").asInt() == change) {
                actions.add(n.path("action").asText() + " ps" + n.path("patchset").asInt());
            }
        }
        assertEquals(List.of("enqueue ps1", "report ps1", "vote-dry-run ps1", "enqueue ps1", "report ps1",
                "vote-dry-run ps1", "enqueue ps2", "report ps2", "vote-dry-run ps2"), actions);

        // nothing reached Gerrit: no vote, no message of the suite's
        assertEquals(0, admin.vote(change, "Verified"));
        for (JsonNode m : admin.messages(change)) {
            assertFalse(m.toString(), m.path("tag").asText().startsWith("autogenerated:tollgate"));
            assertFalse(m.toString(), m.path("message").asText().contains(JOB));
        }

        assertEquals(0, w.stop());
        List<String> err = w.err.lines();
        String last = err.get(err.size() - 1);
        assertTrue(last, last.startsWith("tollgate watch: stopped: "));
        assertTrue(last, last.contains(" reviews not posted"));
        assertNoStackTrace(err);
    }

    @Test
    public void aCutConnectionLosesNoEventTheRestRecoveryBringsThemBack() throws Exception {
        FaultyTcpProxy proxy = new FaultyTcpProxy("127.0.0.1", gerrit.sshPort);
        closeables.add(proxy);
        Running w = new Running(args(proxy.port(), "--assume", "SUCCESS"));
        w.awaitSubscribed();
        int change = admin.createChange("watch cut " + UUID.randomUUID());
        w.out.await("the new change's report", WAIT, isAction(change, 1, "report"));

        // cut the stream and refuse reconnects; while it is down the change moves on
        proxy.refuse(true);
        proxy.cutAll();
        w.err.await("the lost connection reported", WAIT, l -> l.contains("connection lost"));
        admin.comment(change, "metaplugin-recheck");
        admin.newPatchSet(change, "neutron/cut.py", "print('cut')\n");
        proxy.refuse(false);

        w.out.await("the new patchset's report", WAIT, isAction(change, 2, "report"));
        w.err.await("the recovery", WAIT, l -> l.contains("recovered"));
        assertEquals("two connects", 2, w.err.lines().stream().filter(l -> l.contains("connected to")).count());
        List<String> actions = new ArrayList<>();
        for (String l : w.out.lines()) {
            JsonNode n = JSON.readTree(l);
            if (n.path("change").asInt() == change) {
                actions.add(n.path("action").asText() + " ps" + n.path("patchset").asInt());
            }
        }
        assertEquals("each missed event once, in order", List.of("enqueue ps1", "report ps1", "enqueue ps1",
                "report ps1", "enqueue ps2", "report ps2"), actions);
        assertEquals(0, w.stop());
        String last = w.err.lines().get(w.err.lines().size() - 1);
        assertTrue(last, last.contains(" 1 reconnects") || last.matches(".* [1-9][0-9]* reconnects"));
        assertNoStackTrace(w.err.lines());
    }

    @Test
    public void anUnknownHostKeyIsRefusedWithItsFingerprint() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        String other = PublicKeyEntry.toString(g.generateKeyPair().getPublic());
        List<String> a = args(gerrit.sshPort);
        a.set(a.indexOf("--known-hosts") + 1, knownHosts(gerrit.sshPort, other).toString());
        Running w = new Running(a);
        w.thread.join(TimeUnit.SECONDS.toMillis(WAIT));
        assertEquals(WatchCommand.INVALID, w.code);
        String line = w.err.await("the host key failure", 1, l -> l.contains("SSH host key"));
        assertTrue(line, line.contains("SHA256:"));
        assertTrue(w.out.lines().toString(), w.out.lines().isEmpty());
        assertNoStackTrace(w.err.lines());
    }

    @Test
    public void aKeyGerritDoesNotKnowAndAWrongHttpPasswordAreRefusedClearly() throws Exception {
        Path key = tmp.getRoot().toPath().resolve("unknown_ed25519");
        Process p = new ProcessBuilder(Peers.requireExecutable("openssh-client", "/usr/bin/ssh-keygen").toString(),
                "-q", "-t", "ed25519", "-N", "", "-f", key.toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        List<String> a = args(gerrit.sshPort);
        a.set(a.indexOf("--key") + 1, key.toString());
        a.set(a.indexOf("--http-credentials") + 1, httpCredentials("not-the-password").toString());
        Running w = new Running(a);
        w.thread.join(TimeUnit.SECONDS.toMillis(WAIT));
        assertEquals(WatchCommand.INVALID, w.code);
        w.err.await("the SSH login failure", 1, l -> l.startsWith("tollgate watch: SSH authentication: "));
        w.err.await("the HTTP login failure", 1, l -> l.startsWith("tollgate watch: REST account: ")
                && l.contains("HTTP password rejected"));
        for (String l : w.err.lines()) {
            assertFalse(l, l.contains("not-the-password"));
        }
        assertNoStackTrace(w.err.lines());
    }

    /** bin/tollgate's own JVM, stopped by SIGINT as Ctrl-C stops it: exit 0, a summary line. */
    @Test
    public void ctrlCStopsARealProcessCleanly() throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", cp, "dev.tollgate.cli.Main", "watch"));
        cmd.addAll(args(gerrit.sshPort));
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        closeables.add(p::destroyForcibly);
        LineQueue err = new LineQueue("the process's stderr");
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                    System.err.println("watch process: " + l); // kept in the test's output file
                    err.write((l + "\n").getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "stderr-pump");
        pump.start();
        err.await("connected", WAIT, l -> l.contains("connected to"));
        // Ctrl-C is SIGINT; a process started in the background by a shell without job control
        // (a CI script, `cmd &`) inherits SIGINT ignored, and the JVM then keeps it ignored: there
        // SIGTERM stands in, which the JVM handles the same way (the shutdown hook)
        String signal = sigintIgnored() ? "-TERM" : "-INT";
        System.err.println("stopping the watch process with SIG" + signal.substring(1));
        Process kill = new ProcessBuilder("kill", signal, Long.toString(p.pid())).start();
        assertTrue(kill.waitFor(30, TimeUnit.SECONDS));
        assertTrue("the process ended", p.waitFor(WAIT, TimeUnit.SECONDS));
        pump.join(TimeUnit.SECONDS.toMillis(WAIT));
        assertEquals(String.join("\n", err.lines()), 0, p.exitValue());
        List<String> lines = err.lines();
        String last = lines.get(lines.size() - 1);
        assertTrue(String.join("\n", lines), last.startsWith("tollgate watch: stopped: "));
        assertNoStackTrace(lines);
    }

    /** Whether this JVM (and so a process it starts) has SIGINT ignored: Linux's SigIgn mask, bit 1. */
    private static boolean sigintIgnored() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(l.substring("SigIgn:".length()).strip(), 16) & 0x2) != 0;
            }
        }
        return false;
    }

    static void assertNoStackTrace(List<String> lines) {
        for (String l : lines) {
            assertFalse("no stack trace: " + l, l.startsWith("\tat ") || l.contains("Exception in thread"));
        }
    }
}
