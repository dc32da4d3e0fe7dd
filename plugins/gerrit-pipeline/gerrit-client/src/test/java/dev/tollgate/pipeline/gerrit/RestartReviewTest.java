package dev.tollgate.pipeline.gerrit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.common.Backoff;
import dev.tollgate.common.BuildResult;
import dev.tollgate.pipeline.event.Account;
import dev.tollgate.pipeline.event.Change;
import dev.tollgate.pipeline.event.EventType;
import dev.tollgate.pipeline.event.GerritEvent;
import dev.tollgate.pipeline.event.PatchSet;
import dev.tollgate.pipeline.layout.LayoutParser;
import dev.tollgate.pipeline.port.BuildStatus;
import dev.tollgate.pipeline.port.JobLauncher;
import dev.tollgate.pipeline.port.LaunchRequest;
import dev.tollgate.pipeline.scheduler.Scheduler;
import dev.tollgate.pipeline.scheduler.state.SchedulerState;
import dev.tollgate.pipeline.scheduler.state.SchedulerStateCodec;
import dev.tollgate.testing.ManualClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The engine stops while its success review is being posted over REST, and a new engine restores
 * the saved state: the review lands on the change once, whether or not the stopped engine's post
 * had landed. Gerrit is the scripted HTTP double, which keeps the tags of the reviews posted.
 */
public class RestartReviewTest {
    private static final String LAYOUT = "pipelines:\n  - name: check\n    manager: IndependentPipelineManager\n"
            + "    trigger: {gerrit: [{event: patchset-created}]}\n    success: {gerrit: {verified: 1}}\n"
            + "projects:\n  - name: openstack/neutron\n    check: [unit]\n";

    private FakeGerritHttp http;
    private final List<String> tags = new ArrayList<>();
    private final ManualClock clock = new ManualClock();
    private final AtomicInteger ids = new AtomicInteger();
    private final List<LaunchRequest> launched = new ArrayList<>();

    @Before
    public void start() throws Exception {
        http = new FakeGerritHttp();
    }

    @After
    public void stop() {
        http.close();
    }

    private Scheduler engine(int maxAttempts) throws Exception {
        GerritRest rest = new GerritRest(http.uri(), () -> new HttpCredentials("ci", "s3cret"),
                Duration.ofSeconds(5), Duration.ofSeconds(30));
        RestReviewPoster poster = new RestReviewPoster(rest, new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(8),
                2.0, 0.0), d -> { }, () -> 0.0, maxAttempts);
        return Scheduler.builder(LayoutParser.parse(LAYOUT, "layout.yaml"))
                .launcher(new JobLauncher() {
                    @Override
                    public void launch(LaunchRequest request) {
                        launched.add(request);
                    }

                    @Override
                    public void cancel(String buildId) { }
                })
                .reviewPoster(poster).clock(clock)
                .uuids(() -> String.format("%032d", ids.incrementAndGet()))
                .build();
    }

    private static GerritEvent uploaded() {
        Account alice = new Account("alice", "alice@example.org", "Alice");
        return GerritEvent.ofChange(EventType.PATCHSET_CREATED,
                new Change("openstack/neutron", "master", 4711, "I4711", null, "Fix", alice, "NEW", null, null),
                new PatchSet(3, "deadbeef", "refs/changes/11/4711/3", alice, alice), alice, null, List.of(), 0);
    }

    /** Gerrit's side: reviews keep their tag; the messages call lists them. */
    private FakeGerritHttp.Answer gerrit(FakeGerritHttp.Request r, Supplier<FakeGerritHttp.Answer> onPost) {
        if (r.method().equals("GET")) {
            StringBuilder b = new StringBuilder(")]}'\n[");
            synchronized (tags) {
                for (int i = 0; i < tags.size(); i++) {
                    b.append(i == 0 ? "" : ",").append("{\"id\":\"m").append(i).append("\",\"tag\":\"")
                            .append(tags.get(i)).append("\"}");
                }
            }
            return FakeGerritHttp.Answer.of(200, b.append(']').toString());
        }
        return onPost.get();
    }

    private void landed(FakeGerritHttp.Request r) {
        try {
            JsonNode body = GerritRest.JSON.readTree(r.body());
            synchronized (tags) {
                tags.add(body.path("tag").asText());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static SchedulerState throughJson(SchedulerState s) {
        try {
            return SchedulerStateCodec.fromJson(SchedulerStateCodec.toJson(s));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Runs the item to its success review, saving the state while the review's POST is at Gerrit. */
    private SchedulerState stopDuringThePost(boolean lands) throws Exception {
        Scheduler first = engine(1);
        AtomicReference<SchedulerState> saved = new AtomicReference<>();
        http.handler = r -> gerrit(r, () -> {
            saved.compareAndSet(null, throughJson(first.snapshot())); // the save at shutdown
            if (lands) {
                landed(r);
                return FakeGerritHttp.Answer.of(200, ")]}'\n{\"labels\":{\"Verified\":1}}");
            }
            return FakeGerritHttp.Answer.of(503, "shutting down"); // nothing applied
        });
        first.onEvent(uploaded());
        first.onJobCompleted(launched.get(0).buildId(), BuildResult.SUCCESS, "https://logs/unit/1");
        assertEquals(1, http.count("POST", "/review"));
        return saved.get();
    }

    private void restoreAndFinish(SchedulerState saved) throws Exception {
        Scheduler second = engine(3);
        http.handler = r -> gerrit(r, () -> {
            landed(r);
            return FakeGerritHttp.Answer.of(200, ")]}'\n{\"labels\":{\"Verified\":1}}");
        });
        String unit = launched.get(0).buildId();
        second.restore(saved, (id, job) -> id.equals(unit) ? BuildStatus.ended(BuildResult.SUCCESS, "https://logs/unit/1")
                : BuildStatus.unknown());
        assertTrue(second.items().isEmpty());
        assertEquals("the state holds nothing more", List.of(), second.snapshot().items());
    }

    @Test
    public void aReviewThatLandedBeforeTheStopIsNotPostedAgain() throws Exception {
        SchedulerState saved = stopDuringThePost(true);
        assertEquals(1, saved.items().size());
        restoreAndFinish(saved);
        assertEquals(List.of("autogenerated:tollgate:" + String.format("%032d", 1)
                + ":success"), tags);
        assertEquals("one POST in all: the new engine looked and found it", 1, http.count("POST", "/review"));
        assertEquals(1, http.count("GET", "/messages"));
        assertEquals(1, launched.size());
    }

    @Test
    public void aReviewThatHadNotLandedIsPostedOnceByTheNewEngine() throws Exception {
        SchedulerState saved = stopDuringThePost(false);
        restoreAndFinish(saved);
        assertEquals(List.of("autogenerated:tollgate:" + String.format("%032d", 1) + ":success"), tags);
        assertEquals("the stopped engine's refused POST, then the new engine's", 2, http.count("POST", "/review"));
        assertEquals(1, launched.size());
    }
}
