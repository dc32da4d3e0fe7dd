package dev.tollgate.pipeline.merger;

import static dev.tollgate.pipeline.merger.GitCommand.git;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.tollgate.pipeline.port.Merger.Item;
import dev.tollgate.pipeline.port.Merger.MergeRequest;
import dev.tollgate.pipeline.port.Merger.MergeResult;
import dev.tollgate.pipeline.port.Merger.Mode;
import dev.tollgate.testing.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The merger against the real Gerrit: patchsets fetched over SSH (host key pinned) and over HTTP.
 * One Gerrit for the class; its project gets a moved master, a change that merges and one that
 * conflicts, pushed with the real {@code git} command.
 */
public class GitMergerGerritPeerTest {
    static final String P = "openstack/neutron";
    /** A host key Gerrit does not have. */
    static final String OTHER_HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";

    static GerritPeer gerrit;
    static Path work;
    static String tip;
    static String goodRef;
    static String goodCommit;
    static String conflictRef;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @BeforeClass
    public static void startGerrit() throws Exception {
        gerrit = new GerritPeer();
        work = Files.createTempDirectory("gerrit-work");
        String url = gerrit.httpGitUrlWithPassword() + "/" + P;
        git(work, "clone", "-q", url, ".");
        GitCommand.write(work, Map.of("setup.py", "name = 'neutron'\n"));
        git(work, "add", "-A");
        git(work, "commit", "-q", "-m", "Add setup.py");
        git(work, "push", "-q", "origin", "HEAD:refs/heads/master");
        String base = git(work, "rev-parse", "HEAD");

        goodCommit = change(base, "feature.py", "x = 1\n", "Add a feature", "I1111111111111111111111111111111111111111");
        conflictRef = null;
        String conflicting = change(base, "setup.py", "name = 'other'\n", "Rename differently",
                "I2222222222222222222222222222222222222222");
        git(work, "checkout", "-q", "master");
        GitCommand.write(work, Map.of("setup.py", "name = 'quantum'\n"));
        git(work, "commit", "-q", "-am", "Rename on master");
        git(work, "push", "-q", "origin", "HEAD:refs/heads/master");
        tip = git(work, "rev-parse", "HEAD");
        for (String line : git(work, "ls-remote", "origin", "refs/changes/*").split("\n")) {
            String[] f = line.split("\\s+");
            if (f[0].equals(goodCommit)) {
                goodRef = f[1];
            } else if (f[0].equals(conflicting)) {
                conflictRef = f[1];
            }
        }
        assertTrue("Gerrit made both changes", goodRef != null && conflictRef != null);
    }

    /** A change pushed for review on top of {@code base}; its commit. */
    static String change(String base, String file, String content, String subject, String changeId) throws Exception {
        git(work, "checkout", "-q", "--detach", base);
        GitCommand.write(work, Map.of(file, content));
        git(work, "add", "-A");
        git(work, "commit", "-q", "-m", subject + "\n\nChange-Id: " + changeId);
        git(work, "push", "-q", "origin", "HEAD:refs/for/master");
        return git(work, "rev-parse", "HEAD");
    }

    @AfterClass
    public static void stopGerrit() {
        if (gerrit != null) {
            gerrit.close();
        }
        if (work != null) {
            RepositoryCache.delete(work);
        }
    }

    MergeRequest request(String uuid, String ref) {
        return new MergeRequest(uuid, "refs/zuul/master/Z" + uuid,
                List.of(new Item(P, "master", ref, null, Mode.MERGE_RESOLVE, false)));
    }

    void mergesFromGerrit(MergerSettings settings) throws Exception {
        try (GitMerger merger = new GitMerger(settings, new ManualClock(), Runnable::run)) {
            MergeResult r = merger.mergeNow(request("00000000000000000000000000000001", goodRef));
            assertTrue(r.toString(), r instanceof MergeResult.Merged);
            Path cached = settings.cacheDir().resolve(P);
            String commit = ((MergeResult.Merged) r).commit();
            assertEquals(commit + " " + tip + " " + goodCommit, git(cached, "rev-list", "--parents", "-n1", commit));
            assertEquals("x = 1", git(cached, "show", commit + ":feature.py"));
            assertEquals("name = 'quantum'", git(cached, "show", commit + ":setup.py"));

            MergeResult conflict = merger.mergeNow(request("00000000000000000000000000000002", conflictRef));
            assertTrue(conflict.toString(), conflict instanceof MergeResult.Failed f && f.why().contains("setup.py"));
            assertEquals("one full fetch, then incremental ones", 1, merger.fullFetches());
            assertEquals(2, merger.fetches());
        }
    }

    @Test
    public void fetchesOverSshWithThePinnedHostKey() throws Exception {
        mergesFromGerrit(new MergerSettings(tmp.newFolder().toPath(), gerrit.sshUrl(), gerrit.adminPrivateKey,
                gerrit.sshHostKey, null, null, null, null, null, 0));
    }

    @Test
    public void fetchesOverHttp() throws Exception {
        mergesFromGerrit(new MergerSettings(tmp.newFolder().toPath(), gerrit.httpGitUrl(), null, null,
                gerrit.adminUser, gerrit.adminHttpPassword, null, null, null, 0));
    }

    @Test
    public void anyOtherHostKeyIsRefused() throws Exception {
        Path cache = tmp.newFolder().toPath();
        try (GitMerger merger = new GitMerger(new MergerSettings(cache, gerrit.sshUrl(), gerrit.adminPrivateKey,
                OTHER_HOST_KEY, null, null, null, null, null, 0), new ManualClock(), Runnable::run)) {
            MergeResult r = merger.mergeNow(request("00000000000000000000000000000003", goodRef));
            assertTrue(r.toString(), r instanceof MergeResult.Failed f && f.why().startsWith("cannot fetch"));
            assertEquals(0, merger.fetches());
            assertEquals("nothing was fetched", "", git(cache.resolve(P), "for-each-ref"));
        }
    }

    @Test
    public void wrongHttpCredentialsAreAMergeFailureThatShowsNoPassword() throws Exception {
        try (GitMerger merger = new GitMerger(new MergerSettings(tmp.newFolder().toPath(), gerrit.httpGitUrl(), null,
                null, gerrit.adminUser, "not-the-password", null, null, null, 0), new ManualClock(), Runnable::run)) {
            MergeResult r = merger.mergeNow(request("00000000000000000000000000000004", goodRef));
            assertTrue(r.toString(), r instanceof MergeResult.Failed f && f.why().startsWith("cannot fetch"));
            assertFalse(r.toString(), r.toString().contains("not-the-password"));
        }
    }
}
