package dev.tollgate.pipeline.status;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.tollgate.common.BuildResult;
import dev.tollgate.pipeline.event.ChangeRef;
import dev.tollgate.pipeline.event.RefUpdate;
import dev.tollgate.pipeline.port.Review;
import dev.tollgate.pipeline.port.ReviewPoster;
import dev.tollgate.pipeline.scheduler.ItemView;
import dev.tollgate.pipeline.scheduler.Scheduler;
import dev.tollgate.pipeline.scheduler.SchedulerStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.Test;

/** {@link PipelineMetrics} fed by a real scheduler through its listener and around its ports. */
public class PipelineMetricsTest {
    static final String CHECK = "tollgate.pipeline.check.";
    static final String POST = "tollgate.pipeline.post.";

    final PipelineMetrics metrics = new PipelineMetrics();

    @Test
    public void countsWhatTheSchedulerDidAndReadsItsQueues() throws Exception {
        StatusScenario sc = new StatusScenario(metrics);
        Scheduler s = sc.scheduler;
        s.onEvent(StatusScenario.created(1, 1));                // item 1: builds 2 (tempest), 3 (docs)
        s.onEvent(StatusScenario.comment(1, 1, "recheck"));     // accepted, already queued
        s.onJobEndedWithoutResult(StatusScenario.id(2), "agent lost");   // build 4, attempt 2
        s.onJobEndedWithoutResult(StatusScenario.id(4), "agent lost");   // past attempts: RETRY_LIMIT
        s.onJobCompleted(StatusScenario.id(3), BuildResult.SUCCESS, null); // item 1 fails
        sc.launcher.failuresLeft = 1;
        s.onEvent(StatusScenario.created(2, 1));                // item 6: tempest cannot launch
        s.onEvent(StatusScenario.created(2, 2));                // retires 2,1
        s.onEvent(StatusScenario.abandoned(2, 2));
        sc.poster.failuresLeft = 1;
        s.onEvent(StatusScenario.created(3, 1));                // its start review fails
        s.onEvent(dev.tollgate.pipeline.event.GerritEvent.ofRefUpdate(
                new RefUpdate(StatusScenario.N, "refs/heads/master", "0a", "0b"), StatusScenario.ALICE, 0));

        MetricsSnapshot m = metrics.snapshot(s.status(), null);
        Map<String, Long> expected = new TreeMap<>();
        expected.put(CHECK + "events.accepted", 5L);
        expected.put(CHECK + "enqueued", 4L);
        expected.put(CHECK + "dequeued.new_patchset", 1L);
        expected.put(CHECK + "dequeued.abandoned", 1L);
        expected.put(CHECK + "completed.success", 0L);
        expected.put(CHECK + "completed.failure", 1L);
        expected.put(CHECK + "builds.launched", 8L);
        expected.put(CHECK + "builds.launch_errors", 1L);
        expected.put(CHECK + "builds.relaunched", 1L);
        expected.put(CHECK + "builds.result.success", 1L);
        expected.put(CHECK + "builds.result.failure", 0L);
        expected.put(CHECK + "builds.result.launch_error", 1L);
        expected.put(CHECK + "builds.result.retry_limit", 1L);
        expected.put(POST + "events.accepted", 1L);
        expected.put(POST + "enqueued", 1L);
        expected.put(POST + "builds.launched", 1L);
        expected.put("tollgate.reports.start.posted", 3L);
        expected.put("tollgate.reports.start.failed", 1L);
        expected.put("tollgate.reports.failure.posted", 1L);
        expected.put("tollgate.reports.success.posted", 0L);
        expected.put(CHECK + "queue", 1L);
        expected.put(CHECK + "builds.running", 2L);
        expected.put(POST + "queue", 1L);
        expected.put(POST + "builds.running", 1L);
        expected.put("tollgate.queue", 2L);
        expected.put("tollgate.builds.running", 3L);
        Map<String, Long> actual = new TreeMap<>();
        expected.keySet().forEach(name -> actual.put(name, m.get(name)));
        assertEquals(expected, actual);
        assertEquals("the gauge is the scheduler's own count", s.runningBuilds(),
                m.gauges().get("tollgate.builds.running").intValue());
        assertEquals(8, sc.launcher.launched.size() - 1); // the post build is the ninth
        assertTrue(m.counters().containsKey(CHECK + "events.accepted"));
        assertTrue(m.gauges().containsKey(CHECK + "queue"));
        assertFalse(m.counters().containsKey(CHECK + "queue"));
    }

    @Test
    public void everyPipelineHasEveryNameFromTheStartAtZero() throws Exception {
        StatusScenario sc = new StatusScenario(metrics);
        MetricsSnapshot m = metrics.snapshot(sc.scheduler.status(), null);
        String experimental = "tollgate.pipeline.experimental.";
        List<String> names = new ArrayList<>();
        m.counters().forEach((name, value) -> {
            assertEquals(name, 0L, value.longValue());
            if (name.startsWith(experimental)) {
                names.add(name.substring(experimental.length()));
            }
        });
        assertEquals(List.of("builds.launch_errors", "builds.launched", "builds.relaunched",
                "builds.result.aborted", "builds.result.failure", "builds.result.launch_error",
                "builds.result.not_built", "builds.result.retry_limit", "builds.result.success",
                "builds.result.unstable", "completed.failure", "completed.success", "dequeued.abandoned",
                "dequeued.new_patchset", "enqueued", "events.accepted"), names);
        assertEquals(0L, m.gauges().get(experimental + "queue").longValue());
        assertEquals(0L, m.gauges().get(experimental + "builds.running").longValue());
        assertEquals(3 * names.size() + 6, m.counters().size()); // three pipelines, three report actions
        assertNull("no stream given, no stream metrics", m.get("tollgate.stream.connected"));
    }

    @Test
    public void aPipelineNameIsOneSegmentOfTheDottedName() {
        assertEquals("tollgate.pipeline.check.", PipelineMetrics.pipeline("check"));
        assertEquals("tollgate.pipeline.third-party_ci.", PipelineMetrics.pipeline("third-party_ci"));
        assertEquals("tollgate.pipeline.a_b_c_d_.", PipelineMetrics.pipeline("a.b c/dé"));
    }

    @Test
    public void theStreamSnapshotIsPassedOnAndItsCountersNamed() {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        StreamMetrics stream = new StreamMetrics("WAITING_TO_RECONNECT", false, 4, 120, 3, 1, 2, null, t, t,
                "stream ended");
        MetricsSnapshot m = metrics.snapshot(new SchedulerStatus(t, List.of()), stream);
        assertSame(stream, m.stream());
        assertEquals(0L, m.gauges().get("tollgate.stream.connected").longValue());
        assertEquals(4L, m.counters().get("tollgate.stream.reconnects").longValue());
        assertEquals(120L, m.counters().get("tollgate.stream.events").longValue());
        assertEquals(3L, m.counters().get("tollgate.stream.duplicates_dropped").longValue());
        assertEquals(1L, m.counters().get("tollgate.stream.dropped_outputs").longValue());
        assertEquals(2L, m.counters().get("tollgate.stream.oversized_lines").longValue());
        StreamMetrics up = new StreamMetrics("CONNECTED", true, 4, 121, 3, 1, 2, t, t, t, "stream ended");
        assertEquals(1L, metrics.snapshot(new SchedulerStatus(t, List.of()), up).get("tollgate.stream.connected")
                .longValue());
    }

    @Test
    public void aFailedLaunchOrPostIsCountedAndStillThrown() {
        StatusScenario.Launcher launcher = new StatusScenario.Launcher();
        launcher.failuresLeft = 1;
        var request = new dev.tollgate.pipeline.port.LaunchRequest("b1", "j", "check", "p", Map.of());
        assertThrows(dev.tollgate.pipeline.port.JobLauncher.LaunchException.class,
                () -> metrics.counting(launcher).launch(request));
        ReviewPoster broken = review -> {
            throw new IllegalStateException("bug in a poster");
        };
        Review review = new Review("p", 1, 1, null, Map.of(), "m", "item1:success");
        assertThrows(IllegalStateException.class, () -> metrics.counting(broken).post(review));
        MetricsSnapshot m = metrics.snapshot(new SchedulerStatus(Instant.EPOCH, List.of()), null);
        assertEquals(1L, m.get(CHECK + "builds.launch_errors").longValue());
        assertEquals(1L, m.get("tollgate.reports.success.failed").longValue());
        assertEquals(0L, m.get("tollgate.reports.success.posted").longValue());
    }

    @Test
    public void countsFromManyThreadsAddUp() throws Exception {
        int threads = 8;
        int each = 5_000;
        ItemView item = new ItemView("i", "check", new ChangeRef.Patchset("p", 1, 1), List.of("j"));
        ReviewPoster poster = metrics.counting(review -> { });
        Review review = new Review("p", 1, 1, null, Map.of(), "m", "i:start");
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < each; i++) {
                        metrics.enqueued(item);
                        metrics.buildEnded(item, "j", "b", BuildResult.UNSTABLE);
                        poster.post(review);
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        MetricsSnapshot m = metrics.snapshot(new SchedulerStatus(Instant.EPOCH, List.of()), null);
        assertEquals((long) threads * each, m.get(CHECK + "enqueued").longValue());
        assertEquals((long) threads * each, m.get(CHECK + "builds.result.unstable").longValue());
        assertEquals((long) threads * each, m.get("tollgate.reports.start.posted").longValue());
    }

    /**
     * A review of an item restored after a restart goes through postIfAbsent: the counting poster
     * must hand it on (the port's default, which cannot look, would never post it) and count only
     * a review posted now.
     */
    @Test
    public void postIfAbsentReachesThePosterAndCountsOnlyAReviewPostedNow() throws Exception {
        List<String> looked = new ArrayList<>();
        ReviewPoster looking = new ReviewPoster() {
            @Override
            public void post(Review review) {
                throw new AssertionError("post instead of postIfAbsent: " + review.key());
            }

            @Override
            public boolean postIfAbsent(Review review) throws ReviewException {
                looked.add(review.key());
                if (review.key().startsWith("broken")) {
                    throw new ReviewException("cannot tell");
                }
                return review.key().startsWith("missing");
            }
        };
        ReviewPoster counted = metrics.counting(looking);
        assertTrue(counted.postIfAbsent(new Review("p", 1, 1, null, Map.of(), "m", "missing:success")));
        assertFalse(counted.postIfAbsent(new Review("p", 2, 1, null, Map.of(), "m", "there:success")));
        assertThrows(ReviewPoster.ReviewException.class,
                () -> counted.postIfAbsent(new Review("p", 3, 1, null, Map.of(), "m", "broken:failure")));
        assertEquals(List.of("missing:success", "there:success", "broken:failure"), looked);
        MetricsSnapshot m = metrics.snapshot(new SchedulerStatus(Instant.EPOCH, List.of()), null);
        assertEquals(1L, m.get("tollgate.reports.success.posted").longValue());
        assertEquals(0L, m.get("tollgate.reports.success.failed").longValue());
        assertEquals(1L, m.get("tollgate.reports.failure.failed").longValue());
    }
}
