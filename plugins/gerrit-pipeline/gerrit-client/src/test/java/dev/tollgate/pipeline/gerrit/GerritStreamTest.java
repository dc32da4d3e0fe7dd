package dev.tollgate.pipeline.gerrit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.tollgate.common.Backoff;
import dev.tollgate.pipeline.status.StreamMetrics;
import dev.tollgate.testing.ManualClock;
import dev.tollgate.testing.Peers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
 * The stream's order and recovery rules against a MINA stand-in server that sends exactly what the
 * test says; authenticates with an RSA key in PEM form (the real-Gerrit test uses OpenSSH ed25519).
 */
public class GerritStreamTest {
    private static String privateKeyPem;
    private static PublicKey publicKey;
    private FakeGerritSshServer server;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @ClassRule
    public static final TemporaryFolder tmp = new TemporaryFolder();

    @BeforeClass
    public static void makeKey() throws Exception {
        Path keygen = Peers.requireExecutable("openssh-client", "/usr/bin/ssh-keygen");
        Path dir = tmp.newFolder("keys").toPath();
        Path key = dir.resolve("id_rsa");
        Process p = new ProcessBuilder(keygen.toString(), "-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "",
                "-f", key.toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        privateKeyPem = Files.readString(key);
        assertTrue(privateKeyPem.startsWith("-----BEGIN RSA PRIVATE KEY-----"));
        publicKey = PublicKeyEntry.parsePublicKeyEntry(Files.readString(dir.resolve("id_rsa.pub")).strip())
                .resolvePublicKey(null, null, PublicKeyEntryResolver.FAILING);
    }

    @Before
    public void startServer() throws Exception {
        server = new FakeGerritSshServer(publicKey);
    }

    @After
    public void tearDown() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        server.close();
    }

    private static String comment(int change, String text, long at) {
        return ("{'type':'comment-added','change':{'project':'p','number':" + change + "},'patchSet':{'number':1},"
                + "'author':{'username':'u'},'comment':'" + text + "','eventCreatedOn':" + at + "}").replace('\'', '"');
    }

    private static final class ScriptedRecovery implements EventRecovery {
        final List<Instant> calls = new ArrayList<>();
        final List<Object> answers = new ArrayList<>(); // List<String> or IOException, one per call

        @Override
        public synchronized List<String> eventsSince(Instant since) throws IOException {
            calls.add(since);
            Object a = answers.isEmpty() ? new IOException("no scripted answer") : answers.remove(0);
            if (a instanceof IOException) {
                throw (IOException) a;
            }
            @SuppressWarnings("unchecked")
            List<String> lines = (List<String>) a;
            return lines;
        }
    }

    private GerritStream stream(GerritSshConfig cfg, RecordingSink sink, EventRecovery recovery, GateSleeper gate) {
        GerritStream s = new GerritStream(cfg, () -> new SshKeyCredentials("ci", privateKeyPem, null), sink, recovery,
                new ManualClock(), gate, () -> 0.0);
        closeables.add(s);
        s.start();
        return s;
    }

    private GerritSshConfig config(int maxRecoveryAttempts, Instant resumeFrom) {
        GerritSshConfig c = GerritSshConfig.of("127.0.0.1", server.port(), server.hostKeyLine);
        return new GerritSshConfig(c.host(), c.port(), c.hostKey(), Duration.ofSeconds(10), Duration.ZERO, 3,
                Duration.ZERO, new Backoff(Duration.ofMillis(10), Duration.ofSeconds(1), 2.0, 0.0), resumeFrom,
                Duration.ofSeconds(5), maxRecoveryAttempts);
    }

    private static List<String> comments(RecordingSink sink) {
        return sink.events().stream().map(e -> e.path("comment").asText(e.toString())).collect(Collectors.toList());
    }

    @Test
    public void theServerPresentsThePinnedKeyWhenItHasSeveral() throws Exception {
        // MINA prefers ECDSA: without asking for the pinned type first, an RSA pin never matches
        java.security.KeyPairGenerator ec = java.security.KeyPairGenerator.getInstance("EC");
        ec.initialize(256);
        java.security.KeyPairGenerator rsa = java.security.KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        java.security.KeyPair rsaKey = rsa.generateKeyPair();
        server.close();
        server = new FakeGerritSshServer(publicKey,
                org.apache.sshd.common.keyprovider.KeyPairProvider.wrap(ec.generateKeyPair(), rsaKey));
        GerritSshConfig c = config(5, null);
        GerritSshConfig rsaPinned = new GerritSshConfig(c.host(), c.port(), PublicKeyEntry.toString(rsaKey.getPublic()),
                c.connectTimeout(), c.keepAliveInterval(), c.keepAliveMaxMissed(), c.silenceTimeout(), c.backoff(),
                c.resumeFrom(), c.recoverySlack(), c.maxRecoveryAttempts());
        RecordingSink sink = new RecordingSink();
        GerritStream s = stream(rsaPinned, sink, null, new GateSleeper());
        sink.await("connected", 20, r -> r.connects() == 1);
        assertEquals(GerritStream.State.CONNECTED, s.status().state());
    }

    @Test
    public void linesFlowInOrderAndNeitherBadLinesNorAFailingSinkStopTheStream() throws Exception {
        RecordingSink sink = new RecordingSink() {
            @Override
            public synchronized void accept(String jsonLine) {
                super.accept(jsonLine);
                if (jsonLine.contains("explode")) {
                    throw new IllegalStateException("a bug in the sink");
                }
            }
        };
        GerritStream s = stream(config(5, null), sink, null, new GateSleeper());
        sink.await("connected", 20, r -> r.connects() == 1);
        server.send(comment(1, "one", 1000));
        server.send("{\"type\":\"comment-added\",\"broken\"");
        server.send(comment(1, "explode", 1001));
        server.send(comment(1, "two", 1002));
        server.send(comment(1, "two", 1002)); // the same event twice: delivered once
        server.send(comment(1, "three", 1003));
        sink.await("all lines", 20, r -> comments(r).contains("three"));
        assertEquals(List.of("one", "explode", "two", "three"), comments(sink));
        assertEquals("the malformed line is handed on as it came", "{\"type\":\"comment-added\",\"broken\"",
                sink.raw().get(1));
        assertEquals(1, s.status().duplicatesDropped());
        assertEquals(4, s.status().delivered());
        assertEquals(GerritStream.State.CONNECTED, s.status().state());
    }

    @Test
    public void missedEventsAreRecoveredBeforeLiveOnesAndAFailedRecoveryIsRetried() throws Exception {
        ScriptedRecovery recovery = new ScriptedRecovery();
        recovery.answers.add(new IOException("HTTP 503 from Gerrit"));
        recovery.answers.add(List.of(comment(1, "one", 999), comment(1, "missed", 1003)));
        // the pass run at the first live line after the reconnect finds nothing new
        recovery.answers.add(List.of(comment(1, "missed", 1003)));
        RecordingSink sink = new RecordingSink();
        GateSleeper gate = new GateSleeper();
        GerritStream s = stream(config(5, null), sink, recovery, gate);
        sink.await("connected", 20, r -> r.connects() == 1);
        server.send(comment(1, "one", 1000));
        sink.await("live event", 20, r -> r.events().size() == 1);

        server.closeSessions();
        sink.await("disconnect", 20, r -> r.disconnects().size() == 1);
        gate.release();
        sink.await("recovery failure", 20, r -> r.disconnects().size() == 2);
        assertTrue(sink.disconnects().get(1), sink.disconnects().get(1).contains("recovery of missed events failed: HTTP 503"));
        gate.release();
        sink.await("reconnected", 20, r -> r.connects() == 3 && r.events().size() == 2);
        server.send(comment(1, "live again", 1004));
        sink.await("live again", 20, r -> r.events().size() == 3);

        assertEquals(List.of("one", "missed", "live again"), comments(sink));
        assertEquals("both recoveries start 5 s before the last event seen, the confirming one too",
                List.of(Instant.ofEpochSecond(995), Instant.ofEpochSecond(995), Instant.ofEpochSecond(998)),
                recovery.calls);
        assertEquals(2, s.status().duplicatesDropped());
        assertEquals(Instant.ofEpochSecond(1004), s.status().lastEventCreatedOn());
        assertEquals(3, server.commands.get());
    }

    @Test
    public void anEventOfTheMomentBeforeGerritSubscribedTheStreamIsRecoveredAtTheFirstLiveLine() throws Exception {
        // Gerrit answers the exec request before it subscribes the stream: an event of that moment
        // is in neither the stream nor the recovery that ran right after the reply
        ScriptedRecovery recovery = new ScriptedRecovery();
        recovery.answers.add(List.of(comment(8, "before the gap", 5000)));
        recovery.answers.add(List.of(comment(8, "before the gap", 5000), comment(8, "while subscribing", 5001)));
        RecordingSink sink = new RecordingSink();
        GerritStream s = stream(config(5, Instant.ofEpochSecond(4990)), sink, recovery, new GateSleeper());
        sink.await("connected", 20, r -> r.connects() == 1);
        server.send(comment(8, "first live", 5002));
        sink.await("the live event", 20, r -> comments(r).contains("first live"));
        assertEquals(List.of("before the gap", "while subscribing", "first live"), comments(sink));
        assertEquals(List.of(Instant.ofEpochSecond(4985), Instant.ofEpochSecond(4995)), recovery.calls);
        server.send(comment(8, "second live", 5003));
        sink.await("the next live event", 20, r -> comments(r).contains("second live"));
        assertEquals("one confirming pass per connection", 2, recovery.calls.size());
        assertEquals(1, s.status().duplicatesDropped());
    }

    @Test
    public void eventsGerritDroppedForASlowReaderAreRecoveredInPlace() throws Exception {
        ScriptedRecovery recovery = new ScriptedRecovery();
        recovery.answers.add(List.of(comment(3, "one", 2000), comment(3, "dropped by gerrit", 2001)));
        RecordingSink sink = new RecordingSink();
        GerritStream s = stream(config(5, null), sink, recovery, new GateSleeper());
        sink.await("connected", 20, r -> r.connects() == 1);
        server.send(comment(3, "one", 2000));
        server.send("{\"type\":\"dropped-output\"}");
        server.send(comment(3, "two", 2002));
        sink.await("three comments", 20, r -> r.events().size() == 3);
        assertEquals(List.of("one", "dropped by gerrit", "two"), comments(sink));
        assertEquals(List.of(Instant.ofEpochSecond(1995)), recovery.calls);
        assertEquals(1, s.droppedOutputs());
        assertEquals("no reconnect was needed", 1, sink.connects());
    }

    @Test
    public void metricsTellTheStateAndCountersOfTheStreamAcrossAReconnect() throws Exception {
        RecordingSink sink = new RecordingSink();
        GateSleeper gate = new GateSleeper();
        GerritStream s = stream(config(5, null), sink, null, gate);
        sink.await("connected", 20, r -> r.connects() == 1);
        StreamMetrics up = s.metrics();
        assertEquals("CONNECTED", up.state());
        assertTrue(up.connected());
        assertEquals(0, up.reconnects());
        assertTrue(up.connectedSince() != null);
        server.send(comment(7, "one", 7000));
        server.send(comment(7, "one", 7000)); // the same event again: dropped
        server.send("{\"type\":\"dropped-output\"}"); // no recovery configured: counted, nothing fetched
        server.send(comment(7, "two", 7001));
        sink.await("two events", 20, r -> r.events().size() == 2);

        server.closeSessions();
        sink.await("disconnect", 20, r -> r.disconnects().size() == 1);
        StreamMetrics down = s.metrics();
        assertEquals("WAITING_TO_RECONNECT", down.state());
        assertFalse(down.connected());
        assertEquals(1, down.reconnects());
        assertEquals(2, down.delivered());
        assertEquals(1, down.duplicatesDropped());
        assertEquals(1, down.droppedOutputs());
        assertEquals(0, down.oversizedLines());
        assertEquals(null, down.connectedSince());
        assertEquals(Instant.ofEpochSecond(7001), down.lastEventCreatedOn());
        assertEquals(sink.disconnects().get(0), down.lastDisconnectReason());

        gate.release();
        sink.await("reconnected", 20, r -> r.connects() == 2);
        StreamMetrics again = s.metrics();
        assertEquals("CONNECTED", again.state());
        assertTrue(again.connected());
        assertEquals("the count stays", 1, again.reconnects());
    }

    @Test
    public void aGapThatCannotBeRecoveredIsGivenUpAfterTheConfiguredAttempts() throws Exception {
        ScriptedRecovery recovery = new ScriptedRecovery(); // fails every time
        RecordingSink sink = new RecordingSink();
        GateSleeper gate = new GateSleeper();
        GerritStream s = stream(config(2, Instant.ofEpochSecond(5000)), sink, recovery, gate);
        sink.await("first recovery failure", 20, r -> r.disconnects().size() == 1);
        gate.release();
        sink.await("second connect goes live", 20, r -> r.connects() == 2);
        server.send(comment(2, "after", 6000));
        sink.await("live", 20, r -> r.events().size() == 1);
        assertEquals(List.of(Instant.ofEpochSecond(4995), Instant.ofEpochSecond(4995)), recovery.calls);
        assertEquals(GerritStream.State.CONNECTED, s.status().state());
    }

    @Test
    public void aWrongUserKeyIsReportedAndRetried() throws Exception {
        Path keygen = Peers.requireExecutable("openssh-client", "/usr/bin/ssh-keygen");
        Path dir = tmp.newFolder().toPath();
        Process p = new ProcessBuilder(keygen.toString(), "-q", "-t", "ed25519", "-N", "", "-f",
                dir.resolve("k").toString()).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String otherKey = Files.readString(dir.resolve("k"));
        RecordingSink sink = new RecordingSink();
        GateSleeper gate = new GateSleeper();
        GerritStream s = new GerritStream(config(5, null), () -> new SshKeyCredentials("ci", otherKey, null), sink,
                null, new ManualClock(), gate, () -> 0.0);
        closeables.add(s);
        s.start();
        sink.await("auth failure", 20, r -> r.disconnects().size() == 1);
        assertTrue(sink.disconnects().get(0), sink.disconnects().get(0).contains("SshException"));
        assertTrue("the key never shows in the reason", !sink.disconnects().get(0).contains("PRIVATE KEY"));
        assertEquals(GerritStream.State.WAITING_TO_RECONNECT, s.status().state());
        assertEquals(List.of(Duration.ofMillis(10)), gate.awaitWaits(1));
        gate.release();
        sink.await("second failure", 20, r -> r.disconnects().size() == 2);
        assertEquals(Duration.ofMillis(20), gate.awaitWaits(2).get(1));
    }
    /** A comment-added event whose stream-events line is exactly {@code bytes} long (ASCII). */
    private static String commentOfSize(int change, long at, int bytes) {
        String head = ("{'type':'comment-added','change':{'project':'p','branch':'master','number':" + change + "},"
                + "'patchSet':{'number':1},'author':{'username':'u'},'eventCreatedOn':" + at + ",'comment':'")
                .replace('\'', '"');
        String tail = "\"}";
        StringBuilder b = new StringBuilder(bytes).append(head);
        b.append("z".repeat(bytes - head.length() - tail.length()));
        return b.append(tail).toString();
    }

    @Test
    public void aLineAboveTheEventSizeLimitIsSkippedAndItsGapRecoveredWhileTheStreamReadsOn() throws Exception {
        ScriptedRecovery recovery = new ScriptedRecovery();
        recovery.answers.add(List.of(comment(4, "before", 3000), comment(4, "recovered", 3001)));
        RecordingSink sink = new RecordingSink();
        GerritStream s = stream(config(5, null), sink, recovery, new GateSleeper());
        sink.await("connected", 20, r -> r.connects() == 1);
        server.send(comment(4, "before", 3000));
        server.send(commentOfSize(4, 3001, GerritSshConfig.MAX_EVENT_BYTES + 1));
        server.send(comment(4, "after", 3002));
        sink.await("the event after the long line", 60, r -> comments(r).contains("after"));

        assertEquals(List.of("before", "recovered", "after"), comments(sink));
        assertTrue("no line above the limit reaches the sink",
                sink.raw().stream().allMatch(l -> l.length() <= GerritSshConfig.MAX_EVENT_BYTES));
        assertEquals(1, s.oversizedLines());
        assertEquals("the gap is recovered from just before the last event",
                List.of(Instant.ofEpochSecond(2995)), recovery.calls);
        assertEquals("no reconnect was needed", 1, sink.connects());
        assertEquals(GerritStream.State.CONNECTED, s.status().state());
    }

    @Test
    public void anEventAtTheSizeLimitIsDeliveredOnce() throws Exception {
        // the stream's JSON reader takes every event the engine's parser does, so a copy of the
        // largest one is still recognised (a lower string limit made it non-JSON, and undeduplicated)
        String big = commentOfSize(5, 4000, GerritSshConfig.MAX_EVENT_BYTES);
        RecordingSink sink = new RecordingSink();
        GerritStream s = stream(config(5, null), sink, null, new GateSleeper());
        sink.await("connected", 20, r -> r.connects() == 1);
        server.send(big);
        server.send(big);
        server.send(comment(5, "after", 4001));
        sink.await("the event after the big ones", 60, r -> {
            List<String> raw = r.raw();
            return !raw.isEmpty() && raw.get(raw.size() - 1).contains("\"after\"");
        });
        assertEquals("the big event is read as JSON, so its copy is recognised", 2, sink.raw().size());
        assertEquals(1, s.status().duplicatesDropped());
    }

    @Test
    public void anEventAtTheSizeLimitIsReadByTheStreamAndByTheEngineAlike() throws Exception {
        String line = commentOfSize(6, 4500, GerritSshConfig.MAX_EVENT_BYTES);
        assertTrue("the stream reads it as JSON (so it is deduplicated)", GerritStream.parse(line) != null);
        int commentChars = line.length() - line.indexOf("\"comment\":\"") - "\"comment\":\"".length() - 2;
        assertEquals("the engine reads it whole", commentChars,
                new dev.tollgate.pipeline.event.EventParser().parse(line).comment().length());
    }

    @Test
    public void anErrorThrownByTheSinkDoesNotStopTheStream() throws Exception {
        RecordingSink sink = new RecordingSink() {
            @Override
            public synchronized void accept(String jsonLine) {
                super.accept(jsonLine);
                if (jsonLine.contains("heap")) {
                    throw new OutOfMemoryError("simulated: the heap was short for a moment");
                }
                if (jsonLine.contains("assert")) {
                    throw new AssertionError("a bug in the sink");
                }
            }
        };
        GerritStream s = stream(config(5, null), sink, null, new GateSleeper());
        sink.await("connected", 20, r -> r.connects() == 1);
        server.send(comment(7, "heap", 5000));
        server.send(comment(7, "assert", 5001));
        server.send(comment(7, "after", 5002));
        sink.await("the event after the failures", 20, r -> comments(r).contains("after"));
        assertEquals(List.of("heap", "assert", "after"), comments(sink));
        assertEquals(GerritStream.State.CONNECTED, s.status().state());
        assertEquals(1, sink.connects());
    }

    @Test
    public void aRecoveryThatThrowsAnErrorIsRetriedLikeAFailedOne() throws Exception {
        List<Instant> calls = new ArrayList<>();
        EventRecovery recovery = since -> {
            synchronized (calls) {
                calls.add(since);
                if (calls.size() == 1) {
                    throw new NoClassDefFoundError("com/example/MissingRestClass");
                }
            }
            return List.of(comment(8, "missed", 6001));
        };
        RecordingSink sink = new RecordingSink();
        GateSleeper gate = new GateSleeper();
        GerritStream s = stream(config(5, Instant.ofEpochSecond(6000)), sink, recovery, gate);
        sink.await("first recovery failure", 20, r -> r.disconnects().size() == 1);
        assertTrue(sink.disconnects().get(0), sink.disconnects().get(0).contains("recovery of missed events failed")
                && sink.disconnects().get(0).contains("NoClassDefFoundError"));
        gate.release();
        sink.await("recovered after the retry", 20, r -> r.connects() == 2 && r.events().size() == 1);
        server.send(comment(8, "live", 6002));
        sink.await("live", 20, r -> r.events().size() == 2);
        assertEquals(List.of("missed", "live"), comments(sink));
        assertEquals(GerritStream.State.CONNECTED, s.status().state());
    }

    @Test
    public void anErrorTheJvmCannotRideOutStopsTheReaderAndTellsTheSink() throws Exception {
        RecordingSink sink = new RecordingSink() {
            @Override
            public synchronized void accept(String jsonLine) {
                super.accept(jsonLine);
                throw new InternalError("simulated: the JVM is broken");
            }
        };
        GerritStream s = stream(config(5, null), sink, null, new GateSleeper());
        sink.await("connected", 20, r -> r.connects() == 1);
        server.send(comment(9, "fatal", 7000));
        sink.await("the sink is told", 20, r -> r.disconnects().size() == 1);
        assertTrue(sink.disconnects().get(0), sink.disconnects().get(0).startsWith("reader stopped: ")
                && sink.disconnects().get(0).contains("InternalError"));
        assertEquals(GerritStream.State.STOPPED, s.status().state());
    }

    @Test
    public void theWatchdogTimerOutlivesAFailingTick() throws Exception {
        ManualClock manual = new ManualClock();
        java.util.concurrent.CountDownLatch ticks = new java.util.concurrent.CountDownLatch(2);
        java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
        java.time.Clock clock = new java.time.Clock() {
            @Override
            public Instant instant() {
                if (Thread.currentThread().getName().startsWith("gerrit-stream-watchdog")) {
                    ticks.countDown();
                    if (failed.compareAndSet(false, true)) {
                        throw new IllegalStateException("simulated: the clock failed once");
                    }
                }
                return manual.instant();
            }

            @Override
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            @Override
            public java.time.Clock withZone(java.time.ZoneId zone) {
                return this;
            }
        };
        RecordingSink sink = new RecordingSink();
        GerritStream s = new GerritStream(config(5, null).withSilenceTimeout(Duration.ofHours(1)),
                () -> new SshKeyCredentials("ci", privateKeyPem, null), sink, null, clock, new GateSleeper(), () -> 0.0);
        closeables.add(s);
        s.start();
        sink.await("connected", 20, r -> r.connects() == 1);
        s.startWatchdogTimer(Duration.ofMillis(1));
        assertTrue("the watchdog ticks again after a failed tick", ticks.await(20, TimeUnit.SECONDS));
    }
}
