package dev.tollgate.cli;

import static dev.tollgate.cli.MainTest.run;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@code tollgate simulate --git-root DIR --merge-root WORK}: every change merged before its jobs run. */
public class SimulateMergeTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String P = "openstack/neutron";

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    Path gitRoot;
    Path work;
    Path events;
    String tip;
    String good;

    static String git(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.putAll(Map.of("GIT_AUTHOR_NAME", "Alice", "GIT_AUTHOR_EMAIL", "alice@example.org",
                "GIT_COMMITTER_NAME", "Alice", "GIT_COMMITTER_EMAIL", "alice@example.org",
                "GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z",
                "GIT_CONFIG_NOSYSTEM", "1", "HOME", dir.toString()));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("git " + args[0] + " ended", p.waitFor(120, TimeUnit.SECONDS));
        assertEquals("git " + String.join(" ", args) + ": " + out, 0, p.exitValue());
        return out.strip();
    }

    static String commit(Path repo, String file, String content, String message) throws Exception {
        Files.writeString(repo.resolve(file), content);
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", message);
        return git(repo, "rev-parse", "HEAD");
    }

    static String event(int change, int ps, String revision) {
        return "{\"type\":\"patchset-created\",\"change\":{\"project\":\"" + P + "\",\"branch\":\"master\",\"number\":"
                + change + ",\"subject\":\"s\"},\"patchSet\":{\"number\":" + ps + ",\"revision\":\"" + revision
                + "\",\"ref\":\"refs/changes/" + String.format("%02d", change % 100) + "/" + change + "/" + ps
                + "\"},\"uploader\":{\"name\":\"Alice\"},\"eventCreatedOn\":1763700000}";
    }

    @Before
    public void setUp() throws Exception {
        gitRoot = tmp.newFolder("gerrit").toPath();
        work = tmp.getRoot().toPath().resolve("work");
        Path repo = gitRoot.resolve(P);
        Files.createDirectories(repo);
        git(repo, "init", "-q", "-b", "master");
        String first = commit(repo, "setup.py", "name = 'neutron'\n", "Initial import");
        tip = commit(repo, "setup.py", "name = 'quantum'\n", "Rename");
        git(repo, "checkout", "-q", "--detach", tip);
        good = commit(repo, "feature.py", "x = 1\n", "Add a feature");
        git(repo, "update-ref", "refs/changes/45/12345/1", good);
        git(repo, "checkout", "-q", "--detach", first);
        String conflicting = commit(repo, "setup.py", "name = 'other'\n", "Rename differently");
        git(repo, "update-ref", "refs/changes/46/12346/1", conflicting);
        git(repo, "checkout", "-q", "master");
        events = tmp.newFile("events.jsonl").toPath();
        Files.writeString(events, event(12345, 1, good) + "\n" + event(12346, 1, conflicting) + "\n");
    }

    @Test
    public void everyEnqueueCarriesItsMergeAndAConflictIsReportedAsAMergeFailure() throws Exception {
        MainTest.Result r = run("simulate", "--layout", MainTest.LAYOUT, "--git-root", gitRoot.toString(),
                "--merge-root", work.toString(), events.toString());
        assertEquals(r.err(), 0, r.code());
        List<String> lines = r.outLines();
        assertEquals(String.join("\n", lines), 4, lines.size());

        JsonNode enqueue = JSON.readTree(lines.get(0));
        assertEquals("enqueue", enqueue.path("action").asText());
        assertEquals(12345, enqueue.path("change").asInt());
        String ref = enqueue.path("merge").path("ref").asText();
        String commit = enqueue.path("merge").path("commit").asText();
        assertEquals("refs/zuul/master/Z" + String.format("%032x", 1), ref);
        Path cached = work.resolve(P);
        assertEquals(commit, git(cached, "rev-parse", ref));
        assertEquals(commit + " " + tip + " " + good, git(cached, "rev-list", "--parents", "-n1", ref));
        assertEquals("report", JSON.readTree(lines.get(1)).path("action").asText());
        assertTrue(lines.get(1), lines.get(1).contains("Build succeeded."));

        JsonNode failed = JSON.readTree(lines.get(2));
        assertEquals("enqueue", failed.path("action").asText());
        assertEquals(12346, failed.path("change").asInt());
        assertEquals("{\"failed\":true}", failed.path("merge").toString());
        JsonNode report = JSON.readTree(lines.get(3));
        assertEquals("report", report.path("action").asText());
        assertEquals(12346, report.path("change").asInt());
        assertTrue(report.toString(), report.path("message").asText().startsWith("Merge Failed."));

        assertEquals("the same on every run", r.out(), run("simulate", "--layout", MainTest.LAYOUT, "--git-root",
                gitRoot.toString(), "--merge-root", tmp.newFolder().toString(), events.toString()).out());
        assertEquals("and with a temporary work directory", r.out(), run("simulate", "--layout", MainTest.LAYOUT,
                "--git-root", gitRoot.toString(), events.toString()).out());
    }

    @Test
    public void withoutTheFlagsTheOutputIsUnchangedAndBadFlagsAreOneLine() throws Exception {
        MainTest.Result plain = run("simulate", "--layout", MainTest.LAYOUT, events.toString());
        assertEquals(0, plain.code());
        assertTrue(plain.out(), !plain.out().contains("\"merge\""));
        assertTrue(plain.out(), plain.out().startsWith("{\"event\":1,\"action\":\"enqueue\",\"pipeline\":\"check\","
                + "\"project\":\"openstack/neutron\",\"change\":12345,\"patchset\":1,\"jobs\":["));

        MainTest.Result noRoot = run("simulate", "--layout", MainTest.LAYOUT, "--git-root",
                tmp.getRoot().toPath().resolve("missing").toString(), events.toString());
        assertEquals(1, noRoot.code());
        assertTrue(noRoot.err(), noRoot.err().endsWith("missing: not a directory (--git-root)\n"));
        assertEquals(2, run("simulate", "--layout", MainTest.LAYOUT, "--merge-root", work.toString(),
                events.toString()).code());
        assertEquals(2, run("simulate", "--layout", MainTest.LAYOUT, events.toString(), "--git-root").code());
    }
}
