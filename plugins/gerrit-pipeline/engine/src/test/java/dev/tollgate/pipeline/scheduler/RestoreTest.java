package dev.tollgate.pipeline.scheduler;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.tollgate.common.BuildResult;
import dev.tollgate.pipeline.layout.Layout;
import dev.tollgate.pipeline.port.BuildStatus;
import dev.tollgate.pipeline.port.LaunchRequest;
import dev.tollgate.pipeline.port.Review;
import dev.tollgate.pipeline.reporter.ReportAction;
import dev.tollgate.pipeline.scheduler.state.SavedItem;
import dev.tollgate.pipeline.scheduler.state.SavedPipeline;
import dev.tollgate.pipeline.scheduler.state.SchedulerState;
import dev.tollgate.pipeline.scheduler.state.SchedulerStateCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.Test;

/** What restore does with each answer of Jenkins, with reloads, and with what it must refuse. */
public class RestoreTest {
    final RestartWorld world = new RestartWorld();
    final Layout check;

    public RestoreTest() throws Exception {
        check = SchedulerTest.layout(RestartTest.CHECK);
    }

    static final String GATE_ONLY = String.join("\n",
            "pipelines:",
            "  - name: gate",
            "    manager: IndependentPipelineManager",
            "    trigger: {gerrit: [{event: patchset-created}]}",
            "    success-message: Gate passed.",
            "    success: {gerrit: {code-review: 2}}",
            "projects:",
            "  - name: a/b",
            "    gate: [integration]",
            "");

    /** The check pipeline without tempest: the project runs unit only, and tempest has no entry. */
    static final String CHECK_WITHOUT_TEMPEST = String.join("\n",
            "pipelines:",
            "  - name: check",
            "    manager: IndependentPipelineManager",
            "    trigger: {gerrit: [{event: patchset-created}]}",
            "    success-message: Check passed.",
            "    success: {gerrit: {verified: 2}}",
            "    failure: {gerrit: {verified: -2}}",
            "projects:",
            "  - name: a/b",
            "    check: [unit]",
            "");

    private RestartWorld.Engine runningItem(Layout layout) {
        RestartWorld.Engine first = world.new Engine(layout);
        first.scheduler.onEvent(Events.created("a/b", 1, 1));
        List.copyOf(world.jenkins.runs.keySet()).forEach(first::started);
        return first;
    }

    /** Runs {@code what} on a process that stops at {@code point}; the state saved then. */
    private SchedulerState savedAtStop(RestartWorld.Engine e, String point,
                                       java.util.function.Consumer<RestartWorld.Engine> what) {
        SchedulerState[] saved = new SchedulerState[1];
        world.checkpoints = p -> {
            if (p.equals(point)) {
                saved[0] = RestartWorld.saved(e.scheduler);
                e.crash();
            }
        };
        what.accept(e);
        world.checkpoints = p -> { };
        assertTrue("stopped at " + point, saved[0] != null);
        return saved[0];
    }

    private String idOf(String job) {
        return world.jenkins.runsOf(job).get(0).buildId();
    }

    @Test
    public void aReloadThenARestartDrainsTheDroppedPipelineWithItsOwnConfiguration() throws Exception {
        RestartWorld.Engine first = runningItem(check);
        Layout gate = SchedulerTest.layout(GATE_ONLY);
        first.scheduler.reconfigure(gate); // check is dropped; its item drains
        SchedulerState saved = RestartWorld.saved(first.scheduler);
        first.crash();

        RestartWorld.Engine second = world.restart(gate, saved);
        assertEquals(List.of("check"), second.scheduler.items().stream().map(ItemView::pipeline).toList());
        world.drain(second, BuildResult.SUCCESS);
        Review success = world.gerrit.posted.get(1);
        assertEquals(RestartTest.ITEM + ":success", success.key());
        assertEquals("the labels and message of check as it was", Map.of("Verified", 1), success.labels());
        assertTrue(success.message(), success.message().startsWith("Build succeeded.\n\n- tempest "));
        assertEquals(2, world.jenkins.runs.size());
        assertTrue(second.scheduler.items().isEmpty());
        // and the layout of now runs the next patchset
        second.scheduler.onEvent(Events.created("a/b", 1, 2));
        assertEquals(List.of("gate"), second.scheduler.items().stream().map(ItemView::pipeline).toList());
    }

    @Test
    public void aNewPatchsetRetiresAnItemOfADroppedPipelineAfterTheRestart() throws Exception {
        RestartWorld.Engine first = runningItem(check);
        Layout gate = SchedulerTest.layout(GATE_ONLY);
        first.scheduler.reconfigure(gate);
        SchedulerState saved = RestartWorld.saved(first.scheduler);
        first.crash();
        RestartWorld.Engine second = world.restart(gate, saved);
        second.scheduler.onEvent(Events.created("a/b", 1, 2));
        assertEquals(List.of(idOf("tempest"), idOf("unit")), world.jenkins.cancelled);
        assertEquals(List.of("gate"), second.scheduler.items().stream().map(ItemView::pipeline).toList());
    }

    @Test
    public void aRestartThenAReloadDrainsTooAndARemovedJobStillFinishesWithItsAttempts() throws Exception {
        RestartWorld.Engine first = runningItem(check);
        SchedulerState saved = RestartWorld.saved(first.scheduler);
        first.crash();
        RestartWorld.Engine second = world.restart(check, saved);
        second.scheduler.reconfigure(SchedulerTest.layout(CHECK_WITHOUT_TEMPEST));
        // tempest is gone from the layout (which would give it 3 attempts): it keeps its 2
        second.ended(idOf("unit"), BuildResult.SUCCESS);
        second.scheduler.onJobEndedWithoutResult(idOf("tempest"), "agent lost");
        String relaunched = world.jenkins.runsOf("tempest").get(1).buildId();
        world.jenkins.status.put(relaunched, BuildStatus.endedWithoutResult("agent lost"));
        second.scheduler.onJobEndedWithoutResult(relaunched, "agent lost again");
        Review failure = world.gerrit.posted.get(1);
        assertEquals(Map.of("Verified", -1), failure.labels());
        assertEquals("Build failed.\n\n- tempest : RETRY_LIMIT\n- unit https://jenkins/job/unit/"
                + idOf("unit").substring(0, 7) + "/ : SUCCESS in 0s\n", failure.message());
        assertEquals(2, world.jenkins.runsOf("tempest").size());
    }

    @Test
    public void aBuildThatEndedWithoutAResultAcrossTheRestartIsLaunchedAgain() {
        RestartWorld.Engine first = runningItem(check);
        SchedulerState saved = RestartWorld.saved(first.scheduler);
        first.crash();
        String lost = idOf("tempest");
        world.jenkins.status.put(lost, BuildStatus.endedWithoutResult("aborted by the restart"));
        world.jenkins.status.put(idOf("unit"), BuildStatus.ended(BuildResult.SUCCESS, null));
        RestartWorld.Engine second = world.restart(check, saved);
        assertEquals(List.of("tempest 2: aborted by the restart"), world.relaunches);
        LaunchRequest again = world.jenkins.runsOf("tempest").get(1);
        assertEquals(2, again.attempt());
        assertNotEquals(lost, again.buildId());
        assertEquals(again.buildId(), again.parameters().get("ZUUL_UUID"));
        assertEquals(List.of(RestartTest.ITEM + ":start"), world.gerrit.keys());
        world.drain(second, BuildResult.SUCCESS);
        assertEquals(List.of(RestartTest.ITEM + ":start", RestartTest.ITEM + ":success"), world.gerrit.keys());
    }

    @Test
    public void aLaunchMadeAgainUnderItsIdHasTheSameParameters() {
        // what the first process would have asked for, had it lived
        RestartWorld other = new RestartWorld();
        other.new Engine(check).scheduler.onEvent(Events.created("a/b", 1, 1));
        SchedulerState saved = savedAtStop(world.new Engine(check), "enqueued 1,1",
                e -> e.scheduler.onEvent(Events.created("a/b", 1, 1)));
        assertTrue(world.jenkins.runs.isEmpty());
        world.restart(check, saved);
        assertEquals(List.copyOf(other.jenkins.runs.values()), List.copyOf(world.jenkins.runs.values()));
    }

    @Test
    public void aBuildJenkinsHadThoughTheSaveSaidNotHandedOverIsCancelledThroughJenkins() {
        RestartWorld.Engine first = world.new Engine(check);
        SchedulerState[] saved = new SchedulerState[1];
        world.checkpoints = p -> {
            if (p.startsWith("enqueued")) {
                saved[0] = RestartWorld.saved(first.scheduler); // the last save: nothing handed over yet
            }
        };
        first.scheduler.onEvent(Events.created("a/b", 1, 1)); // both launched after that save
        first.crash();
        world.checkpoints = p -> { };
        RestartWorld.Engine second = world.restart(check, saved[0]);
        assertEquals("re-attached, not launched again", 2, world.jenkins.runs.size());
        second.scheduler.onEvent(Events.of(dev.tollgate.pipeline.event.EventType.CHANGE_ABANDONED, "a/b", 1, 1));
        assertEquals(List.of(idOf("tempest"), idOf("unit")), world.jenkins.cancelled);
    }

    @Test
    public void anEndJenkinsReportsDuringTheRestoreIsTakenOnce() {
        RestartWorld.Engine first = runningItem(check);
        SchedulerState saved = RestartWorld.saved(first.scheduler);
        first.crash();
        RestartWorld.Engine second = world.new Engine(check);
        second.scheduler.restore(saved, (id, job) -> {
            // Jenkins' listener reports the end while the restore asks about it
            second.ended(id, BuildResult.SUCCESS);
            return world.jenkins.lookup(id, job);
        });
        assertEquals(List.of(RestartTest.ITEM + ":start", RestartTest.ITEM + ":success"), world.gerrit.keys());
        assertEquals(List.of(), world.gerrit.postedTwice);
        assertTrue(second.scheduler.items().isEmpty());
    }

    @Test
    public void anEndReportedBeforeTheRestoreIsTakenFromTheLookup() {
        RestartWorld.Engine first = runningItem(check);
        SchedulerState saved = RestartWorld.saved(first.scheduler);
        first.crash();
        RestartWorld.Engine second = world.new Engine(check);
        for (String id : List.copyOf(world.jenkins.runs.keySet())) {
            second.ended(id, BuildResult.SUCCESS); // the listener is quicker than the restore: ignored
        }
        assertEquals(List.of(RestartTest.ITEM + ":start"), world.gerrit.keys());
        second.scheduler.restore(saved, world.jenkins::lookup);
        assertEquals(List.of(RestartTest.ITEM + ":start", RestartTest.ITEM + ":success"), world.gerrit.keys());
        assertTrue(second.scheduler.items().isEmpty());
    }

    @Test
    public void aLookupThatFailsLeavesTheBuildAttached() {
        RestartWorld.Engine first = runningItem(check);
        SchedulerState saved = RestartWorld.saved(first.scheduler);
        first.crash();
        RestartWorld.Engine second = world.new Engine(check);
        List<String> asked = new ArrayList<>();
        second.scheduler.restore(saved, (id, job) -> {
            asked.add(id);
            if (asked.size() == 1) {
                throw new IllegalStateException("Jenkins is still loading its runs");
            }
            return null; // no answer counts as no trace; unit had been handed over: a lost launch
        });
        assertEquals(2, asked.size());
        assertEquals(List.of("unit 2: Jenkins has no trace of it after a restart (its launch was lost)"), world.relaunches);
        assertEquals("tempest waits for its end, unit runs again", 2, second.scheduler.runningBuilds());
        assertEquals(1, world.jenkins.runsOf("tempest").size());
        world.drain(second, BuildResult.SUCCESS);
        assertEquals(List.of(RestartTest.ITEM + ":start", RestartTest.ITEM + ":success"), world.gerrit.keys());
    }

    @Test
    public void restoreIsForANewSchedulerOnly() {
        RestartWorld.Engine first = runningItem(check);
        SchedulerState saved = RestartWorld.saved(first.scheduler);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> first.scheduler.restore(saved, world.jenkins::lookup));
        assertEquals("restore is for a new scheduler; this one has queued items already", e.getMessage());
        assertEquals(1, first.scheduler.items().size());
        assertEquals(2, world.jenkins.runs.size());
    }

    @Test
    public void anItemOfAManagerThisEngineLacksIsRefusedAndNothingIsRestored() {
        RestartWorld.Engine first = runningItem(check);
        SchedulerState saved = RestartWorld.saved(first.scheduler);
        SavedItem item = saved.items().get(0);
        SavedPipeline p = item.pipeline();
        SavedItem gating = new SavedItem("other", new SavedPipeline("gate", "DependentPipelineManager", p.start(),
                p.success(), p.failure(), p.startMessage(), p.successMessage(), p.failureMessage(), p.footerMessage(),
                true), Events.created("a/b", 2, 1), item.enqueued(), item.builds(), Set.of(), Set.of());
        SchedulerState newer = new SchedulerState(saved.revision(), saved.takenAt(), List.of(item, gating));
        RestartWorld.Engine second = world.new Engine(check);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> second.scheduler.restore(newer, world.jenkins::lookup));
        assertEquals("no pipeline manager `DependentPipelineManager`", e.getMessage());
        assertTrue(second.scheduler.items().isEmpty());
        second.scheduler.restore(saved, world.jenkins::lookup); // nothing had changed
        assertEquals(1, second.scheduler.items().size());
    }

    @Test
    public void aPosterThatCannotLookNeverPostsAReviewThatWasInProgress() {
        SchedulerState saved = savedAtStop(world.new Engine(check), "post " + RestartTest.ITEM + ":success before", e -> {
            e.scheduler.onEvent(Events.created("a/b", 1, 1));
            world.drain(e, BuildResult.SUCCESS);
        });
        assertEquals(Set.of(ReportAction.SUCCESS), saved.items().get(0).reporting());
        List<Review> posted = new ArrayList<>();
        Scheduler blind = Scheduler.builder(check).launcher(new SchedulerTest.FakeLauncher())
                .reviewPoster(posted::add).clock(world.clock).build();
        blind.restore(saved, world.jenkins::lookup);
        assertEquals("at most once: not posted when the poster cannot tell", List.of(), posted);
        assertEquals("and given up on: not saved again", List.of(), blind.snapshot().items());
    }

    @Test
    public void theRevisionMovesWithEveryChangeThatIsSavedAndOnlyThen() {
        RestartWorld.Engine e = world.new Engine(check);
        Scheduler s = e.scheduler;
        long r0 = s.revision();
        s.onEvent(Events.created("x/unknown", 1, 1));
        s.onEvent(Events.comment("a/b", 1, 1, "recheck"));
        s.items();
        s.snapshot();
        assertEquals("nothing changed", r0, s.revision());
        List<Long> seen = new ArrayList<>();
        world.checkpoints = p -> seen.add(s.revision());
        s.onEvent(Events.created("a/b", 1, 1)); // enqueued, start reported, two launches
        long r1 = s.revision();
        assertTrue(r1 > r0);
        for (int i = 1; i < seen.size(); i++) {
            assertTrue("never back: " + seen, seen.get(i) >= seen.get(i - 1));
        }
        assertTrue("a launch handed over is a change: " + seen,
                seen.get(seen.size() - 2) > seen.get(seen.size() - 3)); // launch unit before > launch tempest after
        assertEquals(r1, s.snapshot().revision());
        s.onJobStarted(idOf("tempest"), null);
        long r2 = s.revision();
        assertTrue(r2 > r1);
        s.onJobStarted("no-such-build", null);
        assertEquals(r2, s.revision());
        world.clock.advance(Duration.ofSeconds(1));
        e.ended(idOf("tempest"), BuildResult.SUCCESS);
        long r3 = s.revision();
        assertTrue(r3 > r2);
        e.ended(idOf("unit"), BuildResult.SUCCESS); // the item is done and its report made
        long r4 = s.revision();
        assertTrue(r4 > r3);
        assertEquals(List.of(), s.snapshot().items());
        SchedulerState saved = s.snapshot();
        RestartWorld.Engine next = world.restart(check, saved);
        assertTrue("on from the saved revision", next.scheduler.revision() > saved.revision());
    }

    @Test
    public void snapshotsTakenWhileOtherThreadsWorkAreWholeAndInOrder() throws Exception {
        SchedulerTest.FakeLauncher launcher = new SchedulerTest.FakeLauncher();
        SchedulerTest.RecordingPoster poster = new SchedulerTest.RecordingPoster();
        Scheduler s = Scheduler.builder(check).launcher(launcher).reviewPoster(poster).clock(world.clock).build();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.Future<Integer> snapshots = pool.submit(() -> {
            long last = -1;
            int taken = 0;
            do {
                SchedulerState st = s.snapshot();
                assertTrue("revisions never go back", st.revision() >= last);
                last = st.revision();
                assertEquals(st, SchedulerStateCodec.fromJson(SchedulerStateCodec.toJson(st)));
                assertEquals("one item per change", st.items().size(),
                        st.items().stream().map(SavedItem::changeRef).distinct().count());
                taken++;
            } while (!stop.get());
            return taken;
        });
        List<java.util.concurrent.Future<?>> work = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            int base = k * 1000;
            work.add(pool.submit(() -> {
                for (int c = 1; c <= 150; c++) {
                    s.onEvent(Events.created("a/b", base + c, 1));
                }
            }));
        }
        for (java.util.concurrent.Future<?> f : work) {
            f.get(60, java.util.concurrent.TimeUnit.SECONDS);
        }
        List<LaunchRequest> all = new ArrayList<>(launcher.launched);
        assertEquals(600, all.size());
        java.util.concurrent.Future<?> ends = pool.submit(() ->
                all.forEach(r -> s.onJobCompleted(r.buildId(), BuildResult.SUCCESS, null)));
        ends.get(60, java.util.concurrent.TimeUnit.SECONDS);
        stop.set(true);
        assertTrue(snapshots.get(60, java.util.concurrent.TimeUnit.SECONDS) > 0);
        pool.shutdown();
        assertEquals(List.of(), s.snapshot().items());
        assertEquals(600, poster.posted.size()); // 300 starts, 300 successes
    }
}
