package dev.tollgate.pipeline.gerrit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.common.BuildResult;
import dev.tollgate.pipeline.event.ChangeRef;
import dev.tollgate.pipeline.event.EventParser;
import dev.tollgate.pipeline.event.GerritEvent;
import dev.tollgate.pipeline.layout.GerritServerConfig;
import dev.tollgate.pipeline.layout.Layout;
import dev.tollgate.pipeline.layout.LayoutParser;
import dev.tollgate.pipeline.layout.PipelineSettings;
import dev.tollgate.pipeline.port.BuildLookup;
import dev.tollgate.pipeline.port.BuildStatus;
import dev.tollgate.pipeline.port.JobLauncher;
import dev.tollgate.pipeline.port.LaunchRequest;
import dev.tollgate.pipeline.scheduler.state.SchedulerState;
import dev.tollgate.pipeline.scheduler.state.SchedulerStateCodec;
import dev.tollgate.pipeline.status.MetricsSnapshot;
import dev.tollgate.testing.ManualClock;
import dev.tollgate.testing.Peers;
import java.io.Reader;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.junit.After;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * One Gerrit server's part of the suite as the Jenkins plugin assembles it: events in (handed in,
 * or from its own SSH stream against the MINA stand-in), builds through a fake launcher, reviews
 * over REST to a local HTTP double that keeps them with their tags, the queue saved to a file and
 * restored into a new server after a "crash" (the old one is dropped without {@code close()}).
 * Time is a {@link ManualClock}; nothing sleeps.
 */
public class PipelineServerTest {
    private static final String LAYOUT = "pipelines:\n"
            + "  - name: check\n    manager: IndependentPipelineManager\n"
            + "    trigger: {gerrit: [{event: patchset-created}]}\n"
            + "    success: {gerrit: {verified: 1}}\n    failure: {gerrit: {verified: -1}}\n"
            + "projects:\n  - name: openstack/neutron\n    check: [unit]\n";
    private static final String PROJECT = "openstack/neutron";
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @ClassRule
    public static final TemporaryFolder keys = new TemporaryFolder();
    private static String userPrivateKey;
    private static PublicKey userPublicKey;

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private final ManualClock clock = new ManualClock(T0);
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final Logger serverLog = Logger.getLogger(PipelineServer.class.getName());
    private final List<LogRecord> logged = Collections.synchronizedList(new ArrayList<>());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            logged.add(r);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    /** Hears each stream line once the server has handled it, and the stream's connects. */
    private final RecordingSink seen = new RecordingSink();
    private FakeGerritHttp http;
    private ReviewsOnGerrit gerrit;
    private Path stateFile;

    @BeforeClass
    public static void makeUserKey() throws Exception {
        Path keygen = Peers.requireExecutable("openssh-client", "/usr/bin/ssh-keygen");
        Path key = keys.getRoot().toPath().resolve("id_ed25519");
        Process p = new ProcessBuilder(keygen.toString(), "-q", "-t", "ed25519", "-N", "", "-f", key.toString())
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        userPrivateKey = Files.readString(key);
        userPublicKey = PublicKeyEntry.parsePublicKeyEntry(Files.readString(key.resolveSibling("id_ed25519.pub")).strip())
                .resolvePublicKey(null, null, PublicKeyEntryResolver.FAILING);
    }

    @Before
    public void setUp() throws Exception {
        http = new FakeGerritHttp();
        gerrit = new ReviewsOnGerrit();
        http.handler = gerrit::answer;
        stateFile = tmp.getRoot().toPath().resolve("tollgate").resolve("review.json");
        serverLog.addHandler(capture);
    }

    @After
    public void tearDown() throws Exception {
        serverLog.removeHandler(capture);
        for (int i = closeables.size() - 1; i >= 0; i--) { // servers before the SSH stand-in they read
            closeables.get(i).close();
        }
        http.close();
    }

    // ---- the Jenkins side and Gerrit, faked ----

    /** The launcher port: keeps every launch; a test completes builds through the scheduler. */
    private static final class FakeLauncher implements JobLauncher {
        final LinkedBlockingQueue<LaunchRequest> launched = new LinkedBlockingQueue<>();
        final List<String> cancelled = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void launch(LaunchRequest request) {
            launched.add(request);
        }

        @Override
        public void cancel(String buildId) {
            cancelled.add(buildId);
        }

        /** The next launch, waiting (bounded) for one from the stream's thread. */
        LaunchRequest next() throws InterruptedException {
            LaunchRequest r = launched.poll(30, TimeUnit.SECONDS);
            assertNotNull("a build was launched", r);
            return r;
        }

        /** The launch an event handed in has made already (on the caller's thread). */
        LaunchRequest made() {
            LaunchRequest r = launched.poll();
            assertNotNull("a build was launched", r);
            return r;
        }
    }

    /** What Jenkins says of each build after a restart; Unknown for any other. */
    private static final class FakeLookup implements BuildLookup {
        final Map<String, BuildStatus> answers = new ConcurrentHashMap<>();
        final List<String> asked = Collections.synchronizedList(new ArrayList<>());

        @Override
        public BuildStatus status(String buildId, String job) {
            asked.add(buildId);
            return answers.getOrDefault(buildId, new BuildStatus.Unknown());
        }
    }

    /**
     * Gerrit's review and messages endpoints: a posted review becomes a change message with its
     * tag, which {@code GET /a/changes/{id}/messages} then lists, as Gerrit does.
     */
    private static final class ReviewsOnGerrit {
        private static final Pattern REVIEW = Pattern.compile("/a/changes/([^/]+)~(\\d+)/revisions/([^/]+)/review");
        private static final Pattern MESSAGES = Pattern.compile("/a/changes/([^/]+)~(\\d+)/messages");
        final List<JsonNode> reviews = Collections.synchronizedList(new ArrayList<>());
        final Map<Integer, List<JsonNode>> byChange = new ConcurrentHashMap<>();
        /** Runs while a review is being posted, before Gerrit answers (the change number is given). */
        volatile IntConsumer whilePosting = change -> { };
        /** Answers the events-log query, one event per line; null: the plugin is not installed. */
        volatile String eventsLog;

        FakeGerritHttp.Answer answer(FakeGerritHttp.Request r) {
            String path = r.uri().replaceAll("\\?.*", "");
            Matcher review = REVIEW.matcher(path);
            if (r.method().equals("POST") && review.matches()) {
                try {
                    JsonNode body = GerritRest.JSON.readTree(r.body());
                    int change = Integer.parseInt(review.group(2));
                    whilePosting.accept(change);
                    reviews.add(body);
                    byChange.computeIfAbsent(change, c -> Collections.synchronizedList(new ArrayList<>())).add(body);
                    return FakeGerritHttp.Answer.of(200, ")]}'\n{\"labels\":" + body.path("labels") + "}");
                } catch (Exception e) {
                    return FakeGerritHttp.Answer.of(400, "bad review: " + e);
                }
            }
            Matcher messages = MESSAGES.matcher(path);
            if (r.method().equals("GET") && messages.matches()) {
                StringBuilder b = new StringBuilder(")]}'\n[");
                List<JsonNode> posted = byChange.getOrDefault(Integer.parseInt(messages.group(2)), List.of());
                synchronized (posted) {
                    for (int i = 0; i < posted.size(); i++) {
                        b.append(i == 0 ? "" : ",").append("{\"id\":\"m").append(i).append("\",\"tag\":")
                                .append(posted.get(i).path("tag")).append(",\"message\":")
                                .append(posted.get(i).path("message")).append('}');
                    }
                }
                return FakeGerritHttp.Answer.of(200, b.append(']').toString());
            }
            String log = eventsLog;
            if (r.method().equals("GET") && path.equals("/a/plugins/events-log/events/") && log != null) {
                return FakeGerritHttp.Answer.of(200, log);
            }
            return FakeGerritHttp.Answer.of(404, "Not found");
        }

        List<JsonNode> on(int change) {
            List<JsonNode> posted = byChange.getOrDefault(change, List.of());
            synchronized (posted) {
                return new ArrayList<>(posted);
            }
        }
    }

    // ---- building blocks ----

    private static String uploadedLine(int change, int patchset, Instant createdOn) {
        String rev = String.format("%040x", change * 100L + patchset);
        return ("{'type':'patchset-created','change':{'project':'" + PROJECT + "','branch':'master',"
                + "'id':'I" + rev + "','number':" + change + ",'subject':'change " + change + "',"
                + "'owner':{'name':'Alice','username':'alice'},'url':'http://review.example.org/" + change + "'},"
                + "'patchSet':{'number':" + patchset + ",'revision':'" + rev + "','ref':'refs/changes/"
                + String.format("%02d", change % 100) + "/" + change + "/" + patchset + "',"
                + "'uploader':{'name':'Alice','username':'alice'}},'uploader':{'name':'Alice','username':'alice'},"
                + "'project':'" + PROJECT + "','refName':'refs/heads/master',"
                + "'eventCreatedOn':" + createdOn.getEpochSecond() + "}").replace('\'', '"');
    }

    private static GerritEvent uploaded(int change) throws Exception {
        return new EventParser().parse(uploadedLine(change, 1, T0));
    }

    /** A server whose events come from the Gerrit Trigger plugin's connection (handed in by accept). */
    private GerritServerConfig handedIn() {
        return new GerritServerConfig("review", null, GerritServerConfig.DEFAULT_SSH_PORT, null, null, null,
                http.uri().toString(), "gerrit-http", null, "review-trigger");
    }

    private static PipelineSettings settings(GerritServerConfig server, boolean commentOnly) throws Exception {
        Layout layout = LayoutParser.parse(LAYOUT, "layout.yaml");
        return new PipelineSettings(List.of(server), commentOnly, layout.pipelines(), layout.jobs(), layout.projects());
    }

    private PipelineServer server(GerritServerConfig config, boolean commentOnly, FakeLauncher launcher,
                                  BuildLookup lookup) throws Exception {
        return server(config, commentOnly, launcher, lookup, PipelineServer.WATCHDOG_PERIOD);
    }

    private PipelineServer server(GerritServerConfig config, boolean commentOnly, FakeLauncher launcher,
                                  BuildLookup lookup, Duration watchdogPeriod) throws Exception {
        PipelineServer.Ports ports = new PipelineServer.Ports(launcher,
                () -> new SshKeyCredentials("ci", userPrivateKey, null), http.uri().toString(),
                () -> new HttpCredentials("ci", "s3cret"), lookup, stateFile);
        PipelineServer s = new PipelineServer(config, settings(config, commentOnly), ports, clock, seen,
                watchdogPeriod);
        closeables.add(s);
        return s;
    }

    private PipelineServer started(FakeLauncher launcher, BuildLookup lookup) throws Exception {
        PipelineServer s = server(handedIn(), false, launcher, lookup);
        s.start();
        return s;
    }

    private SchedulerState saved() throws Exception {
        try (Reader r = Files.newBufferedReader(stateFile)) {
            return SchedulerStateCodec.read(r);
        }
    }

    private Path positionFile() {
        return stateFile.resolveSibling(stateFile.getFileName() + ".stream");
    }

    /** Waits until the server has handled the stream's event for that change. */
    private void handled(int change) throws InterruptedException {
        seen.await("change " + change + " handled", 30, s -> s.has(change, "patchset-created", e -> true));
    }

    private String log() {
        SimpleFormatter f = new SimpleFormatter();
        synchronized (logged) {
            return logged.stream().map(r -> r.getLevel() + " " + f.formatMessage(r)).collect(Collectors.joining("\n"));
        }
    }

    // ---- events, builds, reviews ----

    @Test
    public void anEventHandedInLaunchesTheProjectsJobs() throws Exception {
        FakeLauncher launcher = new FakeLauncher();
        PipelineServer server = started(launcher, new FakeLookup());
        server.accept(uploaded(4711));
        LaunchRequest r = launcher.made();
        assertEquals("unit", r.job());
        assertEquals("check", r.pipeline());
        assertEquals(PROJECT, r.project());
        assertEquals("4711", r.parameters().get("ZUUL_CHANGE"));
        assertEquals("review", r.parameters().get("GERRIT_NAME"));
        assertTrue(launcher.launched.isEmpty());
        assertEquals(1, server.scheduler().items().size());
        assertEquals("review", server.name());
    }

    /** A crash right after an enqueue: the saved queue has the item, so a replay of its event enqueues nothing. */
    @Test
    public void anEventThatEnqueuesIsSavedAtOnceAndOneThatChangesNothingWaits() throws Exception {
        FakeLauncher launcher = new FakeLauncher();
        PipelineServer server = started(launcher, new FakeLookup());
        server.accept(uploaded(4711));
        launcher.made();
        assertTrue("saved without waiting for the periodic save", Files.exists(stateFile));
        assertEquals(server.scheduler().revision(), saved().revision());
        assertEquals(1, saved().items().size());

        Files.delete(stateFile);
        server.accept(uploaded(4711)); // the same patchset again: already queued, nothing changes
        assertFalse("an event that changed nothing is not saved at once", Files.exists(stateFile));
    }

    @Test
    public void aCompletedBuildPostsItsReviewWithTheVotesOverRest() throws Exception {
        FakeLauncher launcher = new FakeLauncher();
        PipelineServer server = started(launcher, new FakeLookup());
        server.accept(uploaded(4711));
        LaunchRequest r = launcher.made();
        server.scheduler().onJobCompleted(r.buildId(), BuildResult.SUCCESS, "http://logs.example.org/1");

        List<JsonNode> posted = gerrit.on(4711);
        assertEquals(1, posted.size());
        JsonNode review = posted.get(0);
        assertEquals(1, review.path("labels").path("Verified").asInt());
        assertTrue(review.toString(), review.path("message").asText().contains("http://logs.example.org/1"));
        assertTrue(review.toString(), review.path("tag").asText().matches("autogenerated:tollgate:.+:success"));
        assertEquals(1, http.count("POST", "/a/changes/openstack%2Fneutron~4711/revisions/"));
        assertTrue(server.scheduler().items().isEmpty());
    }

    @Test
    public void reconfigureTurnsCommentOnlyOnAndTheNextReviewHasNoVotesButNamesThem() throws Exception {
        FakeLauncher launcher = new FakeLauncher();
        PipelineServer server = started(launcher, new FakeLookup());
        server.accept(uploaded(1));
        server.scheduler().onJobCompleted(launcher.made().buildId(), BuildResult.FAILURE, null);
        assertEquals(-1, gerrit.on(1).get(0).path("labels").path("Verified").asInt());

        server.reconfigure(settings(handedIn(), true));
        server.accept(uploaded(2));
        server.scheduler().onJobCompleted(launcher.made().buildId(), BuildResult.FAILURE, null);
        JsonNode review = gerrit.on(2).get(0);
        assertEquals(0, review.path("labels").size());
        assertTrue(review.toString(), review.path("message").asText().endsWith("(comment only: votes not given: Verified-1)"));

        server.reconfigure(settings(handedIn(), false));
        server.accept(uploaded(3));
        server.scheduler().onJobCompleted(launcher.made().buildId(), BuildResult.SUCCESS, null);
        assertEquals(1, gerrit.on(3).get(0).path("labels").path("Verified").asInt());
    }

    // ---- the saved queue ----

    @Test
    public void saveIfChangedWritesOnlyWhenTheQueueChangedAndTheFileRestoresTheSameItems() throws Exception {
        FakeLauncher launcher = new FakeLauncher();
        PipelineServer first = started(launcher, new FakeLookup());
        first.accept(uploaded(1));
        LaunchRequest build = launcher.made();
        first.saveIfChanged();
        assertTrue(Files.exists(stateFile));
        assertEquals(first.scheduler().revision(), saved().revision());

        Files.delete(stateFile); // a save now would bring it back
        first.saveIfChanged();
        assertFalse("nothing changed: nothing written", Files.exists(stateFile));
        assertFalse(Files.exists(stateFile.resolveSibling(stateFile.getFileName() + ".tmp")));

        first.accept(uploaded(2));
        LaunchRequest second = launcher.made();
        first.saveIfChanged();
        assertTrue("an item enqueued: written", Files.exists(stateFile));
        assertEquals(2, saved().items().size());

        FakeLauncher launcher2 = new FakeLauncher();
        FakeLookup lookup = new FakeLookup();
        lookup.answers.put(build.buildId(), new BuildStatus.Running("http://jenkins/job/unit/1/"));
        lookup.answers.put(second.buildId(), new BuildStatus.Running("http://jenkins/job/unit/2/"));
        PipelineServer restarted = started(launcher2, lookup);
        assertEquals(first.scheduler().items(), restarted.scheduler().items());
        assertEquals(first.scheduler().snapshot().items(), saved().items());
        assertTrue("running builds are re-attached, not launched again", launcher2.launched.isEmpty());
        assertEquals(List.of(build.buildId(), second.buildId()), lookup.asked);
    }

    /**
     * Gerrit receives the first change's review and the queue is saved while the post is under
     * way (the plugin saves every few seconds); then Jenkins dies. The new server finds the review
     * on the change and does not post it again; the other change's build, still running, is
     * re-attached, and its review is posted once when it ends.
     */
    @Test
    public void aRestartReattachesTheRunningBuildAndPostsEachReviewExactlyOnce() throws Exception {
        FakeLauncher launcher = new FakeLauncher();
        PipelineServer first = started(launcher, new FakeLookup());
        first.accept(uploaded(1));
        first.accept(uploaded(2));
        LaunchRequest one = launcher.made();
        LaunchRequest two = launcher.made();
        gerrit.whilePosting = change -> first.saveIfChanged();
        first.scheduler().onJobCompleted(one.buildId(), BuildResult.SUCCESS, "http://logs.example.org/1");
        assertEquals(1, gerrit.on(1).size());
        assertEquals("saved with change 1's review in progress and change 2 running", 2, saved().items().size());
        gerrit.whilePosting = change -> { };
        // the crash: `first` is never closed, its later state never saved

        FakeLauncher launcher2 = new FakeLauncher();
        FakeLookup lookup = new FakeLookup();
        lookup.answers.put(two.buildId(), new BuildStatus.Running("http://jenkins/job/unit/2/"));
        PipelineServer second = started(launcher2, lookup);
        assertEquals("change 1's review was on the change already", 1, gerrit.on(1).size());
        assertTrue(launcher2.launched.isEmpty());
        assertEquals(List.of(two.buildId()), lookup.asked);
        assertEquals(1, second.scheduler().items().size());
        assertEquals(new ChangeRef.Patchset(PROJECT, 2, 1), second.scheduler().items().get(0).changeRef());

        second.scheduler().onJobCompleted(two.buildId(), BuildResult.SUCCESS, "http://logs.example.org/2");
        assertEquals("the re-attached build's review is posted", 1, gerrit.on(2).size());
        assertEquals(1, gerrit.on(2).get(0).path("labels").path("Verified").asInt());
        assertTrue(second.scheduler().items().isEmpty());
        second.saveIfChanged();
        assertTrue(saved().items().isEmpty());

        FakeLauncher launcher3 = new FakeLauncher();
        PipelineServer third = started(launcher3, new FakeLookup());
        assertTrue(third.scheduler().items().isEmpty());
        assertTrue(launcher3.launched.isEmpty());
        assertEquals(2, gerrit.reviews.size());
    }

    /** What the restore itself did (a build that ended while Jenkins was down, reported) is saved too. */
    @Test
    public void whatTheRestoreDidIsSavedByTheNextSave() throws Exception {
        FakeLauncher launcher = new FakeLauncher();
        PipelineServer first = started(launcher, new FakeLookup());
        first.accept(uploaded(1));
        LaunchRequest one = launcher.made();
        first.saveIfChanged();
        // the crash

        FakeLookup lookup = new FakeLookup();
        lookup.answers.put(one.buildId(), new BuildStatus.Ended(BuildResult.SUCCESS, "http://logs.example.org/1"));
        PipelineServer second = started(new FakeLauncher(), lookup);
        assertEquals("the build that ended while down is reported", 1, gerrit.on(1).size());
        assertTrue(second.scheduler().items().isEmpty());
        second.saveIfChanged();
        assertTrue("the saved queue is the restored server's, not the crashed one's", saved().items().isEmpty());
    }

    /** A restored item's review (looked for on the change first) goes without votes too while comment-only is on. */
    @Test
    public void aRestoredItemsReviewHasNoVotesWhileCommentOnlyIsOn() throws Exception {
        FakeLauncher launcher = new FakeLauncher();
        PipelineServer first = started(launcher, new FakeLookup());
        first.accept(uploaded(1));
        LaunchRequest one = launcher.made();
        first.saveIfChanged();

        FakeLookup lookup = new FakeLookup();
        lookup.answers.put(one.buildId(), new BuildStatus.Running(null));
        PipelineServer second = server(handedIn(), true, new FakeLauncher(), lookup);
        second.start();
        second.scheduler().onJobCompleted(one.buildId(), BuildResult.SUCCESS, null);
        assertEquals(1, http.count("GET", "/a/changes/openstack%2Fneutron~1/messages"));
        assertEquals(1, gerrit.on(1).size());
        JsonNode review = gerrit.on(1).get(0);
        assertEquals(0, review.path("labels").size());
        assertTrue(review.toString(), review.path("message").asText().endsWith("(comment only: votes not given: Verified+1)"));
    }

    @Test
    public void aCorruptStateFileIsMovedAsideAndTheQueueStartsEmpty() throws Exception {
        Files.createDirectories(stateFile.getParent());
        Files.writeString(stateFile, "{\"format\": 1, \"revision\": 7, \"items\": [", StandardCharsets.UTF_8);
        FakeLauncher launcher = new FakeLauncher();
        PipelineServer server = started(launcher, new FakeLookup());

        Path aside = stateFile.resolveSibling("review.json.unreadable-" + clock.millis());
        assertFalse(Files.exists(stateFile));
        assertEquals("{\"format\": 1, \"revision\": 7, \"items\": [", Files.readString(aside));
        assertTrue(server.scheduler().items().isEmpty());
        String log = log();
        assertTrue(log, log.contains("SEVERE Gerrit server review: cannot restore the saved queue from " + stateFile));
        assertTrue(log, log.contains("not valid JSON"));
        assertTrue(log, log.contains("kept as " + aside));

        server.accept(uploaded(1));
        launcher.made();
        server.saveIfChanged();
        assertEquals(1, saved().items().size());
    }

    /** A state this engine cannot restore (a pipeline manager it does not have, say from a newer one). */
    @Test
    public void aStateTheSchedulerRefusesIsMovedAsideToo() throws Exception {
        FakeLauncher launcher = new FakeLauncher();
        PipelineServer first = started(launcher, new FakeLookup());
        first.accept(uploaded(1));
        launcher.made();
        first.saveIfChanged();
        String text = Files.readString(stateFile);
        assertTrue(text, text.contains("\"IndependentPipelineManager\""));
        Files.writeString(stateFile, text.replace("\"IndependentPipelineManager\"", "\"DependentPipelineManager\""));

        PipelineServer second = started(new FakeLauncher(), new FakeLookup());
        assertTrue(second.scheduler().items().isEmpty());
        assertFalse(Files.exists(stateFile));
        assertTrue(Files.exists(stateFile.resolveSibling("review.json.unreadable-" + clock.millis())));
        assertTrue(log(), log().contains("DependentPipelineManager"));
    }

    // ---- the own stream and its saved position ----

    private FakeGerritSshServer sshServer() throws Exception {
        FakeGerritSshServer ssh = new FakeGerritSshServer(userPublicKey);
        closeables.add(ssh);
        return ssh;
    }

    private GerritServerConfig ownStream(FakeGerritSshServer ssh) {
        return new GerritServerConfig("review", "127.0.0.1", ssh.port(), "ci", ssh.hostKeyLine, "gerrit-ssh",
                http.uri().toString(), "gerrit-http", null, null);
    }

    @Test
    public void theSavedStreamPositionIsWhereRecoveryStartsAfterARestart() throws Exception {
        FakeGerritSshServer ssh = sshServer();
        Files.createDirectories(stateFile.getParent());
        Files.writeString(positionFile(), "2026-01-01T00:00:00Z\n");
        gerrit.eventsLog = uploadedLine(100, 1, T0.plusSeconds(10)) + "\n";
        FakeLauncher launcher = new FakeLauncher();
        PipelineServer server = server(ownStream(ssh), false, launcher, new FakeLookup());
        server.start();

        assertEquals("the event missed while down", "100", launcher.next().parameters().get("ZUUL_CHANGE"));
        List<String> queries = http.requests().stream().filter(r -> r.uri().contains("events-log"))
                .map(r -> URLDecoder.decode(r.uri(), StandardCharsets.UTF_8)).collect(Collectors.toList());
        assertEquals(List.of("/a/plugins/events-log/events/?t1=2025-12-31 23:59:55"), queries);

        ssh.send(uploadedLine(200, 1, T0.plusSeconds(20)));
        assertEquals("then live events", "200", launcher.next().parameters().get("ZUUL_CHANGE"));
        handled(200);
        server.saveIfChanged();
        List<String> position = Files.readAllLines(positionFile());
        assertEquals("2026-01-01T00:00:20Z", position.get(0));
        assertEquals("the events of the last 5 s before it", List.of(uploadedLine(200, 1, T0.plusSeconds(20))),
                position.subList(1, position.size()));
        assertNotNull(server.streamMetrics());
        assertEquals(2L, server.metrics().get("tollgate.stream.events").longValue());
    }

    @Test
    public void anUnreadableStreamPositionMeansLiveEventsOnly() throws Exception {
        FakeGerritSshServer ssh = sshServer();
        Files.createDirectories(stateFile.getParent());
        Files.writeString(positionFile(), "yesterday\n");
        gerrit.eventsLog = uploadedLine(100, 1, T0.plusSeconds(10)) + "\n"; // what a recovery would find
        FakeLauncher launcher = new FakeLauncher();
        PipelineServer server = server(ownStream(ssh), false, launcher, new FakeLookup());
        server.start();

        ssh.send(uploadedLine(200, 1, T0.plusSeconds(20)));
        assertEquals("the live event comes first: nothing was recovered", "200",
                launcher.next().parameters().get("ZUUL_CHANGE"));
        assertEquals(0, http.count("GET", "events-log"));
        assertTrue(log(), log().contains("unreadable stream position in " + positionFile()
                + ", starting with live events only"));
        handled(200);
        server.saveIfChanged();
        assertEquals("a good position replaces it", "2026-01-01T00:00:20Z", Files.readAllLines(positionFile()).get(0));
    }

    /**
     * The position alone would bring back the events of its last seconds (recovery starts a few
     * seconds before it, as message times can be earlier than event times): the events handled
     * before the restart are saved with it, and their copies are not run again.
     */
    @Test
    public void anEventHandledBeforeARestartIsNotRunAgainAfterIt() throws Exception {
        FakeGerritSshServer ssh = sshServer();
        FakeLauncher launcher = new FakeLauncher();
        PipelineServer first = server(ownStream(ssh), false, launcher, new FakeLookup());
        first.start();
        ssh.send(uploadedLine(300, 1, T0.plusSeconds(20)));
        LaunchRequest build = launcher.next();
        assertEquals("300", build.parameters().get("ZUUL_CHANGE"));
        first.scheduler().onJobCompleted(build.buildId(), BuildResult.SUCCESS, null);
        assertEquals(1, gerrit.on(300).size());
        first.close();
        assertEquals("2026-01-01T00:00:20Z", Files.readAllLines(positionFile()).get(0));

        // Gerrit's events-log has that event; recovery asks from 5 s before the position
        gerrit.eventsLog = uploadedLine(300, 1, T0.plusSeconds(20)) + "\n" + uploadedLine(301, 1, T0.plusSeconds(30))
                + "\n";
        FakeGerritSshServer ssh2 = sshServer(); // the same Gerrit after the restart, as far as the stream can tell
        FakeLauncher launcher2 = new FakeLauncher();
        PipelineServer second = server(ownStream(ssh2), false, launcher2, new FakeLookup());
        second.start();
        ssh2.send(uploadedLine(302, 1, T0.plusSeconds(40)));
        assertEquals("the event missed while down", "301", launcher2.next().parameters().get("ZUUL_CHANGE"));
        assertEquals("then the live one; change 300 is not run again", "302",
                launcher2.next().parameters().get("ZUUL_CHANGE"));
        assertTrue(launcher2.launched.isEmpty());
        assertEquals(1, gerrit.on(300).size());
    }

    /** The server drives the stream's watchdog: connected but silent past its time-out, it reconnects. */
    @Test
    public void aSilentStreamIsDroppedByTheWatchdogAndReconnected() throws Exception {
        FakeGerritSshServer ssh = sshServer();
        gerrit.eventsLog = ""; // the reconnect's recovery finds nothing
        PipelineServer server = server(ownStream(ssh), false, new FakeLauncher(), new FakeLookup(),
                Duration.ofMillis(10));
        server.start();
        seen.await("connected", 30, s -> s.connects() == 1);
        clock.advance(Duration.ofMinutes(31)); // the time-out is 30 minutes of the server's clock
        seen.await("reconnected", 30, s -> s.connects() == 2);
        String why = seen.disconnects().get(0);
        assertTrue(why, why.startsWith("watchdog: no line from the stream for 1860 s"));
        assertEquals(1L, server.metrics().get("tollgate.stream.reconnects").longValue());
    }

    // ---- what the plugin asks ----

    @Test
    public void sameConnectionIsTheSameServerConfiguration() throws Exception {
        GerritServerConfig config = handedIn();
        PipelineServer server = server(config, false, new FakeLauncher(), new FakeLookup());
        assertTrue(server.sameConnection(handedIn()));
        assertFalse(server.sameConnection(new GerritServerConfig("review", null, GerritServerConfig.DEFAULT_SSH_PORT,
                null, null, null, http.uri().toString(), "gerrit-http", null, "other-trigger")));
        assertFalse(server.sameConnection(new GerritServerConfig("review", null, GerritServerConfig.DEFAULT_SSH_PORT,
                null, null, null, "https://elsewhere.example.org/", "gerrit-http", null, "review-trigger")));
    }

    @Test
    public void takesEventsOfItsGerritTriggerServerOnly() throws Exception {
        PipelineServer handed = server(handedIn(), false, new FakeLauncher(), new FakeLookup());
        assertTrue(handed.takesEventsOf("review-trigger"));
        assertFalse(handed.takesEventsOf("other-trigger"));
        GerritServerConfig own = new GerritServerConfig("own", "gerrit.example.org", 29418, "ci",
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHV0b2xsZ2F0ZS10ZXN0LWtleS0wMDAwMDAwMDAw", "k",
                null, null, null, null);
        PipelineServer streaming = server(own, false, new FakeLauncher(), new FakeLookup());
        assertFalse(streaming.takesEventsOf("review-trigger"));
        assertFalse(streaming.takesEventsOf(""));
        assertNull("no stream before start", streaming.streamMetrics());
    }

    @Test
    public void statusJsonListsTheQueuedItem() throws Exception {
        FakeLauncher launcher = new FakeLauncher();
        PipelineServer server = started(launcher, new FakeLookup());
        server.accept(uploaded(4711));
        JsonNode status = GerritRest.JSON.readTree(server.statusJson());
        assertEquals(PipelineServer.VERSION, status.path("zuul_version").asText());
        JsonNode check = status.path("pipelines").get(0);
        assertEquals("check", check.path("name").asText());
        JsonNode item = check.path("change_queues").get(0).path("heads").get(0).get(0);
        assertEquals("4711,1", item.path("id").asText());
        assertEquals(PROJECT, item.path("project").asText());
        assertEquals("unit", item.path("jobs").get(0).path("name").asText());
    }

    @Test
    public void metricsCountTheLaunchAndShowTheQueue() throws Exception {
        FakeLauncher launcher = new FakeLauncher();
        PipelineServer server = started(launcher, new FakeLookup());
        server.accept(uploaded(4711));
        MetricsSnapshot m = server.metrics();
        assertEquals(1L, m.get("tollgate.pipeline.check.builds.launched").longValue());
        assertEquals(1L, m.get("tollgate.pipeline.check.events.accepted").longValue());
        assertEquals(1L, m.get("tollgate.queue").longValue());
        assertNull("events handed in: no stream metrics", m.get("tollgate.stream.connected"));

        server.scheduler().onJobCompleted(launcher.made().buildId(), BuildResult.SUCCESS, null);
        m = server.metrics();
        assertEquals(1L, m.get("tollgate.reports.success.posted").longValue());
        assertEquals(0L, m.get("tollgate.queue").longValue());
    }
}
