package dev.tollgate.pipeline.merger;

import static dev.tollgate.pipeline.merger.GitCommand.changeRef;
import static dev.tollgate.pipeline.merger.GitCommand.commitOn;
import static dev.tollgate.pipeline.merger.GitCommand.git;
import static dev.tollgate.pipeline.merger.GitCommand.newProject;
import static dev.tollgate.pipeline.merger.GitCommand.patchset;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import dev.tollgate.pipeline.port.Merger.Item;
import dev.tollgate.pipeline.port.Merger.MergeRequest;
import dev.tollgate.pipeline.port.Merger.MergeResult;
import dev.tollgate.pipeline.port.Merger.Mode;
import dev.tollgate.testing.ManualClock;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The merger against repositories made with the real {@code git} command standing in for Gerrit. */
public class GitMergerTest {
    static final String P = "openstack/neutron";
    static final String UUID = "0123456789abcdef0123456789abcdef";
    static final String ZREF = "refs/zuul/master/Z" + UUID;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T10:00:00Z"));
    Path gerrit;
    Path cacheDir;
    Path upstream;
    String tip;
    GitMerger merger;

    @Before
    public void setUp() throws Exception {
        gerrit = tmp.newFolder("gerrit").toPath();
        cacheDir = tmp.newFolder("cache").toPath();
        upstream = newProject(gerrit, P, Map.of("setup.py", "name = 'neutron'\n", "README", "neutron\n"));
        tip = commitOn(upstream, "master", "Second commit", Map.of("CHANGES", "1\n"));
        merger = newMerger();
    }

    @After
    public void tearDown() {
        merger.close();
    }

    GitMerger newMerger() throws Exception {
        return new GitMerger(MergerSettings.local(cacheDir, gerrit), clock, Runnable::run);
    }

    static MergeRequest request(String uuid, Item... items) {
        return new MergeRequest(uuid, "refs/zuul/" + items[items.length - 1].branch() + "/Z" + uuid, List.of(items));
    }

    static Item change(int change, int ps, Mode mode) {
        return new Item(P, "master", changeRef(change, ps), null, mode, false);
    }

    Path cached() {
        return cacheDir.resolve(P);
    }

    @Test
    public void mergeResolveMakesAMergeCommitOfTheBranchTipAndThePatchset() throws Exception {
        String ps = patchset(upstream, tip, 12345, 2, "Add a feature", Map.of("feature.py", "x = 1\n"));
        commitOn(upstream, "master", "Meanwhile on master", Map.of("README", "neutron, moved on\n"));
        String newTip = git(upstream, "rev-parse", "master");

        MergeResult r = merger.mergeNow(request(UUID, change(12345, 2, Mode.MERGE_RESOLVE)));

        MergeResult.Merged m = (MergeResult.Merged) r;
        assertEquals(ZREF, m.ref());
        assertEquals(m.commit(), git(cached(), "rev-parse", ZREF));
        assertEquals(newTip + " " + ps, git(cached(), "rev-list", "--parents", "-n1", ZREF).substring(41));
        assertEquals("x = 1", git(cached(), "show", ZREF + ":feature.py"));
        assertEquals("neutron, moved on", git(cached(), "show", ZREF + ":README"));
        assertEquals("the same tree as git merge -s resolve gives",
                gitMergeTree(newTip, ps, "resolve"), git(cached(), "rev-parse", ZREF + "^{tree}"));
        assertEquals("the configured committer at the clock's time", "Tollgate Merger <merger@tollgate.invalid> "
                + clock.instant().getEpochSecond(), git(cached(), "log", "-1", "--format=%cn <%ce> %ct", ZREF));
    }

    /** The tree git itself makes for {@code git merge -s STRATEGY} of the patchset into the tip, in a scratch clone. */
    String gitMergeTree(String base, String change, String strategy) throws Exception {
        Path scratch = tmp.newFolder().toPath();
        git(scratch, "clone", "-q", upstream.toString(), ".");
        git(scratch, "fetch", "-q", "origin", change);
        git(scratch, "checkout", "-q", "--detach", base);
        git(scratch, "merge", "-q", "--no-ff", "--no-edit", "-s", strategy, change);
        return git(scratch, "rev-parse", "HEAD^{tree}");
    }

    @Test
    public void mergeModeMergeUsesTheRecursiveStrategy() throws Exception {
        String ps = patchset(upstream, tip, 7, 1, "Change", Map.of("a.txt", "a\n"));
        MergeResult.Merged m = (MergeResult.Merged) merger.mergeNow(request(UUID, change(7, 1, Mode.MERGE)));
        assertEquals(tip + " " + ps, git(cached(), "rev-list", "--parents", "-n1", m.commit()).substring(41));
        assertEquals(gitMergeTree(tip, ps, "recursive"), git(cached(), "rev-parse", m.commit() + "^{tree}"));
    }

    @Test
    public void cherryPickPutsThePatchsetsOwnChangeOntoTheTipWithItsAuthorAndMessage() throws Exception {
        String first = git(upstream, "rev-list", "--max-parents=0", "master");
        patchset(upstream, first, 8, 3, "Fix the setup\n\nChange-Id: I123", Map.of("setup.py", "name = 'neutron2'\n"));
        MergeResult.Merged m = (MergeResult.Merged) merger.mergeNow(request(UUID, change(8, 3, Mode.CHERRY_PICK)));
        assertEquals(tip, git(cached(), "rev-list", "--parents", "-n1", m.commit()).substring(41));
        assertEquals("Fix the setup\n\nChange-Id: I123", git(cached(), "log", "-1", "--format=%B", m.commit()));
        assertEquals("Alice <alice@example.org>", git(cached(), "log", "-1", "--format=%an <%ae>", m.commit()));
        assertEquals("name = 'neutron2'", git(cached(), "show", m.commit() + ":setup.py"));
        assertEquals("1", git(cached(), "show", m.commit() + ":CHANGES"));
    }

    @Test
    public void aConflictIsAMergeFailureNamingTheFileAndPublishesNothing() throws Exception {
        String first = git(upstream, "rev-list", "--max-parents=0", "master");
        commitOn(upstream, "master", "Rename on master", Map.of("setup.py", "name = 'quantum'\n"));
        patchset(upstream, first, 9, 1, "Rename differently", Map.of("setup.py", "name = 'other'\n"));
        for (Mode mode : Mode.values()) {
            MergeResult r = merger.mergeNow(request(UUID, change(9, 1, mode)));
            assertTrue(mode + ": " + r, r instanceof MergeResult.Failed f && f.why().contains("does not merge")
                    && f.why().contains("setup.py"));
        }
        assertEquals("", git(cached(), "for-each-ref", "refs/zuul/"));
    }

    @Test
    public void aDeletedBranchIsAMergeFailureAndLeavesTheCacheToo() throws Exception {
        git(upstream, "branch", "stable/1.0", tip);
        String ps = patchset(upstream, tip, 10, 1, "Backport", Map.of("b.txt", "b\n"));
        Item onStable = new Item(P, "stable/1.0", changeRef(10, 1), ps, Mode.MERGE_RESOLVE, false);
        assertTrue(merger.mergeNow(request(UUID, onStable)) instanceof MergeResult.Merged);
        assertEquals(tip, git(cached(), "rev-parse", "refs/heads/stable/1.0"));

        git(upstream, "branch", "-D", "stable/1.0");
        MergeResult r = merger.mergeNow(request("1" + UUID.substring(1), onStable));
        assertEquals(new MergeResult.Failed("branch stable/1.0 does not exist in " + P), r);
        assertEquals("", git(cached(), "for-each-ref", "refs/heads/stable/"));
    }

    @Test
    public void aForcePushedBranchIsFollowed() throws Exception {
        String first = git(upstream, "rev-list", "--max-parents=0", "master");
        String ps = patchset(upstream, tip, 11, 1, "Change", Map.of("c.txt", "c\n"));
        merger.mergeNow(request(UUID, change(11, 1, Mode.MERGE_RESOLVE)));
        // master rewritten: back to the first commit and another one on top
        git(upstream, "reset", "-q", "--hard", first);
        String rewritten = commitOn(upstream, "master", "Rewritten history", Map.of("NEW", "n\n"));
        MergeResult.Merged m = (MergeResult.Merged) merger.mergeNow(request("2" + UUID.substring(1),
                change(11, 1, Mode.MERGE_RESOLVE)));
        assertEquals(rewritten + " " + ps, git(cached(), "rev-list", "--parents", "-n1", m.commit()).substring(41));
        assertEquals(rewritten, git(cached(), "rev-parse", "refs/heads/master"));
    }

    @Test
    public void aHugeBinaryFileMerges() throws Exception {
        Path big = upstream.resolve("blob.bin");
        byte[] chunk = new byte[1 << 20];
        Random random = new Random(42);
        try (OutputStream out = Files.newOutputStream(big)) {
            for (int i = 0; i < 64; i++) { // 64 MiB of incompressible data
                random.nextBytes(chunk);
                out.write(chunk);
            }
        }
        git(upstream, "checkout", "-q", "--detach", tip);
        git(upstream, "add", "blob.bin");
        git(upstream, "commit", "-q", "-m", "Add a big binary");
        String ps = git(upstream, "rev-parse", "HEAD");
        git(upstream, "update-ref", changeRef(12, 1), ps);
        git(upstream, "checkout", "-q", "master");
        String blob = git(upstream, "rev-parse", ps + ":blob.bin");

        MergeResult.Merged m = (MergeResult.Merged) merger.mergeNow(request(UUID, change(12, 1, Mode.MERGE_RESOLVE)));
        assertEquals(blob, git(cached(), "rev-parse", m.commit() + ":blob.bin"));
        assertEquals(String.valueOf(64 << 20), git(cached(), "cat-file", "-s", blob));
    }

    @Test
    public void onlyTheFirstFetchIsFullAcrossMergesAndRestarts() throws Exception {
        patchset(upstream, tip, 13, 1, "One", Map.of("one", "1\n"));
        patchset(upstream, tip, 14, 1, "Two", Map.of("two", "2\n"));
        merger.mergeNow(request(UUID, change(13, 1, Mode.MERGE_RESOLVE)));
        merger.mergeNow(request("3" + UUID.substring(1), change(14, 1, Mode.MERGE_RESOLVE)));
        assertEquals(1, merger.fullFetches());
        assertEquals(2, merger.fetches());
        merger.close();

        merger = newMerger(); // a restart: the repositories are still there
        patchset(upstream, tip, 15, 1, "Three", Map.of("three", "3\n"));
        assertTrue(merger.mergeNow(request("4" + UUID.substring(1), change(15, 1, Mode.MERGE_RESOLVE)))
                instanceof MergeResult.Merged);
        assertEquals(0, merger.fullFetches());
        assertEquals("both earlier results survived the restart", 3,
                git(cached(), "for-each-ref", "refs/zuul/").lines().count());
    }

    @Test
    public void aRefThatExistsAlreadyIsTheAnswerToTheSameRequest() throws Exception {
        patchset(upstream, tip, 16, 1, "One", Map.of("one", "1\n"));
        MergeResult first = merger.mergeNow(request(UUID, change(16, 1, Mode.MERGE_RESOLVE)));
        commitOn(upstream, "master", "Moved on", Map.of("moved", "m\n"));
        clock.advance(Duration.ofMinutes(5));
        assertEquals("asked again after a restart: the same commit", first,
                merger.mergeNow(request(UUID, change(16, 1, Mode.MERGE_RESOLVE))));
    }

    @Test
    public void changesAheadInTheQueueAreMergedFirstAndTheItemOntoTheirResult() throws Exception {
        String a = patchset(upstream, tip, 17, 1, "A", Map.of("a", "a\n"));
        String b = patchset(upstream, tip, 18, 1, "B", Map.of("b", "b\n"));
        MergeResult.Merged m = (MergeResult.Merged) merger.mergeNow(request(UUID,
                change(17, 1, Mode.MERGE_RESOLVE), change(18, 1, Mode.MERGE_RESOLVE)));
        String[] parents = git(cached(), "rev-list", "--parents", "-n1", m.commit()).split(" ");
        assertEquals(b, parents[2]);
        assertEquals(tip + " " + a, git(cached(), "rev-list", "--parents", "-n1", parents[1]).substring(41));
        assertEquals("a", git(cached(), "show", m.commit() + ":a"));
        assertEquals("b", git(cached(), "show", m.commit() + ":b"));
    }

    @Test
    public void aRefUpdateIsFetchedNotMerged() throws Exception {
        git(upstream, "tag", "1.0", tip);
        MergeResult r = merger.mergeNow(new MergeRequest(UUID, "refs/tags/1.0",
                List.of(new Item(P, null, "refs/tags/1.0", tip, Mode.MERGE_RESOLVE, true))));
        assertEquals(new MergeResult.Merged("refs/tags/1.0", tip), r);
        assertEquals(tip, git(cached(), "rev-parse", "refs/tags/1.0"));
    }

    @Test
    public void missingPatchsetsProjectsAndBadNamesAreMergeFailures() throws Exception {
        assertTrue(merger.mergeNow(request(UUID, change(99, 1, Mode.MERGE))) instanceof MergeResult.Failed);
        MergeResult r = merger.mergeNow(request(UUID, new Item("openstack/nova", "master", changeRef(1, 1), null,
                Mode.MERGE, false)));
        assertTrue(r.toString(), r instanceof MergeResult.Failed f && f.why().startsWith("cannot fetch"));
        for (String bad : List.of("../etc", "/abs", "a/../../b", ".hidden", "a//b", "sp ace")) {
            r = merger.mergeNow(request(UUID, new Item(bad, "master", changeRef(1, 1), null, Mode.MERGE, false)));
            assertTrue(bad + ": " + r, r instanceof MergeResult.Failed f && f.why().contains("not a project name"));
        }
        assertFalse(Files.exists(cacheDir.getParent().resolve("etc")));
    }

    @Test
    public void aDamagedRepositoryIsFetchedAgainNotFatal() throws Exception {
        patchset(upstream, tip, 19, 1, "One", Map.of("one", "1\n"));
        merger.mergeNow(request(UUID, change(19, 1, Mode.MERGE_RESOLVE)));
        merger.close();

        Files.writeString(cached().resolve("config"), "[core\n\tthis is not a config");
        merger = newMerger();
        MergeResult r = merger.mergeNow(request("5" + UUID.substring(1), change(19, 1, Mode.MERGE_RESOLVE)));
        assertTrue(r.toString(), r instanceof MergeResult.Merged);
        assertEquals(1, merger.recreatedRepositories());
        assertEquals(1, merger.fullFetches());
        merger.close();

        // objects gone while the refs stay: found on open, fetched again
        try (var packs = Files.walk(cached().resolve("objects"))) {
            for (Path f : packs.filter(Files::isRegularFile).toList()) {
                Files.delete(f);
            }
        }
        merger = newMerger();
        r = merger.mergeNow(request("6" + UUID.substring(1), change(19, 1, Mode.MERGE_RESOLVE)));
        assertTrue(r.toString(), r instanceof MergeResult.Merged);
        assertEquals(1, merger.recreatedRepositories());
        assertEquals("fsck of the re-fetched repository", "", git(cached(), "fsck", "--no-progress", "--no-dangling"));
    }

    @Test
    public void oldZuulRefsArePrunedAndTheCacheKeptUnderItsBound() throws Exception {
        patchset(upstream, tip, 20, 1, "One", Map.of("one", "1\n"));
        merger.close();
        merger = new GitMerger(MergerSettings.local(cacheDir, gerrit).withLimits(Duration.ofHours(1), 1L << 40), clock,
                Runnable::run);
        merger.mergeNow(request(UUID, change(20, 1, Mode.MERGE_RESOLVE)));
        clock.advance(Duration.ofMinutes(40));
        merger.mergeNow(request("7" + UUID.substring(1), change(20, 1, Mode.CHERRY_PICK)));
        clock.advance(Duration.ofMinutes(30));
        GitMerger.PruneResult pruned = merger.prune();
        assertEquals(1, pruned.zuulRefs());
        assertEquals("refs/zuul/master/Z7" + UUID.substring(1), git(cached(), "for-each-ref", "--format=%(refname)",
                "refs/zuul/"));
        assertEquals(0, pruned.repositories());

        // a second project; a bound smaller than both: the least recently used one goes
        Path nova = newProject(gerrit, "openstack/nova", Map.of("nova", "n\n"));
        patchset(nova, "master", 21, 1, "Nova change", Map.of("n2", "2\n"));
        clock.advance(Duration.ofMinutes(1));
        merger.mergeNow(new MergeRequest(UUID, ZREF, List.of(new Item("openstack/nova", "master", changeRef(21, 1),
                null, Mode.MERGE_RESOLVE, false))));
        merger.close();
        merger = new GitMerger(MergerSettings.local(cacheDir, gerrit).withLimits(Duration.ofHours(1),
                pruned.cacheBytes() + 1), clock, Runnable::run);
        GitMerger.PruneResult bounded = merger.prune();
        assertEquals(1, bounded.repositories());
        assertFalse("neutron was used least recently", Files.exists(cached()));
        assertTrue(Files.isDirectory(cacheDir.resolve("openstack/nova")));
        assertTrue(bounded.cacheBytes() <= pruned.cacheBytes() + 1);
    }

    @Test
    public void mergeAnswersThroughTheCallbackOnTheExecutor() throws Exception {
        patchset(upstream, tip, 22, 1, "One", Map.of("one", "1\n"));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try (GitMerger async = new GitMerger(MergerSettings.local(cacheDir, gerrit), clock, pool)) {
            CompletableFuture<MergeResult> answer = new CompletableFuture<>();
            async.merge(request(UUID, change(22, 1, Mode.MERGE_RESOLVE)), answer::complete);
            MergeResult r = answer.get(120, TimeUnit.SECONDS);
            assertTrue(r instanceof MergeResult.Merged);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    public void theSameInputsGiveTheSameCommit() throws Exception {
        patchset(upstream, tip, 23, 1, "One", Map.of("one", "1\n"));
        MergeResult.Merged a = (MergeResult.Merged) merger.mergeNow(request(UUID, change(23, 1, Mode.MERGE_RESOLVE)));
        MergeResult.Merged b = (MergeResult.Merged) merger.mergeNow(request("8" + UUID.substring(1),
                change(23, 1, Mode.MERGE_RESOLVE)));
        assertEquals(a.commit(), b.commit());
        assertNotEquals(a.ref(), b.ref());
    }
}
