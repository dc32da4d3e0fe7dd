package dev.tollgate.pipeline.scheduler;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.tollgate.common.BuildResult;
import dev.tollgate.pipeline.layout.Layout;
import dev.tollgate.pipeline.port.LaunchRequest;
import dev.tollgate.pipeline.port.Merger;
import dev.tollgate.pipeline.port.Review;
import dev.tollgate.pipeline.scheduler.state.SchedulerState;
import dev.tollgate.pipeline.port.BuildStatus;
import dev.tollgate.testing.ManualClock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.Test;

/** Test as merge: the scheduler's side of the merger port, with a merger the test answers for. */
public class SchedulerMergeTest {
    static final String N = "openstack/neutron";
    static final String LAYOUT = """
            pipelines:
              - name: check
                manager: IndependentPipelineManager
                trigger:
                  gerrit:
                    - event: patchset-created
                    - event: ref-updated
                      ref: ^refs/tags/.*$
                start:
                  gerrit: {}
                success:
                  gerrit: {verified: 1}
                failure:
                  gerrit: {verified: -1}
                footer-message: See the docs.
            projects:
              - name: openstack/neutron
                merge-mode: cherry-pick
                check: [unit, pep8]
              - name: openstack/nova
                check: [unit]
            """;

    final ManualClock clock = new ManualClock();
    final SchedulerTest.FakeLauncher launcher = new SchedulerTest.FakeLauncher();
    final SchedulerTest.RecordingPoster poster = new SchedulerTest.RecordingPoster();
    final AtomicInteger ids = new AtomicInteger();
    final List<String> heard = Collections.synchronizedList(new ArrayList<>());

    /** Keeps every request and its callback; the test answers. */
    static final class HeldMerger implements Merger {
        final List<MergeRequest> requests = Collections.synchronizedList(new ArrayList<>());
        final List<Consumer<MergeResult>> callbacks = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void merge(MergeRequest request, Consumer<MergeResult> done) {
            requests.add(request);
            callbacks.add(done);
        }

        void answer(int i, MergeResult r) {
            callbacks.get(i).accept(r);
        }
    }

    final HeldMerger merger = new HeldMerger();

    Scheduler scheduler(String yaml, Merger m) throws Exception {
        Layout layout = SchedulerTest.layout(yaml);
        return Scheduler.builder(layout).launcher(launcher).reviewPoster(poster).clock(clock).merger(m)
                .uuids(() -> String.format("%032x", ids.incrementAndGet()))
                .settings(new LaunchSettings("git://merger.example.org:9418", null, null, null, null))
                .listener(new SchedulerListener() {
                    @Override
                    public void merged(ItemView item, String ref, String commit) {
                        heard.add("merged " + item.changeRef() + " " + ref + " " + commit);
                    }

                    @Override
                    public void mergeFailed(ItemView item, String why) {
                        heard.add("merge-failed " + item.changeRef() + " " + why);
                    }

                    @Override
                    public void completed(ItemView item, String action) {
                        heard.add(action + " " + item.changeRef());
                    }
                })
                .build();
    }

    static final String ITEM1 = String.format("%032x", 1);

    @Test
    public void buildsWaitForTheMergeAndTestItsRefAndCommit() throws Exception {
        Scheduler s = scheduler(LAYOUT, merger);
        s.onEvent(Events.created(N, 12345, 2));
        assertEquals("nothing launched before the merge", 0, launcher.launched.size());
        assertEquals("start reported at the enqueue, as Zuul v2", 1, poster.posted.size());
        assertEquals(2, s.runningBuilds()); // registered, waiting
        Merger.MergeRequest req = merger.requests.get(0);
        assertEquals(ITEM1, req.itemUuid());
        assertEquals("refs/zuul/master/Z" + ITEM1, req.zuulRef());
        assertEquals(new Merger.Item(N, "master", "refs/changes/45/12345/2", "rev12345x2", Merger.Mode.CHERRY_PICK,
                false), req.item());
        assertEquals("refs/changes/45/12345/2", s.status().pipelines().get(0).items().get(0).ref());

        merger.answer(0, new Merger.MergeResult.Merged(req.zuulRef(), "c0ffee"));
        assertEquals(2, launcher.launched.size());
        for (LaunchRequest r : launcher.launched) {
            assertEquals(req.zuulRef(), r.parameters().get("ZUUL_REF"));
            assertEquals("c0ffee", r.parameters().get("ZUUL_COMMIT"));
            assertEquals("git://merger.example.org:9418", r.parameters().get("ZUUL_URL"));
            assertEquals(N + ":master:refs/changes/45/12345/2", r.parameters().get("ZUUL_CHANGES"));
            assertEquals("refs/changes/45/12345/2", r.parameters().get("GERRIT_REFSPEC"));
        }
        assertEquals(req.zuulRef(), s.status().pipelines().get(0).items().get(0).ref());
        merger.answer(0, new Merger.MergeResult.Merged(req.zuulRef(), "c0ffee"));
        assertEquals("a second answer changes nothing", 2, launcher.launched.size());
        for (LaunchRequest r : List.copyOf(launcher.launched)) {
            s.onJobCompleted(r.buildId(), BuildResult.SUCCESS, null);
        }
        assertEquals(2, poster.posted.size());
        assertTrue(poster.posted.get(1).key().endsWith(":success"));
        assertEquals(List.of("merged 12345,2 refs/zuul/master/Z" + ITEM1 + " c0ffee", "success 12345,2"), heard);
    }

    @Test
    public void aChangeThatDoesNotMergeRunsNoJobAndIsReportedOnceAsAMergeFailure() throws Exception {
        Scheduler s = scheduler(LAYOUT.replace("    footer-message: See the docs.\n",
                "    footer-message: See the docs.\n    merge-failure:\n      gerrit: {verified: -2}\n"
                        + "    merge-failure-message: Cannot merge; please rebase.\n"), merger);
        s.onEvent(Events.created(N, 7, 1));
        merger.answer(0, new Merger.MergeResult.Failed("conflict in setup.py"));
        merger.answer(0, new Merger.MergeResult.Failed("conflict in setup.py"));
        assertEquals(0, launcher.launched.size());
        assertEquals(0, launcher.cancelled.size());
        assertEquals(2, poster.posted.size());
        Review r = poster.posted.get(1);
        assertEquals(ITEM1 + ":merge-failure", r.key());
        assertEquals(java.util.Map.of("Verified", -2), r.labels());
        assertEquals("Cannot merge; please rebase.\nSee the docs.", r.message());
        assertTrue(s.items().isEmpty());
        assertEquals(0, s.runningBuilds());
        assertEquals(List.of("merge-failed 7,1 conflict in setup.py", "merge-failure 7,1"), heard);
        s.onEvent(Events.created(N, 7, 1));
        assertEquals("a done item can be enqueued again", 2, merger.requests.size());
    }

    @Test
    public void withoutItsOwnMergeFailureReporterAPipelineReportsWithItsFailureOneAndZuulsMessage() throws Exception {
        Scheduler s = scheduler(LAYOUT, merger);
        s.onEvent(Events.created(N, 7, 1));
        merger.answer(0, new Merger.MergeResult.Failed("conflict"));
        Review r = poster.posted.get(1);
        assertEquals(java.util.Map.of("Verified", -1), r.labels());
        assertTrue(r.message(), r.message().startsWith("Merge Failed.\n\nThis change "));
        assertTrue(r.message(), r.message().endsWith("\nSee the docs."));
    }

    @Test
    public void anItemDequeuedWhileItsMergeRunsIgnoresTheAnswer() throws Exception {
        Scheduler s = scheduler(LAYOUT, merger);
        s.onEvent(Events.created(N, 7, 1));
        s.onEvent(Events.created(N, 7, 2));
        assertEquals(2, merger.requests.size());
        merger.answer(0, new Merger.MergeResult.Merged("refs/zuul/master/Z" + ITEM1, "abc"));
        merger.answer(0, new Merger.MergeResult.Failed("late"));
        assertEquals(0, launcher.launched.size());
        assertEquals("start of both, nothing else", 2, poster.posted.size());
        merger.answer(1, new Merger.MergeResult.Merged(merger.requests.get(1).zuulRef(), "def"));
        assertEquals(2, launcher.launched.size());
        assertEquals(2, s.runningBuilds());
    }

    @Test
    public void aRefUpdateIsFetchedAndTestedAtItsOwnRefAndRevision() throws Exception {
        Scheduler s = scheduler(LAYOUT, merger);
        s.onEvent(Events.refUpdated(N, "refs/tags/1.0", "feedbeef"));
        Merger.MergeRequest req = merger.requests.get(0);
        assertEquals("refs/tags/1.0", req.zuulRef());
        assertEquals(new Merger.Item(N, null, "refs/tags/1.0", "feedbeef", Merger.Mode.CHERRY_PICK, true), req.item());
        merger.answer(0, new Merger.MergeResult.Merged("refs/tags/1.0", "feedbeef"));
        assertEquals("refs/tags/1.0", launcher.last().parameters().get("ZUUL_REF"));
        assertEquals("feedbeef", launcher.last().parameters().get("ZUUL_COMMIT"));
    }

    @Test
    public void theDefaultMergeModeIsMergeResolve() throws Exception {
        Scheduler s = scheduler(LAYOUT, merger);
        s.onEvent(Events.created("openstack/nova", 3, 1));
        assertEquals(Merger.Mode.MERGE_RESOLVE, merger.requests.get(0).item().mode());
    }

    @Test
    public void aMergerAnsweringFromInsideMergeOrAnotherThreadOrThrowing() throws Exception {
        // from inside merge(): the scheduler's lock is not held, so the answer is taken at once
        Scheduler s = scheduler(LAYOUT, (req, done) -> done.accept(new Merger.MergeResult.Merged(req.zuulRef(), "111")));
        s.onEvent(Events.created(N, 1, 1));
        assertEquals(2, launcher.launched.size());

        // from another thread, after merge() returned
        List<CompletableFuture<Void>> answers = Collections.synchronizedList(new ArrayList<>());
        launcher.launched.clear();
        Scheduler t = scheduler(LAYOUT, (req, done) -> answers.add(CompletableFuture.runAsync(
                () -> done.accept(new Merger.MergeResult.Merged(req.zuulRef(), "222")))));
        t.onEvent(Events.created(N, 2, 1));
        answers.get(0).get(30, TimeUnit.SECONDS);
        assertEquals(2, launcher.launched.size());
        assertEquals("222", launcher.last().parameters().get("ZUUL_COMMIT"));

        // a merger that throws has failed the merge: reported once, nothing launched
        launcher.launched.clear();
        poster.posted.clear();
        Scheduler u = scheduler(LAYOUT, (req, done) -> {
            throw new IllegalStateException("disk full");
        });
        u.onEvent(Events.created(N, 3, 1));
        assertEquals(0, launcher.launched.size());
        assertEquals(2, poster.posted.size());
        assertTrue(poster.posted.get(1).key().endsWith(":merge-failure"));
    }

    @Test
    public void theMergerIsAskedAndAnswersWithoutTheSchedulersLockHeld() throws Exception {
        dev.tollgate.testing.DeadlockProbe probe = new dev.tollgate.testing.DeadlockProbe();
        Scheduler[] s = new Scheduler[1];
        List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
        s[0] = scheduler(LAYOUT, (req, done) -> {
            // a merger may wait for another thread that calls into the scheduler (a status page, say)
            probe.callFromAnotherThreadAndWait("status-reader", () -> seen.add(s[0].status().pipelines().size()));
            done.accept(new Merger.MergeResult.Merged(req.zuulRef(), "444"));
        });
        probe.returnsWithoutDeadlock("onEvent with a merger", () -> s[0].onEvent(Events.created(N, 9, 1)));
        assertEquals(List.of(1), seen);
        assertEquals(2, launcher.launched.size());
    }

    @Test
    public void withoutAMergerNothingChanges() throws Exception {
        Scheduler s = scheduler(LAYOUT, null);
        s.onEvent(Events.created(N, 12345, 2));
        assertEquals(2, launcher.launched.size());
        assertEquals("refs/changes/45/12345/2", launcher.last().parameters().get("ZUUL_REF"));
        assertEquals("rev12345x2", launcher.last().parameters().get("ZUUL_COMMIT"));
    }

    @Test
    public void aRestoredItemAsksTheMergerAgainAndLaunchesWhatWasNotHandedOverOnce() throws Exception {
        Scheduler s = scheduler(LAYOUT, merger);
        s.onEvent(Events.created(N, 5, 1)); // merge pending at the save
        SchedulerState saved = s.snapshot();

        HeldMerger again = new HeldMerger();
        launcher.launched.clear();
        Scheduler restored = scheduler(LAYOUT, again);
        restored.restore(saved, (id, job) -> BuildStatus.unknown());
        assertEquals("waits for the merge", 0, launcher.launched.size());
        assertEquals(1, again.requests.size());
        assertEquals(merger.requests.get(0).zuulRef(), again.requests.get(0).zuulRef());
        again.answer(0, new Merger.MergeResult.Merged(again.requests.get(0).zuulRef(), "333"));
        assertEquals(2, launcher.launched.size());
        assertEquals("333", launcher.last().parameters().get("ZUUL_COMMIT"));
        assertNull(poster.posted.stream().filter(r -> r.key().endsWith("merge-failure")).findAny().orElse(null));
    }
}
