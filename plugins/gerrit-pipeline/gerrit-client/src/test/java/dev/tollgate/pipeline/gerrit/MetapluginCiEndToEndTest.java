package dev.tollgate.pipeline.gerrit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.common.BuildResult;
import dev.tollgate.pipeline.layout.GerritServerConfig;
import dev.tollgate.pipeline.layout.Layout;
import dev.tollgate.pipeline.layout.LayoutParser;
import dev.tollgate.pipeline.layout.PipelineSettings;
import dev.tollgate.pipeline.port.BuildStatus;
import dev.tollgate.pipeline.port.JobLauncher;
import dev.tollgate.pipeline.port.LaunchRequest;
import dev.tollgate.pipeline.scheduler.Scheduler;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.After;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The seed's metaplugin-ci layout, end to end against the real Gerrit, through the assembled
 * {@link PipelineServer} as the Jenkins plugin runs it: its own {@link GerritStream} over SSH, the
 * engine's scheduler, reviews posted by {@link RestReviewPoster}, jobs run by a fake launcher the
 * test completes. Plain {@code recheck} is ignored, {@code metaplugin-recheck} runs the check
 * again, and the Verified vote and the message are read back through REST.
 */
public class MetapluginCiEndToEndTest {
    private static final String JOB = "check-tempest-dsvm-metaplugin";
    private static GerritPeerProcess gerrit;
    private static GerritAdmin admin;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    @BeforeClass
    public static void startGerrit() throws Exception {
        gerrit = GerritPeerProcess.shared();
        admin = new GerritAdmin(gerrit);
    }

    @After
    public void close() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private static final class FakeLauncher implements JobLauncher {
        final LinkedBlockingQueue<LaunchRequest> launched = new LinkedBlockingQueue<>();
        final AtomicInteger count = new AtomicInteger();

        @Override
        public void launch(LaunchRequest request) {
            count.incrementAndGet();
            launched.add(request);
        }

        @Override
        public void cancel(String buildId) {}

        LaunchRequest next() throws InterruptedException {
            LaunchRequest r = launched.poll(60, TimeUnit.SECONDS);
            assertNotNull("a job was launched", r);
            return r;
        }
    }

    @Test
    public void recheckIsIgnoredMetapluginRecheckRunsAndTheVoteLandsInGerrit() throws Exception {
        Layout layout = LayoutParser.parse(Path.of("../../../examples/metaplugin-ci/layout.yaml"));
        FakeLauncher launcher = new FakeLauncher();
        GerritServerConfig server = new GerritServerConfig("gerrit", "127.0.0.1", gerrit.sshPort, gerrit.adminUser,
                gerrit.sshHostKey, "gerrit-ssh", gerrit.httpUrl, "gerrit-http", "http://zuul.example.org/p", null);
        PipelineSettings settings = new PipelineSettings(List.of(server), false, layout.pipelines(), layout.jobs(),
                layout.projects());
        PipelineServer.Ports ports = new PipelineServer.Ports(launcher, gerrit::sshCredentials, gerrit.httpUrl,
                gerrit::httpCredentials, (buildId, job) -> new BuildStatus.Unknown(),
                tmp.newFolder("jenkins").toPath().resolve("gerrit.json"));
        // the observer hears each stream line once the server has handled it, and the stream's connects
        RecordingSink seen = new RecordingSink();
        PipelineServer pipeline = new PipelineServer(server, settings, ports, Clock.systemUTC(), seen,
                PipelineServer.WATCHDOG_PERIOD);
        closeables.add(pipeline);
        Scheduler scheduler = pipeline.scheduler();
        int warmUp = admin.createChange("Metaplugin e2e warm-up " + UUID.randomUUID()); // before the stream: not seen
        pipeline.start();
        seen.await("stream connected", 30, s -> s.connects() == 1);
        RecordingSink.awaitSubscribed(admin, warmUp, seen);
        assertEquals("comments that are not metaplugin-recheck launch nothing", 0, launcher.count.get());

        // upload: patchset-created runs the check; the job fails -> Verified 0 and the failure message
        int change = admin.createChange("Metaplugin e2e " + UUID.randomUUID());
        LaunchRequest first = launcher.next();
        assertEquals(JOB, first.job());
        assertEquals("check", first.pipeline());
        assertEquals(Integer.toString(change), first.parameters().get("ZUUL_CHANGE"));
        assertEquals("openstack/neutron", first.parameters().get("GERRIT_PROJECT"));
        scheduler.onJobCompleted(first.buildId(), BuildResult.FAILURE, "http://logs.example.org/first");
        JsonNode failed = lastTollgateMessage(change);
        assertTrue(failed.toString(), failed.path("message").asText().contains("Leave a comment with 'metaplugin-recheck'"));
        assertTrue(failed.toString(), failed.path("message").asText().contains("http://logs.example.org/first"));
        assertEquals(0, admin.vote(change, "Verified"));

        // plain recheck: nothing; metaplugin-recheck: the check runs again
        admin.comment(change, "recheck");
        admin.comment(change, "metaplugin-recheck");
        LaunchRequest second = launcher.next();
        assertTrue("the plain recheck reached the engine before the metaplugin-recheck",
                seen.has(change, "comment-added", e -> e.path("comment").asText().endsWith("\n\nrecheck")));
        assertEquals("plain recheck launched nothing", 2, launcher.count.get());
        assertEquals(JOB, second.job());
        scheduler.onJobCompleted(second.buildId(), BuildResult.SUCCESS, "http://logs.example.org/second");

        JsonNode passed = lastTollgateMessage(change);
        assertTrue(passed.toString(), passed.path("message").asText().startsWith("Patch Set 1: Verified+1"));
        assertTrue(passed.toString(), passed.path("message").asText().contains(JOB));
        assertTrue(passed.toString(), passed.path("message").asText().contains("http://logs.example.org/second"));
        assertEquals(1, admin.vote(change, "Verified"));
        long reviews = 0;
        for (JsonNode m : admin.messages(change)) {
            reviews += m.path("tag").asText().startsWith(RestReviewPoster.TAG_PREFIX) ? 1 : 0;
        }
        assertEquals("one review per reported item", 2, reviews);
        assertEquals(0, scheduler.items().size());
    }

    /** The newest message the engine posted (the poster returns only once it has landed). */
    private static JsonNode lastTollgateMessage(int change) throws Exception {
        JsonNode last = null;
        for (JsonNode m : admin.messages(change)) {
            if (m.path("tag").asText().startsWith(RestReviewPoster.TAG_PREFIX)) {
                last = m;
            }
        }
        assertNotNull("the engine posted a review on change " + change, last);
        return last;
    }
}
