package dev.tollgate.pipeline.scheduler;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.tollgate.common.BuildResult;
import dev.tollgate.pipeline.layout.Layout;
import dev.tollgate.pipeline.port.BuildStatus;
import dev.tollgate.pipeline.port.LaunchRequest;
import dev.tollgate.pipeline.port.Review;
import dev.tollgate.pipeline.scheduler.state.SavedBuild;
import dev.tollgate.pipeline.scheduler.state.SavedItem;
import dev.tollgate.pipeline.scheduler.state.SavedPipeline;
import dev.tollgate.pipeline.scheduler.state.SchedulerState;
import dev.tollgate.pipeline.reporter.ReportAction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Test;

/**
 * A restart in the middle of every phase of an item: the saved state is restored into a new
 * Scheduler, which asks Jenkins what became of its builds. Across the restart every job runs once in
 * Jenkins and every review lands on the change once.
 */
public class RestartTest {
    static final String CHECK = String.join("\n",
            "pipelines:",
            "  - name: check",
            "    manager: IndependentPipelineManager",
            "    trigger: {gerrit: [{event: patchset-created}]}",
            "    start: {gerrit: {}}",
            "    success: {gerrit: {verified: 1}}",
            "    failure: {gerrit: {verified: -1}}",
            "jobs:",
            "  - name: tempest",
            "    attempts: 2",
            "projects:",
            "  - name: a/b",
            "    check: [tempest, unit]",
            "");

    final RestartWorld world = new RestartWorld();
    final Layout layout;

    public RestartTest() throws Exception {
        layout = SchedulerTest.layout(CHECK);
    }

    /** The one item's uuid: the first id handed out. */
    static final String ITEM = String.format("%07d%025d", 1, 0);

    private void assertEachJobRanOnceAndEachReviewLandedOnce(RestartWorld.Engine after) {
        RestartWorld.Jenkins jenkins = world.jenkins;
        assertEquals("launched twice: " + jenkins.launchedTwice, List.of(), jenkins.launchedTwice);
        assertEquals("tempest runs: " + jenkins.runsOf("tempest"), 1, jenkins.runsOf("tempest").size());
        assertEquals("unit runs: " + jenkins.runsOf("unit"), 1, jenkins.runsOf("unit").size());
        assertEquals("posted twice: " + world.gerrit.postedTwice, List.of(), world.gerrit.postedTwice);
        assertEquals(List.of(ITEM + ":start", ITEM + ":success"), world.gerrit.keys());
        Review success = world.gerrit.posted.get(1);
        assertEquals(Map.of("Verified", 1), success.labels());
        assertTrue(success.message(), success.message().contains("- tempest https://jenkins/job/tempest/"));
        assertTrue(success.message(), success.message().contains("- unit https://jenkins/job/unit/"));
        assertTrue(after.scheduler.items().isEmpty());
        assertEquals(0, after.scheduler.runningBuilds());
        assertEquals("done and reported: nothing left to save", List.of(), after.scheduler.snapshot().items());
    }

    private SchedulerState stopAt(RestartWorld.Engine e, String point, Runnable whileRunning) {
        SchedulerState[] saved = new SchedulerState[1];
        world.checkpoints = p -> {
            if (p.equals(point) && saved[0] == null) {
                saved[0] = RestartWorld.saved(e.scheduler); // the save at shutdown
                e.crash();
            }
        };
        whileRunning.run();
        assertNotNull("the run reached " + point, saved[0]);
        return saved[0];
    }

    @Test
    public void queuedNotLaunched() {
        RestartWorld.Engine first = world.new Engine(layout);
        SchedulerState saved = stopAt(first, "enqueued 1,1", () -> first.scheduler.onEvent(Events.created("a/b", 1, 1)));
        assertTrue("nothing reached Jenkins or Gerrit", world.jenkins.runs.isEmpty() && world.gerrit.posted.isEmpty());
        SavedItem item = saved.items().get(0);
        assertEquals(Set.of(ReportAction.START), item.reporting());
        assertTrue(item.builds().stream().noneMatch(SavedBuild::handedToLauncher));

        RestartWorld.Engine second = world.restart(layout, saved);
        // Jenkins has no trace of them and they had not been handed over: launched now, same ids
        assertEquals(List.of(item.builds().get(0).id(), item.builds().get(1).id()),
                List.copyOf(world.jenkins.runs.keySet()));
        assertEquals(List.of(1, 1), world.jenkins.runs.values().stream().map(LaunchRequest::attempt).toList());
        assertEquals(List.of(ITEM + ":start"), world.gerrit.keys());
        world.drain(second, BuildResult.SUCCESS);
        assertEachJobRanOnceAndEachReviewLandedOnce(second);
        assertEquals(List.of(), world.relaunches);
    }

    @Test
    public void launchingHandedOverButLost() {
        RestartWorld.Engine first = world.new Engine(layout);
        // the launcher had been called for tempest and the engine stopped before Jenkins queued it
        SchedulerState saved = stopAt(first, "launch tempest 1 before",
                () -> first.scheduler.onEvent(Events.created("a/b", 1, 1)));
        assertTrue(world.jenkins.runs.isEmpty());
        assertEquals(List.of(true, false), saved.items().get(0).builds().stream().map(SavedBuild::handedToLauncher).toList());
        String lostId = saved.items().get(0).builds().get(0).id();

        RestartWorld.Engine second = world.restart(layout, saved);
        // handed over, no trace: the launch was lost, which counts as a build without a result
        assertEquals(List.of("tempest 2: Jenkins has no trace of it after a restart (its launch was lost)"),
                world.relaunches);
        LaunchRequest tempest = world.jenkins.runsOf("tempest").get(0);
        assertEquals(2, tempest.attempt());
        assertNotEquals(lostId, tempest.buildId());
        world.drain(second, BuildResult.SUCCESS);
        assertEachJobRanOnceAndEachReviewLandedOnce(second);
    }

    @Test
    public void launchingAndQueuedInJenkins() {
        RestartWorld.Engine first = world.new Engine(layout);
        SchedulerState saved = stopAt(first, "launch tempest 1 after",
                () -> first.scheduler.onEvent(Events.created("a/b", 1, 1)));
        assertEquals(1, world.jenkins.runs.size());
        RestartWorld.Engine second = world.restart(layout, saved);
        assertEquals("tempest re-attached, unit launched", 2, world.jenkins.runs.size());
        assertEquals(2, second.scheduler.runningBuilds());
        world.drain(second, BuildResult.SUCCESS);
        assertEachJobRanOnceAndEachReviewLandedOnce(second);
        assertEquals(List.of(), world.relaunches);
    }

    @Test
    public void running() {
        RestartWorld.Engine first = world.new Engine(layout);
        SchedulerState saved = stopAt(first, "started tempest", () -> {
            first.scheduler.onEvent(Events.created("a/b", 1, 1));
            List.copyOf(world.jenkins.runs.keySet()).forEach(first::started);
        });
        assertEquals(world.clock.instant(), saved.items().get(0).builds().get(0).started());
        world.clock.advance(Duration.ofSeconds(75));
        RestartWorld.Engine second = world.restart(layout, saved);
        assertEquals("both re-attached, nothing launched", 2, world.jenkins.runs.size());
        assertEquals(2, second.scheduler.runningBuilds());
        assertEquals(List.of(ITEM + ":start"), world.gerrit.keys());
        world.drain(second, BuildResult.SUCCESS);
        assertEachJobRanOnceAndEachReviewLandedOnce(second);
        assertTrue("the time counts from the start before the restart: " + world.gerrit.posted.get(1).message(),
                world.gerrit.posted.get(1).message().contains(" : SUCCESS in 1m 15s\n"));
    }

    @Test
    public void completedWhileTheEngineWasDown() {
        RestartWorld.Engine first = world.new Engine(layout);
        SchedulerState saved = stopAt(first, "started unit", () -> {
            first.scheduler.onEvent(Events.created("a/b", 1, 1));
            List.copyOf(world.jenkins.runs.keySet()).forEach(first::started);
        });
        // Jenkins finishes both while no engine listens
        for (String id : List.copyOf(world.jenkins.runs.keySet())) {
            first.ended(id, BuildResult.SUCCESS);
        }
        RestartWorld.Engine second = world.restart(layout, saved);
        assertEachJobRanOnceAndEachReviewLandedOnce(second);
    }

    @Test
    public void completedNotReported() {
        RestartWorld.Engine first = world.new Engine(layout);
        SchedulerState saved = stopAt(first, "post " + ITEM + ":success before", () -> {
            first.scheduler.onEvent(Events.created("a/b", 1, 1));
            List.copyOf(world.jenkins.runs.keySet()).forEach(id -> first.ended(id, BuildResult.SUCCESS));
        });
        assertEquals(List.of(ITEM + ":start"), world.gerrit.keys());
        SavedItem item = saved.items().get(0);
        assertEquals("the done item stays saved until its report is made", Set.of(ReportAction.SUCCESS), item.reporting());
        assertTrue(item.builds().stream().allMatch(b -> b.state() == SavedBuild.State.ENDED));

        RestartWorld.Engine second = world.restart(layout, saved);
        assertEquals(1, world.gerrit.lookedFirst);
        assertEachJobRanOnceAndEachReviewLandedOnce(second);
    }

    @Test
    public void reportedButNotKnownToBe() {
        RestartWorld.Engine first = world.new Engine(layout);
        SchedulerState saved = stopAt(first, "post " + ITEM + ":success after", () -> {
            first.scheduler.onEvent(Events.created("a/b", 1, 1));
            List.copyOf(world.jenkins.runs.keySet()).forEach(id -> first.ended(id, BuildResult.SUCCESS));
        });
        assertEquals(Set.of(ReportAction.SUCCESS), saved.items().get(0).reporting());
        RestartWorld.Engine second = world.restart(layout, saved);
        assertEquals("the change was asked, and had it", 1, world.gerrit.lookedFirst);
        assertEachJobRanOnceAndEachReviewLandedOnce(second);
    }

    @Test
    public void reported() {
        RestartWorld.Engine first = world.new Engine(layout);
        first.scheduler.onEvent(Events.created("a/b", 1, 1));
        SchedulerState whileStarting = RestartWorld.saved(first.scheduler);
        assertEquals(Set.of(ReportAction.START), whileStarting.items().get(0).reported());
        assertEquals(Set.of(), whileStarting.items().get(0).reporting());
        world.drain(first, BuildResult.SUCCESS);
        SchedulerState saved = RestartWorld.saved(first.scheduler);
        assertEquals(List.of(), saved.items());
        first.crash();
        RestartWorld.Engine second = world.restart(layout, saved);
        assertEquals(0, world.gerrit.lookedFirst);
        assertEachJobRanOnceAndEachReviewLandedOnce(second);
    }

    /**
     * Every point a process can stop at, and every save before it (the plugin saves on a timer, so
     * the state may be older than the stop): each job runs once in Jenkins, each review lands once.
     */
    @Test
    public void everyStopAfterEverySave() {
        List<String> points = new ArrayList<>();
        RestartWorld probe = new RestartWorld();
        probe.checkpoints = points::add;
        scenario(probe, probe.new Engine(layout));
        assertEquals(points.toString(), 14, points.size());

        for (int crashAt = 0; crashAt < points.size(); crashAt++) {
            for (int saveAt = 0; saveAt <= crashAt; saveAt++) {
                RestartWorld w = new RestartWorld();
                RestartWorld.Engine first = w.new Engine(layout);
                int save = saveAt;
                int crash = crashAt;
                AtomicInteger at = new AtomicInteger();
                SchedulerState[] saved = new SchedulerState[1];
                w.checkpoints = p -> {
                    int n = at.getAndIncrement();
                    if (n == save) {
                        saved[0] = RestartWorld.saved(first.scheduler);
                    }
                    if (n == crash) {
                        first.crash();
                    }
                };
                scenario(w, first);
                String where = "saved at " + points.get(saveAt) + ", stopped at " + points.get(crashAt);
                RestartWorld.Engine second = w.restart(layout, saved[0]);
                w.drain(second, BuildResult.SUCCESS);
                assertEquals(where, List.of(), w.jenkins.launchedTwice);
                assertEquals(where, 1, w.jenkins.runsOf("tempest").size());
                assertEquals(where, 1, w.jenkins.runsOf("unit").size());
                assertEquals(where, List.of(ITEM + ":start", ITEM + ":success"), w.gerrit.keys());
                assertTrue(where, second.scheduler.items().isEmpty());
                assertEquals(where, 0, second.scheduler.runningBuilds());
                assertEquals(where, List.of(), second.scheduler.snapshot().items());
            }
        }
    }

    /** Enqueue, Jenkins starts and ends both builds; the process hears of it while it lives. */
    private static void scenario(RestartWorld w, RestartWorld.Engine e) {
        e.scheduler.onEvent(Events.created("a/b", 1, 1));
        List<String> ids = List.copyOf(w.jenkins.runs.keySet());
        ids.forEach(e::started);
        w.clock.advance(Duration.ofSeconds(10));
        ids.forEach(id -> e.ended(id, BuildResult.SUCCESS));
        e.checkpoint("done");
    }
}
