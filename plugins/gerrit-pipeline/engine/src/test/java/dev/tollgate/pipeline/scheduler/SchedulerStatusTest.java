package dev.tollgate.pipeline.scheduler;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.tollgate.common.BuildResult;
import dev.tollgate.pipeline.event.ChangeRef;
import dev.tollgate.pipeline.layout.Layout;
import dev.tollgate.pipeline.layout.LayoutParser;
import dev.tollgate.pipeline.scheduler.SchedulerStatus.ItemStatus;
import dev.tollgate.pipeline.scheduler.SchedulerStatus.JobStatus;
import dev.tollgate.pipeline.scheduler.SchedulerStatus.PipelineStatus;
import dev.tollgate.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Test;

/** {@link Scheduler#status()}: what a status page is given, taken under the lock. */
public class SchedulerStatusTest {
    static final String N = "openstack/neutron";
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    final ManualClock clock = new ManualClock(T0);
    final SchedulerTest.FakeLauncher launcher = new SchedulerTest.FakeLauncher();
    final SchedulerTest.RecordingPoster poster = new SchedulerTest.RecordingPoster();
    final AtomicInteger ids = new AtomicInteger();

    static final String LAYOUT = String.join("\n",
            "pipelines:",
            "  - name: check",
            "    description: Newly uploaded patchsets enter this pipeline.",
            "    manager: IndependentPipelineManager",
            "    trigger: {gerrit: [{event: patchset-created}]}",
            "    failure: {gerrit: {verified: -1}}",
            "  - name: experimental",
            "    manager: IndependentPipelineManager",
            "    trigger: {gerrit: [{event: comment-added, comment: check experimental}]}",
            "  - name: post",
            "    manager: IndependentPipelineManager",
            "    trigger: {gerrit: [{event: ref-updated, ref: ^refs/heads/}]}",
            "jobs:",
            "  - name: check-docs",
            "    voting: false",
            "projects:",
            "  - name: " + N,
            "    check: [check-tempest, check-docs]",
            "    experimental: [check-experimental]",
            "    post: [publish-docs]",
            "");

    Scheduler scheduler(Layout layout) {
        return Scheduler.builder(layout).launcher(launcher).reviewPoster(poster).clock(clock)
                .uuids(() -> String.format("%07x%025d", ids.incrementAndGet(), 0)).build();
    }

    static String id(int n) {
        return String.format("%07x%025d", n, 0);
    }

    @Test
    public void pipelinesInLayoutOrderWithTheirItemsOldestFirstAndEachJobsCurrentBuild() throws Exception {
        Scheduler s = scheduler(LayoutParser.parse(LAYOUT, "t.yaml"));
        s.onEvent(Events.created(N, 12345, 2));                    // item 1, builds 2 and 3
        clock.advance(Duration.ofSeconds(10));
        s.onJobStarted(id(2), "https://jenkins.example.org/job/check-tempest/41/");
        clock.advance(Duration.ofSeconds(10));
        s.onEvent(Events.created(N, 12346, 1));                    // item 4, builds 5 and 6
        s.onJobStarted(id(6), "https://jenkins.example.org/job/check-docs/7/");
        clock.advance(Duration.ofSeconds(30));
        s.onJobCompleted(id(6), BuildResult.FAILURE, "https://logs.example.org/46/12346/1/check/check-docs/0000006/");
        s.onJobEndedWithoutResult(id(5), "agent lost");            // build 7, attempt 2
        s.onEvent(Events.refUpdated(N, "refs/heads/master", "c0ffee0123"));   // item 8, build 9

        SchedulerStatus status = s.status();
        assertEquals(T0, status.lastReconfigured());
        assertEquals(List.of("check", "experimental", "post"),
                status.pipelines().stream().map(PipelineStatus::name).toList());
        PipelineStatus check = status.pipelines().get(0);
        assertEquals("Newly uploaded patchsets enter this pipeline.", check.description());
        assertEquals("IndependentPipelineManager", check.manager());
        assertNull(status.pipelines().get(1).description());
        assertTrue(status.pipelines().get(1).items().isEmpty());

        assertEquals(2, check.items().size());
        ItemStatus first = check.items().get(0);
        assertEquals(id(1), first.uuid());
        assertEquals(new ChangeRef.Patchset(N, 12345, 2), first.changeRef());
        assertEquals(N, first.project());
        assertEquals("refs/changes/45/12345/2", first.ref());
        assertEquals("https://review.example.org/c/12345", first.url());
        assertEquals(Events.ALICE, first.owner());
        assertEquals(T0, first.enqueued());
        assertEquals(List.of(
                new JobStatus("check-tempest", id(2), true, 1, T0, T0.plusSeconds(10), null,
                        "https://jenkins.example.org/job/check-tempest/41/", null, false),
                new JobStatus("check-docs", id(3), false, 1, T0, null, null, null, null, false)), first.jobs());
        assertTrue(first.jobs().get(0).running());

        ItemStatus second = check.items().get(1);
        assertEquals(T0.plusSeconds(20), second.enqueued());
        assertEquals(List.of(
                new JobStatus("check-tempest", id(7), true, 2, T0.plusSeconds(50), null, null, null, null, false),
                new JobStatus("check-docs", id(6), false, 1, T0.plusSeconds(20), T0.plusSeconds(20),
                        T0.plusSeconds(50), "https://logs.example.org/46/12346/1/check/check-docs/0000006/",
                        BuildResult.FAILURE, false)), second.jobs());
        assertFalse(second.jobs().get(1).running());

        ItemStatus ref = status.pipelines().get(2).items().get(0);
        assertEquals(new ChangeRef.Ref(N, "refs/heads/master", "c0ffee0123"), ref.changeRef());
        assertEquals("refs/heads/master", ref.ref());
        assertNull("a ref update has no change page", ref.url());
        assertNull(ref.owner());
        assertEquals(List.of("publish-docs"), ref.jobs().stream().map(JobStatus::name).toList());
    }

    @Test
    public void aStatusIsOneMomentThatTheSchedulerGoingOnDoesNotChange() throws Exception {
        Scheduler s = scheduler(LayoutParser.parse(LAYOUT, "t.yaml"));
        s.onEvent(Events.created(N, 1, 1));
        SchedulerStatus before = s.status();
        s.onJobStarted(id(2), "https://jenkins.example.org/job/check-tempest/1/");
        s.onJobCompleted(id(2), BuildResult.SUCCESS, null);
        s.onEvent(Events.created(N, 2, 1));
        JobStatus job = before.pipelines().get(0).items().get(0).jobs().get(0);
        assertNull(job.started());
        assertNull(job.result());
        assertEquals(1, before.pipelines().get(0).items().size());
        assertEquals(2, s.status().pipelines().get(0).items().size());
        assertThrows(UnsupportedOperationException.class, () -> before.pipelines().clear());
        assertThrows(UnsupportedOperationException.class,
                () -> before.pipelines().get(0).items().get(0).jobs().clear());
    }

    @Test
    public void doneItemsAndDequeuedItemsLeaveTheStatus() throws Exception {
        Scheduler s = scheduler(LayoutParser.parse(LAYOUT, "t.yaml"));
        s.onEvent(Events.created(N, 1, 1));
        s.onEvent(Events.created(N, 2, 1));
        s.onEvent(Events.created(N, 1, 2)); // retires 1,1
        s.onJobCompleted(id(5), BuildResult.SUCCESS, null);
        s.onJobCompleted(id(6), BuildResult.SUCCESS, null); // 2,1 done
        List<ChangeRef> left = s.status().pipelines().get(0).items().stream().map(ItemStatus::changeRef).toList();
        assertEquals(List.of(new ChangeRef.Patchset(N, 1, 2)), left);
    }

    @Test
    public void aReloadIsDatedAndAPipelineItDroppedIsShownUntilItsItemsAreDone() throws Exception {
        Scheduler s = scheduler(LayoutParser.parse(LAYOUT, "t.yaml"));
        s.onEvent(Events.created(N, 1, 1));
        clock.advance(Duration.ofMinutes(5));
        s.reconfigure(LayoutParser.parse(String.join("\n",
                "pipelines:",
                "  - name: gate2",
                "    manager: IndependentPipelineManager",
                "    trigger: {gerrit: [{event: patchset-created}]}",
                "projects:",
                "  - name: a/b",
                "    gate2: [x]",
                ""), "t2.yaml"));
        SchedulerStatus status = s.status();
        assertEquals(T0.plus(Duration.ofMinutes(5)), status.lastReconfigured());
        assertEquals(List.of("gate2", "check"), status.pipelines().stream().map(PipelineStatus::name).toList());
        PipelineStatus dropped = status.pipelines().get(1);
        assertEquals("Newly uploaded patchsets enter this pipeline.", dropped.description());
        assertEquals(1, dropped.items().size());
        s.onJobCompleted(id(2), BuildResult.SUCCESS, null);
        s.onJobCompleted(id(3), BuildResult.SUCCESS, null);
        assertEquals(List.of("gate2"), s.status().pipelines().stream().map(PipelineStatus::name).toList());
    }
}
