package dev.tollgate.pipeline.gerrit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.tollgate.pipeline.event.EventParser;
import dev.tollgate.pipeline.layout.GerritServerConfig;
import dev.tollgate.pipeline.layout.Layout;
import dev.tollgate.pipeline.layout.LayoutParser;
import dev.tollgate.pipeline.layout.MergerConfig;
import dev.tollgate.pipeline.layout.PipelineSettings;
import dev.tollgate.pipeline.merger.MergerSettings;
import dev.tollgate.pipeline.port.BuildStatus;
import dev.tollgate.pipeline.port.JobLauncher;
import dev.tollgate.pipeline.port.LaunchRequest;
import dev.tollgate.testing.ManualClock;
import dev.tollgate.testing.Peers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A server with the merger on, assembled as the plugin assembles it: the merge is made from a
 * repository made with the real {@code git} command (the merger's directory source), and the build
 * is launched with the merge's ref, its commit and ZUUL_URL under the served URL.
 */
public class PipelineServerMergerTest {
    private static final Path GIT = Peers.requireExecutable("git", "/usr/bin/git");
    private static final String LAYOUT = "pipelines:\n"
            + "  - name: check\n    manager: IndependentPipelineManager\n"
            + "    trigger: {gerrit: [{event: patchset-created}]}\n"
            + "projects:\n  - name: openstack/neutron\n    check: [unit]\n";
    private static final String PROJECT = "openstack/neutron";
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHu1jKFzGxr0u7gUfy5JKbq9C6P0H3YWnKeyxyzabcde";

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private final ManualClock clock = new ManualClock(T0);
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final LinkedBlockingQueue<LaunchRequest> launched = new LinkedBlockingQueue<>();

    @After
    public void close() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private final JobLauncher launcher = new JobLauncher() {
        @Override
        public void launch(LaunchRequest request) {
            launched.add(request);
        }

        @Override
        public void cancel(String buildId) {
        }
    };

    private static String git(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(GIT.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("GIT_AUTHOR_NAME", "Alice");
        env.put("GIT_AUTHOR_EMAIL", "alice@example.org");
        env.put("GIT_COMMITTER_NAME", "Alice");
        env.put("GIT_COMMITTER_EMAIL", "alice@example.org");
        env.put("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z");
        env.put("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z");
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("HOME", dir.toString());
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("git " + args[0] + " ended", p.waitFor(120, TimeUnit.SECONDS));
        assertEquals("git " + String.join(" ", args) + ": " + out, 0, p.exitValue());
        return out.strip();
    }

    /** A project with master and change 1 patchset 1 on top of it; the patchset's commit. */
    private String gerritRepositories(Path root) throws Exception {
        Path p = root.resolve(PROJECT);
        Files.createDirectories(p);
        git(p, "init", "-q", "-b", "master");
        Files.writeString(p.resolve("README"), "r\n");
        git(p, "add", "-A");
        git(p, "commit", "-q", "-m", "Initial");
        git(p, "checkout", "-q", "--detach");
        Files.writeString(p.resolve("feature.py"), "x = 1\n");
        git(p, "add", "-A");
        git(p, "commit", "-q", "-m", "Add a feature");
        String sha = git(p, "rev-parse", "HEAD");
        git(p, "update-ref", "refs/changes/01/1/1", sha);
        git(p, "checkout", "-q", "master");
        return sha;
    }

    private static String uploadedLine(String revision) {
        return ("{'type':'patchset-created','change':{'project':'" + PROJECT + "','branch':'master',"
                + "'id':'I0000000000000000000000000000000000000001','number':1,'subject':'change 1',"
                + "'owner':{'name':'Alice','username':'alice'},'url':'http://review.example.org/1'},"
                + "'patchSet':{'number':1,'revision':'" + revision + "','ref':'refs/changes/01/1/1',"
                + "'uploader':{'name':'Alice','username':'alice'}},'uploader':{'name':'Alice','username':'alice'},"
                + "'project':'" + PROJECT + "','refName':'refs/heads/master',"
                + "'eventCreatedOn':" + T0.getEpochSecond() + "}").replace('\'', '"');
    }

    private static GerritServerConfig handedIn() {
        return new GerritServerConfig("review", null, GerritServerConfig.DEFAULT_SSH_PORT, null, null, null,
                null, null, "https://review.example.org", "review-trigger");
    }

    private static PipelineSettings settings(GerritServerConfig server, MergerConfig merger) throws Exception {
        Layout layout = LayoutParser.parse(LAYOUT, "layout.yaml");
        return new PipelineSettings(List.of(server), false, layout.pipelines(), layout.jobs(), layout.projects(), merger);
    }

    private static MergerConfig merger(String zuulUrl) {
        return new MergerConfig(true, null, "http", zuulUrl, null, null, 48, 50, 60, null);
    }

    private PipelineServer.Ports ports() {
        return new PipelineServer.Ports(launcher, () -> null, null, () -> null,
                (buildId, job) -> new BuildStatus.Unknown(), tmp.getRoot().toPath().resolve("review.json"));
    }

    @Test
    public void aBuildGetsTheMergesRefCommitAndTheServedUrl() throws Exception {
        Path gerrit = tmp.newFolder("gerrit").toPath();
        String patchset = gerritRepositories(gerrit);
        Path cache = tmp.newFolder("merger").toPath();
        PipelineServer.MergerHome home = new PipelineServer.MergerHome(cache, "https://jenkins.example.org/tollgate/git/",
                gerrit);
        PipelineServer server = new PipelineServer(handedIn(), settings(handedIn(), merger(null)), ports(), clock, home);
        closeables.add(server);
        server.start();
        assertNotNull(server.merger());

        server.accept(new EventParser().parse(uploadedLine(patchset)));
        LaunchRequest r = launched.poll(60, TimeUnit.SECONDS); // the merge runs on the merger's thread
        assertNotNull("the build was launched once merged", r);
        Map<String, String> p = r.parameters();
        assertTrue(p.get("ZUUL_REF"), p.get("ZUUL_REF").startsWith("refs/zuul/master/Z"));
        assertEquals("https://jenkins.example.org/tollgate/git/review", p.get("ZUUL_URL"));
        // the merge is in the served repository of this server, with the patchset as its second parent
        Path served = cache.resolve("review").resolve(PROJECT);
        assertEquals(p.get("ZUUL_COMMIT"), git(served, "rev-parse", p.get("ZUUL_REF")));
        assertEquals(patchset, git(served, "rev-parse", p.get("ZUUL_REF") + "^2"));
        assertTrue(launched.isEmpty());
    }

    @Test
    public void theConfiguredZuulUrlWinsAndAMergerChangeIsANewConnection() throws Exception {
        Path gerrit = tmp.newFolder("gerrit").toPath();
        String patchset = gerritRepositories(gerrit);
        PipelineServer.MergerHome home = new PipelineServer.MergerHome(tmp.newFolder("merger").toPath(),
                "https://jenkins.example.org/tollgate/git", gerrit);
        PipelineSettings withDaemonUrl = settings(handedIn(), merger("git://10.0.0.5:9418"));
        PipelineServer server = new PipelineServer(handedIn(), withDaemonUrl, ports(), clock, home);
        closeables.add(server);
        server.start();
        server.accept(new EventParser().parse(uploadedLine(patchset)));
        LaunchRequest r = launched.poll(60, TimeUnit.SECONDS);
        assertNotNull(r);
        assertEquals("git://10.0.0.5:9418/review", r.parameters().get("ZUUL_URL"));

        assertTrue(server.sameConnection(handedIn(), withDaemonUrl, home));
        assertFalse("merger off", server.sameConnection(handedIn(), settings(handedIn(), null), home));
        assertFalse("another prune age", server.sameConnection(handedIn(), settings(handedIn(),
                new MergerConfig(true, null, "http", "git://10.0.0.5:9418", null, null, 24, 50, 60, null)), home));
    }

    @Test
    public void withTheMergerOffBuildsTestThePatchset() throws Exception {
        PipelineServer.MergerHome home = new PipelineServer.MergerHome(tmp.newFolder("merger").toPath(), null, null);
        PipelineServer server = new PipelineServer(handedIn(), settings(handedIn(),
                new MergerConfig(false, null, "http", null, null, null, 48, 50, 60, null)), ports(), clock, home);
        closeables.add(server);
        server.start();
        assertNull(server.merger());
        server.accept(new EventParser().parse(uploadedLine("0000000000000000000000000000000000000001")));
        LaunchRequest r = launched.poll();
        assertNotNull("launched at once", r);
        assertEquals("refs/changes/01/1/1", r.parameters().get("ZUUL_REF"));
    }

    @Test
    public void fetchSettingsComeFromTheServer() throws Exception {
        Path cache = tmp.newFolder("merger").toPath();
        PipelineServer.MergerHome home = new PipelineServer.MergerHome(cache, null, null);
        GerritServerConfig own = new GerritServerConfig("review", "review.example.org", 29418, "ci-bot", KEY,
                "gerrit-ssh", "https://review.example.org/", "gerrit-http", null, null);
        PipelineServer.Ports ports = new PipelineServer.Ports(launcher,
                () -> new SshKeyCredentials("ci-bot", "PRIVATE KEY TEXT", null), "https://review.example.org/",
                () -> new HttpCredentials("ci-bot", "s3cret"), (buildId, job) -> new BuildStatus.Unknown(),
                tmp.getRoot().toPath().resolve("s.json"));
        MergerSettings ssh = PipelineServer.mergerSettings(own, new MergerConfig(true, "/var/lib/merger", "ssh", null,
                "CI", "ci@example.org", 24, 10, 60, null), home, ports);
        assertEquals("ssh://ci-bot@review.example.org:29418", ssh.gerritGitUrl());
        assertEquals(KEY, ssh.sshHostKeys());
        assertEquals("PRIVATE KEY TEXT", ssh.sshPrivateKey());
        assertEquals(Path.of("/var/lib/merger/review"), ssh.cacheDir());
        assertEquals(Duration.ofHours(24), ssh.zuulRefMaxAge());
        assertEquals(10L << 30, ssh.maxCacheBytes());
        assertEquals("CI", ssh.committerName());

        MergerSettings http = PipelineServer.mergerSettings(own, merger(null), home, ports);
        assertEquals("https://review.example.org/a", http.gerritGitUrl());
        assertEquals("ci-bot", http.httpUser());
        assertEquals("s3cret", http.httpPassword());
        assertEquals(cache.resolve("review"), http.cacheDir());
        assertFalse("no secret in its text", http.toString().contains("s3cret"));

        PipelineServer.Ports noKey = new PipelineServer.Ports(launcher, () -> null, null, () -> null,
                (buildId, job) -> new BuildStatus.Unknown(), tmp.getRoot().toPath().resolve("t.json"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new PipelineServer(own,
                settings(own, new MergerConfig(true, null, "ssh", null, null, null, 48, 50, 60, null)), noKey, clock,
                home));
        assertTrue(e.getMessage(), e.getMessage().contains("credentialsId"));
    }
}
