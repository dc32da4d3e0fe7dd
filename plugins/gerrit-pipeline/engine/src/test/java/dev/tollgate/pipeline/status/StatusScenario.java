package dev.tollgate.pipeline.status;

import dev.tollgate.common.BuildResult;
import dev.tollgate.pipeline.event.Account;
import dev.tollgate.pipeline.event.Change;
import dev.tollgate.pipeline.event.EventType;
import dev.tollgate.pipeline.event.GerritEvent;
import dev.tollgate.pipeline.event.PatchSet;
import dev.tollgate.pipeline.event.RefUpdate;
import dev.tollgate.pipeline.layout.LayoutParser;
import dev.tollgate.pipeline.port.JobLauncher;
import dev.tollgate.pipeline.port.LaunchRequest;
import dev.tollgate.pipeline.scheduler.Scheduler;
import dev.tollgate.pipeline.scheduler.SchedulerListener;
import dev.tollgate.pipeline.scheduler.SchedulerTest;
import dev.tollgate.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scheduler with a fake launcher and poster, a manual clock and counting ids, and the fixed
 * scenario the golden status.json shows.
 */
final class StatusScenario {
    static final String N = "openstack/neutron";
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Account ALICE = new Account("alice", "alice@example.org", "Alice Dev");

    static final String LAYOUT = String.join("\n",
            "pipelines:",
            "  - name: check",
            "    description: Newly uploaded patchsets enter this pipeline.",
            "    manager: IndependentPipelineManager",
            "    trigger: {gerrit: [{event: patchset-created}, {event: comment-added, comment: ^recheck$}]}",
            "    start: {gerrit: {}}",
            "    success: {gerrit: {verified: 1}}",
            "    failure: {gerrit: {verified: -1}}",
            "  - name: experimental",
            "    manager: IndependentPipelineManager",
            "    trigger: {gerrit: [{event: comment-added, comment: ^check experimental$}]}",
            "  - name: post",
            "    manager: IndependentPipelineManager",
            "    trigger: {gerrit: [{event: ref-updated, ref: ^refs/heads/}]}",
            "jobs:",
            "  - name: check-docs",
            "    voting: false",
            "  - name: check-tempest",
            "    attempts: 2",
            "projects:",
            "  - name: " + N,
            "    check: [check-tempest, check-docs]",
            "    experimental: [check-experimental]",
            "    post: [publish-docs]",
            "");

    final ManualClock clock = new ManualClock(T0);
    final Launcher launcher = new Launcher();
    final SchedulerTest.RecordingPoster poster = new SchedulerTest.RecordingPoster();
    final AtomicInteger ids = new AtomicInteger();
    final Scheduler scheduler;

    StatusScenario() throws Exception {
        this(null);
    }

    /** With {@code metrics} (when not null) counting around both ports and listening. */
    StatusScenario(PipelineMetrics metrics) throws Exception {
        scheduler = Scheduler.builder(LayoutParser.parse(LAYOUT, "layout.yaml"))
                .launcher(metrics == null ? launcher : metrics.counting(launcher))
                .reviewPoster(metrics == null ? poster : metrics.counting(poster))
                .listener(metrics == null ? SchedulerListener.NONE : metrics)
                .clock(clock).uuids(() -> id(ids.incrementAndGet())).build();
    }

    /** The n-th id the scheduler hands out: items and builds share one counter. */
    static String id(int n) {
        return String.format(Locale.ROOT, "%07x%025d", n, 0);
    }

    /** The golden file's moment; see status.json. */
    void playGoldenScenario() {
        Scheduler s = scheduler;
        s.onEvent(created(12345, 2));                       // check: item 1, builds 2 and 3
        at(10);
        s.onJobStarted(id(2), "https://jenkins.example.org/job/check-tempest/41/");
        at(20);
        s.onJobStarted(id(3), "https://jenkins.example.org/job/check-docs/17/");
        at(80);
        s.onJobCompleted(id(3), BuildResult.FAILURE, "https://logs.example.org/45/12345/2/check/check-docs/0000003/");
        at(90);
        s.onEvent(created(12346, 1));                       // check: item 4, builds 5 and 6
        at(95);
        s.onJobStarted(id(5), "https://jenkins.example.org/job/check-tempest/42/");
        at(155);
        s.onJobCompleted(id(5), BuildResult.FAILURE, "https://logs.example.org/46/12346/1/check/check-tempest/0000005/");
        at(160);
        s.onJobEndedWithoutResult(id(6), "agent lost");     // build 7: check-docs, attempt 2
        at(170);
        s.onEvent(GerritEvent.ofRefUpdate(new RefUpdate(N, "refs/heads/master",
                "4f2d1e0c9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e", "c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0c0ffe"), ALICE,
                1767225770L));                              // post: item 8, build 9
        at(200);
    }

    void at(long seconds) {
        clock.set(T0.plusSeconds(seconds));
    }

    static GerritEvent created(int change, int patchset) {
        return GerritEvent.ofChange(EventType.PATCHSET_CREATED, change(change), patchSet(change, patchset), ALICE,
                null, List.of(), 1767225600L);
    }

    static GerritEvent comment(int change, int patchset, String text) {
        return GerritEvent.ofChange(EventType.COMMENT_ADDED, change(change), patchSet(change, patchset), ALICE,
                text, List.of(), 1767225600L);
    }

    static GerritEvent abandoned(int change, int patchset) {
        return GerritEvent.ofChange(EventType.CHANGE_ABANDONED, change(change), patchSet(change, patchset), ALICE,
                null, List.of(), 1767225600L);
    }

    static Change change(int number) {
        return new Change(N, "master", number, "I" + number, "https://review.example.org/c/" + N + "/+/" + number,
                "Subject " + number, ALICE, "NEW", null, null);
    }

    static PatchSet patchSet(int change, int n) {
        return new PatchSet(n, "rev" + change + "x" + n,
                String.format(Locale.ROOT, "refs/changes/%02d/%d/%d", change % 100, change, n), ALICE, ALICE);
    }

    /** Records launches; fails the next ones while {@code failuresLeft} > 0. */
    static final class Launcher implements JobLauncher {
        final List<LaunchRequest> launched = Collections.synchronizedList(new ArrayList<>());
        final List<String> cancelled = Collections.synchronizedList(new ArrayList<>());
        volatile int failuresLeft;

        @Override
        public void launch(LaunchRequest request) throws LaunchException {
            if (failuresLeft > 0) {
                failuresLeft--;
                throw new LaunchException("no job " + request.job());
            }
            launched.add(request);
        }

        @Override
        public void cancel(String buildId) {
            cancelled.add(buildId);
        }
    }
}
