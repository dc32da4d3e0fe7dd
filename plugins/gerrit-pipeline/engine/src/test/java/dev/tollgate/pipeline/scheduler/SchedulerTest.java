package dev.tollgate.pipeline.scheduler;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.tollgate.common.BuildResult;
import dev.tollgate.pipeline.event.EventType;
import dev.tollgate.pipeline.event.GerritEvent;
import dev.tollgate.pipeline.layout.Layout;
import dev.tollgate.pipeline.layout.LayoutParser;
import dev.tollgate.pipeline.port.JobLauncher;
import dev.tollgate.pipeline.port.LaunchRequest;
import dev.tollgate.pipeline.port.Review;
import dev.tollgate.pipeline.port.ReviewPoster;
import dev.tollgate.testing.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Test;

public class SchedulerTest {
    static final String N = "openstack/neutron";
    static final String JOB = "check-tempest-dsvm-metaplugin";

    final ManualClock clock = new ManualClock();
    final FakeLauncher launcher = new FakeLauncher();
    final RecordingPoster poster = new RecordingPoster();
    final AtomicInteger ids = new AtomicInteger();
    final List<String> decisions = Collections.synchronizedList(new ArrayList<>());

    static final class FakeLauncher implements JobLauncher {
        final List<LaunchRequest> launched = Collections.synchronizedList(new ArrayList<>());
        final List<String> cancelled = Collections.synchronizedList(new ArrayList<>());
        volatile boolean fail;

        @Override
        public void launch(LaunchRequest request) throws LaunchException {
            if (fail) {
                throw new LaunchException("no such job");
            }
            launched.add(request);
        }

        @Override
        public void cancel(String buildId) {
            cancelled.add(buildId);
        }

        LaunchRequest last() {
            return launched.get(launched.size() - 1);
        }
    }

    /** Records reviews; fails the next ones while {@code failuresLeft} > 0. */
    public static final class RecordingPoster implements ReviewPoster {
        public final List<Review> posted = Collections.synchronizedList(new ArrayList<>());
        public volatile int failuresLeft;

        @Override
        public void post(Review review) throws ReviewException {
            if (failuresLeft > 0) {
                failuresLeft--;
                throw new ReviewException("Gerrit said 500, retries exhausted");
            }
            posted.add(review);
        }
    }

    Scheduler scheduler(Layout layout) {
        return Scheduler.builder(layout).launcher(launcher).reviewPoster(poster).clock(clock)
                .uuids(() -> String.format("%07x%025d", ids.incrementAndGet(), 0))
                .settings(new LaunchSettings("https://review.example.org", "review", "review.example.org", "29418", "ssh"))
                .listener(new SchedulerListener() {
                    @Override
                    public void enqueued(ItemView item) {
                        decisions.add("enqueue " + item.pipeline() + " " + item.changeRef() + " " + item.jobs());
                    }

                    @Override
                    public void dequeued(ItemView item, String reason) {
                        decisions.add("dequeue " + item.pipeline() + " " + item.changeRef() + " " + reason);
                    }

                    @Override
                    public void completed(ItemView item, String action) {
                        decisions.add(action + " " + item.changeRef());
                    }
                })
                .build();
    }

    static Layout seed() throws Exception {
        return LayoutParser.parse(Path.of("../../../examples/metaplugin-ci/layout.yaml"));
    }

    static Layout layout(String yaml) throws Exception {
        return LayoutParser.parse(yaml, "t.yaml");
    }

    @Test
    public void seedSuccessVotesVerifiedPlusOneWithZuulsMessage() throws Exception {
        Scheduler s = scheduler(seed());
        s.onEvent(Events.created(N, 12345, 2));
        assertEquals(1, launcher.launched.size());
        LaunchRequest r = launcher.last();
        assertEquals(JOB, r.job());
        clock.advance(Duration.ofSeconds(62));
        s.onJobCompleted(r.buildId(), BuildResult.SUCCESS, "http://logs.example.org/45/12345/2/check/" + JOB + "/0000002");
        assertEquals(1, poster.posted.size());
        Review review = poster.posted.get(0);
        assertEquals(N, review.project());
        assertEquals(12345, review.change());
        assertEquals(2, review.patchset());
        assertEquals("rev12345x2", review.revision());
        assertEquals(Map.of("Verified", 1), review.labels());
        assertEquals("Build succeeded.\n\n- check-tempest-dsvm-metaplugin "
                + "http://logs.example.org/45/12345/2/check/check-tempest-dsvm-metaplugin/0000002 : SUCCESS in 1m 02s\n",
                review.message());
        assertEquals("0000001" + "0".repeat(25) + ":success", review.key());
        assertTrue(s.items().isEmpty());
        assertEquals(0, s.runningBuilds());
    }

    @Test
    public void seedFailureVotesZeroWithTheRecheckHint() throws Exception {
        Scheduler s = scheduler(seed());
        s.onEvent(Events.comment(N, 7, 1, "Patch Set 1:\n\nmetaplugin-recheck"));
        clock.advance(Duration.ofSeconds(3725));
        s.onJobCompleted(launcher.last().buildId(), BuildResult.FAILURE, null);
        Review review = poster.posted.get(0);
        assertEquals(Map.of("Verified", 0), review.labels());
        assertEquals("Build failed. Leave a comment with 'metaplugin-recheck' to rerun a check. ('recheck' will be "
                + "ignored.)\n\n- check-tempest-dsvm-metaplugin : FAILURE in 1h 02m 05s\n", review.message());
        assertTrue(review.key().endsWith(":failure"));
    }

    @Test
    public void neverEnqueuedTwiceWhileQueuedOrRunning() throws Exception {
        Scheduler s = scheduler(seed());
        s.onEvent(Events.created(N, 1, 1));
        s.onEvent(Events.created(N, 1, 1));
        s.onEvent(Events.comment(N, 1, 1, "metaplugin-recheck"));
        assertEquals(1, launcher.launched.size());
        s.onJobStarted(launcher.last().buildId(), "http://jenkins/job/x/1/");
        s.onEvent(Events.comment(N, 1, 1, "metaplugin-recheck"));
        assertEquals("still running", 1, launcher.launched.size());
        s.onJobCompleted(launcher.last().buildId(), BuildResult.SUCCESS, null);
        s.onEvent(Events.comment(N, 1, 1, "metaplugin-recheck"));
        assertEquals("done items can run again", 2, launcher.launched.size());
        assertEquals("- check-tempest-dsvm-metaplugin http://jenkins/job/x/1/ : SUCCESS in 0s\n",
                poster.posted.get(0).message().split("\n\n", 2)[1]);
    }

    @Test
    public void newPatchsetDequeuesOlderOnesAndCancelsTheirBuilds() throws Exception {
        Scheduler s = scheduler(seed());
        s.onEvent(Events.created(N, 1, 1));
        s.onEvent(Events.created(N, 2, 1)); // another change stays
        String old = launcher.launched.get(0).buildId();
        s.onEvent(Events.created(N, 1, 2));
        assertEquals(List.of(old), launcher.cancelled);
        assertEquals(List.of("enqueue check 1,1 [" + JOB + "]", "enqueue check 2,1 [" + JOB + "]",
                "dequeue check 1,1 new-patchset", "enqueue check 1,2 [" + JOB + "]"), decisions);
        s.onJobCompleted(old, BuildResult.SUCCESS, null); // the cancelled build reports late: ignored
        assertTrue(poster.posted.isEmpty());
        assertEquals(2, s.items().size());
        // an older patchset's recheck does not dequeue the newer one
        s.onEvent(Events.comment(N, 1, 1, "metaplugin-recheck"));
        assertEquals(3, s.items().size());
        assertEquals(List.of(old), launcher.cancelled);
    }

    static final String START_LAYOUT = "pipelines:\n  - name: check\n    manager: IndependentPipelineManager\n"
            + "    trigger: {gerrit: [{event: patchset-created}]}\n    start: {gerrit: {}}\n"
            + "    success: {gerrit: {verified: 1}}\n"
            + "projects:\n  - name: " + N + "\n    check: [" + JOB + "]\n";

    static final String RECHECK_ONLY = "pipelines:\n  - name: recheck\n    manager: IndependentPipelineManager\n"
            + "    trigger: {gerrit: [{event: comment-added, comment: 'recheck'}]}\n"
            + "    success: {gerrit: {verified: 1}}\n"
            + "projects:\n  - name: " + N + "\n    recheck: [" + JOB + "]\n";

    @Test
    public void aNewPatchsetRetiresOlderOnesEvenWhereItIsNotEnqueuedButACommentDoesNot() throws Exception {
        // Zuul v2 retires old patchsets on every patchset-created, in every pipeline, matched or not
        Scheduler s = scheduler(layout(RECHECK_ONLY));
        s.onEvent(Events.comment(N, 1, 1, "recheck"));
        s.onEvent(Events.comment(N, 1, 2, "recheck")); // a comment on a newer patchset retires nothing
        assertEquals(List.of("enqueue recheck 1,1 [" + JOB + "]", "enqueue recheck 1,2 [" + JOB + "]"), decisions);
        s.onEvent(Events.created(N, 1, 3)); // not a trigger of this pipeline, still retires 1 and 2
        assertEquals(List.of("enqueue recheck 1,1 [" + JOB + "]", "enqueue recheck 1,2 [" + JOB + "]",
                "dequeue recheck 1,1 new-patchset", "dequeue recheck 1,2 new-patchset"), decisions);
        assertEquals(2, launcher.cancelled.size());
        assertTrue(poster.posted.isEmpty());
    }

    @Test
    public void aBuildDequeuedBeforeItsLaunchIsNeverStartedNorCancelled() throws Exception {
        // the start review runs before the launch, outside the lock: an abandon can come in between
        Scheduler[] s = new Scheduler[1];
        ReviewPoster abandonDuringStart = review -> {
            if (review.key().endsWith(":start")) {
                s[0].onEvent(Events.of(EventType.CHANGE_ABANDONED, N, 1, 1));
            }
            poster.post(review);
        };
        s[0] = Scheduler.builder(layout(START_LAYOUT)).launcher(launcher).reviewPoster(abandonDuringStart)
                .clock(clock).build();
        s[0].onEvent(Events.created(N, 1, 1));
        assertTrue("nothing launched for an abandoned change", launcher.launched.isEmpty());
        assertTrue(launcher.cancelled.isEmpty());
        assertEquals(0, s[0].runningBuilds());
    }

    @Test
    public void aBuildDequeuedWhileLaunchingIsCancelledAsSoonAsTheLauncherReturns() throws Exception {
        Scheduler[] s = new Scheduler[1];
        JobLauncher slow = new JobLauncher() {
            @Override
            public void launch(LaunchRequest request) throws LaunchException {
                launcher.launch(request);
                s[0].onEvent(Events.of(EventType.CHANGE_ABANDONED, N, 1, 1)); // arrives mid-launch
                assertTrue("not cancelled before the launcher returned", launcher.cancelled.isEmpty());
            }

            @Override
            public void cancel(String buildId) {
                launcher.cancel(buildId);
            }
        };
        s[0] = Scheduler.builder(seed()).launcher(slow).reviewPoster(poster).clock(clock).build();
        s[0].onEvent(Events.created(N, 1, 1));
        assertEquals(1, launcher.launched.size());
        assertEquals(List.of(launcher.last().buildId()), launcher.cancelled);
        assertTrue(poster.posted.isEmpty());
    }

    @Test
    public void aListenerThatThrowsLosesNoWork() throws Exception {
        Scheduler s = Scheduler.builder(seed()).launcher(launcher).reviewPoster(poster).clock(clock)
                .listener(new SchedulerListener() {
                    @Override
                    public void enqueued(ItemView item) {
                        throw new IllegalStateException("a plugin's status page broke");
                    }

                    @Override
                    public void reporting(ItemView item, String action, Review review) {
                        throw new IllegalStateException("and so did its report hook");
                    }
                }).build();
        s.onEvent(Events.created(N, 1, 1));
        assertEquals(1, launcher.launched.size());
        s.onJobCompleted(launcher.last().buildId(), BuildResult.SUCCESS, null);
        assertEquals(1, poster.posted.size());
    }

    @Test
    public void dequeueOnNewPatchsetFalseKeepsBoth() throws Exception {
        Scheduler s = scheduler(layout("pipelines:\n  - name: check\n    manager: IndependentPipelineManager\n"
                + "    dequeue-on-new-patchset: false\n    trigger: {gerrit: [{event: patchset-created}]}\n"
                + "projects:\n  - name: a/b\n    check: [unit]\n"));
        s.onEvent(Events.created("a/b", 1, 1));
        s.onEvent(Events.created("a/b", 1, 2));
        assertEquals(2, s.items().size());
        assertTrue(launcher.cancelled.isEmpty());
    }

    @Test
    public void abandonedChangeIsDequeuedAndCancelled() throws Exception {
        Scheduler s = scheduler(seed());
        s.onEvent(Events.created(N, 1, 1));
        s.onEvent(Events.of(EventType.CHANGE_ABANDONED, N, 1, 1));
        assertEquals(List.of(launcher.last().buildId()), launcher.cancelled);
        assertTrue(s.items().isEmpty());
        assertEquals("dequeue check 1,1 abandoned", decisions.get(1));
        s.onEvent(Events.of(EventType.CHANGE_RESTORED, N, 1, 1));
        assertEquals(2, launcher.launched.size());
    }

    @Test
    public void nonVotingJobsDoNotDecideAndJobMessagesReplaceTheResult() throws Exception {
        Scheduler s = scheduler(layout(String.join("\n",
                "pipelines:",
                "  - name: check",
                "    manager: IndependentPipelineManager",
                "    success-message: All green.",
                "    footer-message: Reply 'recheck-me' to run again.",
                "    trigger: {gerrit: [{event: patchset-created}]}",
                "    start: {gerrit: {}}",
                "    success: {gerrit: {verified: 1, code-review: 1}}",
                "    failure: {gerrit: {verified: -1}}",
                "jobs:",
                "  - name: ^.*-nv$",
                "    voting: false",
                "  - name: unit",
                "    success-message: passed nicely",
                "projects:",
                "  - name: a/b",
                "    check: [unit, docs-nv]",
                "")));
        s.onEvent(Events.created("a/b", 5, 1));
        assertEquals(1, poster.posted.size());
        Review start = poster.posted.get(0);
        assertEquals("Starting check jobs.\nReply 'recheck-me' to run again.", start.message());
        assertEquals(Map.of(), start.labels());
        assertTrue(start.key().endsWith(":start"));
        assertEquals("0", launcher.launched.get(1).parameters().get("ZUUL_VOTING"));
        s.onJobCompleted(launcher.launched.get(1).buildId(), BuildResult.FAILURE, "http://l/docs");
        assertEquals(1, poster.posted.size());
        s.onJobCompleted(launcher.launched.get(0).buildId(), BuildResult.SUCCESS, "http://l/unit");
        Review done = poster.posted.get(1);
        assertEquals(Map.of("Verified", 1, "Code-Review", 1), done.labels());
        assertEquals("All green.\n\n- unit http://l/unit : passed nicely in 0s\n"
                + "- docs-nv http://l/docs : FAILURE in 0s (non-voting)\n\nReply 'recheck-me' to run again.",
                done.message());
        assertEquals(start.key().replace(":start", ":success"), done.key());
    }

    @Test
    public void jobFiltersNoopAndLaunchErrors() throws Exception {
        Scheduler s = scheduler(layout(String.join("\n",
                "pipelines:",
                "  - name: check",
                "    manager: IndependentPipelineManager",
                "    trigger: {gerrit: [{event: patchset-created}]}",
                "    success: {gerrit: {verified: 1}}",
                "    failure: {gerrit: {verified: -1}}",
                "jobs:",
                "  - name: stable-only",
                "    branch: ^stable/",
                "  - name: skipped-for-docs",
                "    skip-if: [{project: ^a/docs$}]",
                "projects:",
                "  - name: a/b",
                "    check: [stable-only]",
                "  - name: a/docs",
                "    check: [skipped-for-docs, noop]",
                "  - name: a/c",
                "    check: [unit]",
                "")));
        s.onEvent(Events.created("a/b", 1, 1));
        assertTrue("all jobs filtered out: nothing enqueued", decisions.isEmpty());
        s.onEvent(Events.created("a/docs", 2, 1));
        assertTrue(launcher.launched.isEmpty());
        assertEquals("Build succeeded.\n\n- noop : SUCCESS in 0s\n", poster.posted.get(0).message());
        launcher.fail = true;
        s.onEvent(Events.created("a/c", 3, 1));
        assertEquals("Build failed.\n\n- unit : LAUNCH_ERROR in 0s\n", poster.posted.get(1).message());
        assertEquals(Map.of("Verified", -1), poster.posted.get(1).labels());
        assertTrue(s.items().isEmpty());
    }

    @Test
    public void aFailedReviewIsLoggedAndLosesNothingElse() throws Exception {
        Scheduler s = scheduler(seed());
        poster.failuresLeft = 1;
        s.onEvent(Events.created(N, 1, 1));
        s.onEvent(Events.created(N, 2, 1));
        s.onJobCompleted(launcher.launched.get(0).buildId(), BuildResult.SUCCESS, null);
        s.onJobCompleted(launcher.launched.get(1).buildId(), BuildResult.SUCCESS, null);
        assertEquals(1, poster.posted.size());
        assertEquals(2, poster.posted.get(0).change());
        assertTrue(s.items().isEmpty());
        assertEquals(List.of("enqueue check 1,1 [" + JOB + "]", "enqueue check 2,1 [" + JOB + "]",
                "success 1,1", "success 2,1"), decisions);
    }

    @Test
    public void jobParametersForAChange() throws Exception {
        Scheduler s = scheduler(seed());
        s.onEvent(Events.comment(N, 12345, 2, "Patch Set 2:\n\nmetaplugin-recheck"));
        Map<String, String> p = launcher.last().parameters();
        String uuid = launcher.last().buildId();
        assertEquals("0000002" + "0".repeat(25), uuid);
        assertEquals(uuid, p.get("ZUUL_UUID"));
        assertEquals(N, p.get("ZUUL_PROJECT"));
        assertEquals("master", p.get("ZUUL_BRANCH"));
        assertEquals("12345", p.get("ZUUL_CHANGE"));
        assertEquals("2", p.get("ZUUL_PATCHSET"));
        assertEquals("refs/changes/45/12345/2", p.get("ZUUL_REF"));
        assertEquals("https://review.example.org", p.get("ZUUL_URL"));
        assertEquals("check", p.get("ZUUL_PIPELINE"));
        assertEquals("1", p.get("ZUUL_VOTING"));
        assertEquals("12345,2", p.get("ZUUL_CHANGE_IDS"));
        assertEquals(N + ":master:refs/changes/45/12345/2", p.get("ZUUL_CHANGES"));
        assertEquals("rev12345x2", p.get("ZUUL_COMMIT"));
        assertEquals("45/12345/2", p.get("BASE_LOG_PATH"));
        assertEquals("45/12345/2/check/check-tempest-dsvm-metaplugin/0000002", p.get("LOG_PATH"));
        assertEquals(N, p.get("GERRIT_PROJECT"));
        assertEquals("master", p.get("GERRIT_BRANCH"));
        assertEquals("12345", p.get("GERRIT_CHANGE_NUMBER"));
        assertEquals("2", p.get("GERRIT_PATCHSET_NUMBER"));
        assertEquals("rev12345x2", p.get("GERRIT_PATCHSET_REVISION"));
        assertEquals("refs/changes/45/12345/2", p.get("GERRIT_REFSPEC"));
        assertEquals("I12345", p.get("GERRIT_CHANGE_ID"));
        assertEquals("https://review.example.org/c/12345", p.get("GERRIT_CHANGE_URL"));
        assertEquals("Subject 12345", p.get("GERRIT_CHANGE_SUBJECT"));
        assertEquals("\"Alice Dev\" <alice@example.org>", p.get("GERRIT_CHANGE_OWNER"));
        assertEquals("Alice Dev", p.get("GERRIT_CHANGE_OWNER_NAME"));
        assertEquals("alice@example.org", p.get("GERRIT_CHANGE_OWNER_EMAIL"));
        assertEquals("comment-added", p.get("GERRIT_EVENT_TYPE"));
        assertEquals("Bob Reviewer", p.get("GERRIT_EVENT_ACCOUNT_NAME"));
        assertEquals("bob@example.org", p.get("GERRIT_EVENT_ACCOUNT_EMAIL"));
        assertEquals("UGF0Y2ggU2V0IDI6CgptZXRhcGx1Z2luLXJlY2hlY2s=", p.get("GERRIT_EVENT_COMMENT_TEXT"));
        assertEquals("review.example.org", p.get("GERRIT_HOST"));
        assertEquals("29418", p.get("GERRIT_PORT"));
        assertEquals("ssh", p.get("GERRIT_SCHEME"));
        assertEquals("review", p.get("GERRIT_NAME"));
    }

    @Test
    public void logPathsFollowZuul() {
        assertEquals("5/5/1", JobParameters.basePath(5, 1));
        assertEquals("01/1001/3", JobParameters.basePath(1001, 3));
        assertEquals("c0/c0ffee/post/upload/abcdef1",
                JobParameters.logPath(JobParameters.refBasePath("c0ffee"), "post", "upload", "abcdef1234"));
    }

    @Test
    public void refUpdatedItemsRunWithRefParametersAndAreNotReviewed() throws Exception {
        Scheduler s = scheduler(layout("pipelines:\n  - name: tag\n    manager: IndependentPipelineManager\n"
                + "    trigger: {gerrit: [{event: ref-updated, ref: ^refs/tags/}]}\n    success: {gerrit: {verified: 1}}\n"
                + "projects:\n  - name: a/b\n    tag: [release]\n"));
        s.onEvent(Events.refUpdated("a/b", "refs/tags/1.0", "c0ffee0123"));
        Map<String, String> p = launcher.last().parameters();
        assertEquals("refs/tags/1.0", p.get("ZUUL_REF"));
        assertEquals("c0ffee0123", p.get("ZUUL_NEWREV"));
        assertEquals("c0/c0ffee0123/tag/release/0000002", p.get("LOG_PATH"));
        assertEquals("refs/tags/1.0", p.get("GERRIT_REFNAME"));
        s.onEvent(Events.refUpdated("a/b", "refs/tags/1.0", "c0ffee0123"));
        assertEquals(1, launcher.launched.size());
        s.onJobCompleted(launcher.last().buildId(), BuildResult.SUCCESS, null);
        assertTrue(poster.posted.isEmpty());
        assertTrue(s.items().isEmpty());
    }

    @Test
    public void completionsFromInsideLaunchAndFromManyThreads() throws Exception {
        Layout layout = seed();
        // a launcher that finishes the build before launch() even returns
        List<Scheduler> holder = new ArrayList<>();
        JobLauncher sync = new JobLauncher() {
            @Override
            public void launch(LaunchRequest request) {
                holder.get(0).onJobCompleted(request.buildId(), BuildResult.SUCCESS, null);
            }

            @Override
            public void cancel(String buildId) { }
        };
        Scheduler s = Scheduler.builder(layout).launcher(sync).reviewPoster(poster).clock(clock).build();
        holder.add(s);
        s.onEvent(Events.created(N, 1, 1));
        assertEquals(1, poster.posted.size());

        // events on four threads, completions on four others
        Scheduler t = scheduler(layout);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch done = new CountDownLatch(4);
        for (int k = 0; k < 4; k++) {
            int base = k * 1000;
            pool.submit(() -> {
                for (int c = 1; c <= 250; c++) {
                    t.onEvent(Events.created(N, base + c, 1));
                }
                done.countDown();
            });
        }
        assertTrue(done.await(30, TimeUnit.SECONDS));
        List<LaunchRequest> all = new ArrayList<>(launcher.launched);
        assertEquals(1000, all.size());
        CountDownLatch completed = new CountDownLatch(4);
        for (int k = 0; k < 4; k++) {
            List<LaunchRequest> part = all.subList(k * 250, (k + 1) * 250);
            pool.submit(() -> {
                part.forEach(r -> t.onJobCompleted(r.buildId(), BuildResult.SUCCESS, null));
                completed.countDown();
            });
        }
        assertTrue(completed.await(30, TimeUnit.SECONDS));
        pool.shutdown();
        assertEquals(1001, poster.posted.size());
        assertEquals(1001, poster.posted.stream().map(Review::key).distinct().count());
        assertTrue(t.items().isEmpty());
    }

    @Test
    public void reconfigureKeepsTheQueue() throws Exception {
        Scheduler s = scheduler(seed());
        s.onEvent(Events.created(N, 1, 1));
        s.reconfigure(layout("pipelines:\n  - name: gate2\n    manager: IndependentPipelineManager\n"
                + "    trigger: {gerrit: [{event: patchset-created}]}\nprojects:\n  - name: a/b\n    gate2: [x]\n"));
        assertEquals(1, s.items().size());
        s.onJobCompleted(launcher.last().buildId(), BuildResult.SUCCESS, null);
        assertEquals(Map.of("Verified", 1), poster.posted.get(0).labels());
        GerritEvent ignored = Events.created(N, 9, 1);
        s.onEvent(ignored);
        assertEquals(1, launcher.launched.size());
    }

    static final String ATTEMPTS_LAYOUT = String.join("\n",
            "pipelines:",
            "  - name: check",
            "    manager: IndependentPipelineManager",
            "    trigger: {gerrit: [{event: patchset-created}]}",
            "    success: {gerrit: {verified: 1}}",
            "    failure: {gerrit: {verified: -1}}",
            "jobs:",
            "  - name: tempest",
            "    attempts: 2",
            "projects:",
            "  - name: a/b",
            "    check: [tempest, unit]",
            "");

    @Test
    public void aBuildWithoutAResultIsRelaunchedAsANewBuildAndItsLateEndIsIgnored() throws Exception {
        List<String> relaunches = new ArrayList<>();
        Scheduler s = Scheduler.builder(layout(ATTEMPTS_LAYOUT)).launcher(launcher).reviewPoster(poster).clock(clock)
                .uuids(() -> String.format("%032d", ids.incrementAndGet()))
                .listener(new SchedulerListener() {
                    @Override
                    public void relaunched(ItemView item, String job, int attempt, String reason) {
                        relaunches.add(job + " " + attempt + " " + reason);
                    }
                }).build();
        s.onEvent(Events.created("a/b", 1, 1));
        LaunchRequest first = launcher.launched.get(0);
        assertEquals(1, first.attempt());
        s.onJobStarted(first.buildId(), "http://jenkins/job/tempest/1/");
        s.onJobEndedWithoutResult(first.buildId(), "agent lost");
        assertEquals(List.of("tempest 2 agent lost"), relaunches);
        assertEquals(3, launcher.launched.size());
        LaunchRequest second = launcher.last();
        assertEquals("tempest", second.job());
        assertEquals(2, second.attempt());
        assertTrue(!second.buildId().equals(first.buildId()));
        assertEquals(second.buildId(), second.parameters().get("ZUUL_UUID"));
        s.onJobCompleted(first.buildId(), BuildResult.FAILURE, null); // the lost build reports late: ignored
        s.onJobCompleted(launcher.launched.get(1).buildId(), BuildResult.SUCCESS, null);
        assertTrue(poster.posted.isEmpty());
        clock.advance(Duration.ofSeconds(7));
        s.onJobCompleted(second.buildId(), BuildResult.SUCCESS, null);
        assertEquals("Build succeeded.\n\n- tempest : SUCCESS in 7s\n- unit : SUCCESS in 0s\n",
                poster.posted.get(0).message());
        assertEquals(0, s.runningBuilds());
    }

    @Test
    public void aJobOutOfAttemptsEndsAsRetryLimitAndFailsTheItem() throws Exception {
        Scheduler s = scheduler(layout(ATTEMPTS_LAYOUT));
        s.onEvent(Events.created("a/b", 1, 1));
        s.onJobCompleted(launcher.launched.get(1).buildId(), BuildResult.SUCCESS, null);
        s.onJobEndedWithoutResult(launcher.launched.get(0).buildId(), "agent lost");
        s.onJobCompleted(launcher.last().buildId(), null, null); // a null result is no result either
        assertEquals(3, launcher.launched.size()); // tempest twice (attempts: 2), unit once
        assertEquals(Map.of("Verified", -1), poster.posted.get(0).labels());
        assertEquals("Build failed.\n\n- tempest : " + BuildResult.RETRY_LIMIT + "\n- unit : SUCCESS in 0s\n",
                poster.posted.get(0).message());
        assertTrue(s.items().isEmpty());
    }

    @Test
    public void theDefaultIsThreeAttemptsAndARelaunchMayEndInsideLaunch() throws Exception {
        List<Scheduler> holder = new ArrayList<>();
        JobLauncher losesEveryAgent = new JobLauncher() {
            @Override
            public void launch(LaunchRequest request) {
                launcher.launched.add(request);
                holder.get(0).onJobEndedWithoutResult(request.buildId(), "agent lost");
            }

            @Override
            public void cancel(String buildId) {
                launcher.cancel(buildId);
            }
        };
        Scheduler s = Scheduler.builder(seed()).launcher(losesEveryAgent).reviewPoster(poster).clock(clock).build();
        holder.add(s);
        s.onEvent(Events.created(N, 1, 1));
        assertEquals(List.of(1, 2, 3), launcher.launched.stream().map(LaunchRequest::attempt).toList());
        assertEquals("Build failed. Leave a comment with 'metaplugin-recheck' to rerun a check. ('recheck' will be "
                + "ignored.)\n\n- " + JOB + " : RETRY_LIMIT\n", poster.posted.get(0).message());
        assertTrue(launcher.cancelled.isEmpty());
        assertEquals(0, s.runningBuilds());
    }

    @Test
    public void aDequeuedItemIsNotRelaunched() throws Exception {
        Scheduler s = scheduler(layout(ATTEMPTS_LAYOUT));
        s.onEvent(Events.created("a/b", 1, 1));
        String tempest = launcher.launched.get(0).buildId();
        s.onEvent(Events.created("a/b", 1, 2)); // retires 1,1 and cancels its builds
        int launched = launcher.launched.size();
        s.onJobEndedWithoutResult(tempest, "stopped by the cancel");
        assertEquals(launched, launcher.launched.size());
        assertEquals(2, s.runningBuilds());
    }
}
