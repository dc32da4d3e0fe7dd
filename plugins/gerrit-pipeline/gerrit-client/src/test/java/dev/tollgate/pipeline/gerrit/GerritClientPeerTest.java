package dev.tollgate.pipeline.gerrit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.common.Backoff;
import dev.tollgate.common.Sleeper;
import dev.tollgate.pipeline.port.Review;
import dev.tollgate.pipeline.port.ReviewPoster.ReviewException;
import dev.tollgate.testing.FaultyTcpProxy;
import dev.tollgate.testing.ManualClock;
import java.net.URI;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The Gerrit client against a real Gerrit 3.10.2 (its own JVM), with a fault-injecting TCP proxy
 * between client and server for SSH and for HTTP.
 */
public class GerritClientPeerTest {
    private static GerritPeerProcess gerrit;
    private static GerritAdmin admin;
    private static final List<AutoCloseable> cleanup = new ArrayList<>();

    @BeforeClass
    public static void startGerrit() throws Exception {
        gerrit = GerritPeerProcess.shared();
        admin = new GerritAdmin(gerrit);
    }

    @AfterClass
    public static void closeAll() throws Exception {
        for (AutoCloseable c : cleanup) {
            c.close();
        }
        cleanup.clear();
    }

    private static <T extends AutoCloseable> T closeLater(T c) {
        cleanup.add(c);
        return c;
    }

    private static GerritSshConfig sshConfig(int port) {
        return GerritSshConfig.of("127.0.0.1", port, gerrit.sshHostKey)
                .withBackoff(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), 2.0, 0.3))
                .withConnectTimeout(Duration.ofSeconds(60)); // a hang guard on a loaded machine
    }

    private static GerritStream stream(GerritSshConfig cfg, GerritEventSink sink, EventRecovery recovery,
                                       Clock clock, Sleeper sleeper) {
        GerritStream s = new GerritStream(cfg, gerrit::sshCredentials, sink, recovery, clock, sleeper, () -> 0.5);
        closeLater(s);
        s.start();
        return s;
    }

    /** What identifies an event for comparison between two streams. */
    private static String signature(JsonNode e) {
        String type = e.path("type").asText();
        String text = e.path("comment").asText(e.path("reason").asText(""));
        return type + " ps" + e.path("patchSet").path("number").asText() + " " + text.strip();
    }

    private static List<String> signaturesOf(RecordingSink sink, int change) {
        return sink.events().stream()
                .filter(e -> e.path("change").path("number").asInt() == change)
                .filter(e -> !"ref-updated".equals(e.path("type").asText()))
                .map(GerritClientPeerTest::signature)
                .sorted()
                .collect(Collectors.toList());
    }

    @Test
    public void everyEventIsDeliveredOnceAcrossACutStreamAndItsRecovery() throws Exception {
        int change = admin.createChange("Exactly once " + UUID.randomUUID());
        RecordingSink reference = new RecordingSink();
        stream(sshConfig(gerrit.sshPort), reference, null, Clock.systemUTC(), new GateSleeper());
        reference.await("reference stream connected", 30, s -> s.connects() == 1);

        FaultyTcpProxy sshProxy = closeLater(new FaultyTcpProxy("127.0.0.1", gerrit.sshPort));
        RecordingSink sink = new RecordingSink();
        GateSleeper gate = new GateSleeper();
        ChangesQueryRecovery recovery = new ChangesQueryRecovery(admin.rest, gerrit.httpUrl);
        GerritStream cut = stream(sshConfig(sshProxy.port()), sink, recovery, Clock.systemUTC(), gate);
        sink.await("stream connected", 30, s -> s.connects() == 1);
        RecordingSink.awaitSubscribed(admin, change, reference, sink);

        admin.newPatchSet(change, "neutron/first.py", "print('first')\n");
        admin.comment(change, "recheck");
        sink.await("live comment", 30, s -> s.has(change, "comment-added", e -> e.path("comment").asText().endsWith("recheck")));

        // cut the stream; while it is down (and reconnects are refused) the change moves on
        sshProxy.refuse(true);
        sshProxy.cutAll();
        sink.await("disconnect", 30, s -> s.disconnects().size() == 1);
        admin.comment(change, "metaplugin-recheck");
        admin.abandon(change, "not needed");
        admin.restore(change);
        admin.newPatchSet(change, "neutron/fix.py", "print('fixed')\n");
        admin.vote(change, "Verified", 1, "looks fine");
        gate.release(); // one reconnect attempt, refused
        sink.await("refused reconnect", 30, s -> s.disconnects().size() == 2);
        sshProxy.refuse(false);
        gate.openForGood();
        sink.await("reconnected", 30, s -> s.connects() == 2);
        // Gerrit subscribes a stream a moment after it answers the exec request: wait for that, as
        // after the first connect, before the live comment that must arrive live
        RecordingSink.awaitSubscribed(admin, change, sink);
        admin.comment(change, "after the gap");

        for (RecordingSink s : List.of(sink, reference)) {
            s.await("last comment", 30, r -> r.has(change, "comment-added",
                    e -> e.path("comment").asText().endsWith("after the gap")));
        }
        List<String> expected = signaturesOf(reference, change);
        List<String> got = signaturesOf(sink, change);
        // patchset 1 was created before either stream subscribed; the cut stream's recovery looks
        // back recoverySlack (5 s) before the last event and may legitimately bring it in late
        expected.removeIf(x -> x.contains("subscription check") || x.startsWith("patchset-created ps1 "));
        got.removeIf(x -> x.contains("subscription check") || x.startsWith("patchset-created ps1 "));
        assertEquals("the cut stream delivers what the uncut one saw, each event once", expected, got);
        assertEquals(8, expected.size()); // patchsets 2 and 3, 4 comments, abandon, restore
        assertTrue("the recovery re-read the last live event and dropped it: " + cut.status(),
                cut.status().duplicatesDropped() >= 1);
        assertTrue(sink.disconnects().get(1), sink.disconnects().size() == 2);
        assertEquals(GerritStream.State.CONNECTED, cut.status().state());
        assertEquals(2, cut.status().reconnects());
        assertTrue("backoff grew between the two failed connects: " + gate.waits(),
                gate.waits().get(1).compareTo(gate.waits().get(0)) > 0);
        // the recovered comment carries its vote the way the stream does
        JsonNode vote = sink.events().stream().filter(e -> e.path("comment").asText().endsWith("looks fine"))
                .findFirst().orElseThrow();
        assertEquals("Verified", vote.path("approvals").get(0).path("type").asText());
        assertEquals("1", vote.path("approvals").get(0).path("value").asText());
    }

    @Test
    public void aDeadConnectionIsNoticedByKeepAlives() throws Exception {
        FaultyTcpProxy sshProxy = closeLater(new FaultyTcpProxy("127.0.0.1", gerrit.sshPort));
        RecordingSink sink = new RecordingSink();
        GerritSshConfig cfg = sshConfig(sshProxy.port()).withKeepAlive(Duration.ofMillis(500), 2)
                .withSilenceTimeout(Duration.ZERO);
        GateSleeper gate = new GateSleeper();
        GerritStream s = stream(cfg, sink, null, Clock.systemUTC(), gate);
        sink.await("connected", 30, r -> r.connects() == 1);
        sshProxy.freeze(true); // the TCP connection stays open, nothing comes back
        sink.await("keep-alive gives up", 20, r -> r.disconnects().size() == 1);
        assertEquals(GerritStream.State.WAITING_TO_RECONNECT, s.status().state());
        sshProxy.freeze(false);
        sshProxy.cutAll();
        gate.openForGood();
        sink.await("reconnected", 30, r -> r.connects() == 2);
    }

    @Test
    public void theWatchdogReconnectsASilentStream() throws Exception {
        ManualClock clock = new ManualClock();
        RecordingSink sink = new RecordingSink();
        GerritSshConfig cfg = sshConfig(gerrit.sshPort).withSilenceTimeout(Duration.ofMinutes(10));
        GateSleeper gate = new GateSleeper();
        GerritStream s = stream(cfg, sink, null, clock, gate);
        sink.await("connected", 30, r -> r.connects() == 1);
        clock.advance(Duration.ofMinutes(9));
        s.tick();
        assertEquals(GerritStream.State.CONNECTED, s.status().state());
        clock.advance(Duration.ofMinutes(2));
        s.tick();
        sink.await("watchdog drop", 20, r -> r.disconnects().size() == 1);
        assertTrue(sink.disconnects().get(0), sink.disconnects().get(0).startsWith("watchdog: no line from the stream for 660 s"));
        gate.release();
        sink.await("reconnected", 30, r -> r.connects() == 2);
    }

    @Test
    public void aWrongHostKeyIsRefusedNamingBothFingerprints() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        PublicKey wrong = g.generateKeyPair().getPublic();
        String wrongLine = "[127.0.0.1]:" + gerrit.sshPort + " " + PublicKeyEntry.toString(wrong);
        PublicKey real = PublicKeyEntry.parsePublicKeyEntry(gerrit.sshHostKey).resolvePublicKey(null, null,
                PublicKeyEntryResolver.FAILING);
        RecordingSink sink = new RecordingSink();
        GerritSshConfig cfg = GerritSshConfig.of("127.0.0.1", gerrit.sshPort, wrongLine);
        GerritStream s = stream(cfg, sink, null, Clock.systemUTC(), new GateSleeper());
        sink.await("refusal", 30, r -> r.disconnects().size() == 1);
        String reason = sink.disconnects().get(0);
        assertTrue(reason, reason.startsWith("SSH host key mismatch"));
        assertTrue(reason, reason.contains("expected " + HostKeyCheck.fingerprint(wrong)));
        assertTrue(reason, reason.contains("presented ssh-rsa " + HostKeyCheck.fingerprint(real)));
        assertEquals(0, sink.connects());
        assertEquals(reason, s.status().lastDisconnectReason());
    }

    // ---- reviews ----

    private static final class CountingSleeper implements Sleeper {
        final List<Duration> waits = new ArrayList<>();
        java.util.function.IntConsumer onWait = n -> { };

        @Override
        public synchronized void sleep(Duration d) {
            waits.add(d);
            onWait.accept(waits.size());
        }
    }

    private RestReviewPoster poster(FaultyTcpProxy httpProxy, CountingSleeper sleeper) {
        GerritRest rest = new GerritRest(URI.create("http://127.0.0.1:" + httpProxy.port()), gerrit::httpCredentials,
                Duration.ofSeconds(5), Duration.ofSeconds(20));
        return new RestReviewPoster(rest, new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2), 2.0, 0.3),
                sleeper, () -> 0.5, 6);
    }

    private static Review review(int change, int patchset, Map<String, Integer> labels, String message) {
        return new Review("openstack/neutron", change, patchset, null, labels, message,
                "it-" + UUID.randomUUID() + ":report");
    }

    @Test
    public void aReviewWhoseResponseWasLostIsPostedOnce() throws Exception {
        FaultyTcpProxy http = closeLater(new FaultyTcpProxy("127.0.0.1", URI.create(gerrit.httpUrl).getPort()));
        CountingSleeper sleeper = new CountingSleeper();
        int change = admin.createChange("Lost response " + UUID.randomUUID());
        Review r = review(change, 1, Map.of("Verified", 1), "Build succeeded.\n\n- neutron-tests SUCCESS");
        http.dropNextResponses(1);
        poster(http, sleeper).post(r);
        assertEquals(1, admin.messagesTagged(change, RestReviewPoster.tagOf(r)));
        assertEquals(1, admin.vote(change, "Verified"));
        assertEquals("one POST, then the check found it: no second POST", 2, http.forwardedRequests.get());
        JsonNode last = lastMessage(change);
        assertEquals("Patch Set 1: Verified+1\n\nBuild succeeded.\n\n- neutron-tests SUCCESS", last.path("message").asText());
    }

    @Test
    public void aReviewAnswered5xxAfterItLandedIsPostedOnceAndTheVoteReadsBack() throws Exception {
        FaultyTcpProxy http = closeLater(new FaultyTcpProxy("127.0.0.1", URI.create(gerrit.httpUrl).getPort()));
        CountingSleeper sleeper = new CountingSleeper();
        int change = admin.createChange("5xx after apply " + UUID.randomUUID());
        admin.vote(change, "Verified", -1, "earlier failure");
        Review r = review(change, 1, Map.of("Verified", 0), "Build reset.");
        http.failNextResponses(1, 502);
        poster(http, sleeper).post(r);
        assertEquals(1, admin.messagesTagged(change, RestReviewPoster.tagOf(r)));
        assertEquals(0, admin.vote(change, "Verified"));
        assertEquals(1, sleeper.waits.size());
    }

    @Test
    public void rejectedAndRefusedAttemptsAreRetriedUntilTheReviewLandsOnce() throws Exception {
        FaultyTcpProxy http = closeLater(new FaultyTcpProxy("127.0.0.1", URI.create(gerrit.httpUrl).getPort()));
        CountingSleeper sleeper = new CountingSleeper();
        int change = admin.createChange("503 and refused " + UUID.randomUUID());
        String revision = admin.currentRevision(change);
        Review r = new Review("openstack/neutron", change, 1, revision, Map.of("Verified", 1), "Build succeeded.",
                "it-" + UUID.randomUUID());
        // the POST meets a refused connection; then two checks meet 503s (cannot tell: no POST);
        // the third check finds nothing, and the one POST that follows lands
        http.refuse(true);
        sleeper.onWait = n -> {
            if (n == 1) {
                http.refuse(false);
                http.rejectNextRequests(2, 503);
            }
        };
        poster(http, sleeper).post(r);
        assertEquals(1, admin.messagesTagged(change, RestReviewPoster.tagOf(r)));
        assertEquals(1, admin.vote(change, "Verified"));
        assertEquals(3, sleeper.waits.size());
        assertEquals("the third check and the POST reached Gerrit", 2, http.forwardedRequests.get());
        assertTrue("backoff grows: " + sleeper.waits, sleeper.waits.get(2).compareTo(sleeper.waits.get(0)) > 0);
    }

    @Test
    public void aReviewInProgressAtARestartIsLookedForOnTheChangeAndPostedOnlyIfMissing() throws Exception {
        FaultyTcpProxy http = closeLater(new FaultyTcpProxy("127.0.0.1", URI.create(gerrit.httpUrl).getPort()));
        CountingSleeper sleeper = new CountingSleeper();
        int change = admin.createChange("Restart " + UUID.randomUUID());
        Review landed = review(change, 1, Map.of("Verified", 1), "Build succeeded.");
        poster(http, sleeper).post(landed); // the stopped engine's post, which landed
        assertFalse("the new engine finds it", poster(http, sleeper).postIfAbsent(landed));
        assertEquals(1, admin.messagesTagged(change, RestReviewPoster.tagOf(landed)));
        Review missing = review(change, 1, Map.of("Verified", -1), "Build failed.");
        assertTrue("and posts what is not there", poster(http, sleeper).postIfAbsent(missing));
        assertEquals(1, admin.messagesTagged(change, RestReviewPoster.tagOf(missing)));
        assertEquals(-1, admin.vote(change, "Verified"));
        assertEquals("post, look, look, post", 4, http.forwardedRequests.get());
        assertTrue(sleeper.waits.isEmpty());
    }

    @Test
    public void clientErrorsFailAtOnceWithGerritsText() throws Exception {
        FaultyTcpProxy http = closeLater(new FaultyTcpProxy("127.0.0.1", URI.create(gerrit.httpUrl).getPort()));
        CountingSleeper sleeper = new CountingSleeper();
        int change = admin.createChange("4xx " + UUID.randomUUID());
        try {
            poster(http, sleeper).post(review(change, 9, Map.of("Verified", 1), "no such patchset"));
            fail("an unknown patchset must be refused");
        } catch (ReviewException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("HTTP 404: Not found: 9"));
        }
        try {
            poster(http, sleeper).post(review(987654, 1, Map.of(), "nowhere"));
            fail("an unknown change must be refused");
        } catch (ReviewException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("HTTP 404"));
        }
        GerritRest badPassword = new GerritRest(URI.create("http://127.0.0.1:" + http.port()),
                () -> new HttpCredentials("admin", "wrong"));
        try {
            new RestReviewPoster(badPassword, GerritSshConfig.DEFAULT_BACKOFF, sleeper, () -> 0.5, 6)
                    .post(review(change, 1, Map.of(), "unauthorised"));
            fail("a wrong password must be refused");
        } catch (ReviewException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("HTTP 401"));
            assertFalse("the password never shows", e.getMessage().contains("wrong"));
        }
        assertTrue("no retry on 4xx: " + sleeper.waits, sleeper.waits.isEmpty());
        assertEquals(3, http.forwardedRequests.get());
        assertEquals("only Uploaded patch set 1", 1, admin.messages(change).size());
    }

    private static JsonNode lastMessage(int change) throws Exception {
        JsonNode ms = admin.messages(change);
        return ms.get(ms.size() - 1);
    }

    @SuppressWarnings("unused")
    private static Map<String, Integer> counts(List<String> xs) {
        Map<String, Integer> m = new HashMap<>();
        xs.forEach(x -> m.merge(x, 1, Integer::sum));
        return m;
    }
}
