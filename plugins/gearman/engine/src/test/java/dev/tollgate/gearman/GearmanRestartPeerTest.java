package dev.tollgate.gearman;

import static dev.tollgate.gearman.TestSupport.address;
import static dev.tollgate.gearman.TestSupport.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.testing.GearmandServer;
import dev.tollgate.testing.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * gearmand goes away under the worker. Without persistence a restarted gearmand has forgotten
 * every job and every worker: the client resubmits (as Zuul does after a disconnect), the worker
 * reconnects with backoff, registers again, and never builds one unique id twice.
 */
public class GearmanRestartPeerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ManualClock clock = new ManualClock();
    private final FakeLauncher launcher = new FakeLauncher();
    private final TestSupport.RecordingSleeper sleeper = new TestSupport.RecordingSleeper();
    private GearmandServer gearmand;
    private GearmanWorker worker;
    private ZuulLikeClient zuul;

    @Before
    public void setUp() {
        gearmand = GearmandServer.start();
    }

    @After
    public void tearDown() throws Exception {
        if (zuul != null) {
            zuul.close();
        }
        if (worker != null) {
            worker.close();
        }
        gearmand.stop();
    }

    private void startWorker(int executors) throws Exception {
        worker = TestSupport.worker("jenkins", List.of(address(gearmand)), launcher, NodeRecycler.NONE, clock, sleeper);
        worker.setJobs(List.of(JobDefinition.anyNode("gate")));
        worker.putNode(new NodeSpec("n1", Set.of("trusty"), executors));
        worker.start();
        awaitRegistered(executors);
        zuul = new ZuulLikeClient(gearmand.host(), gearmand.port());
    }

    private void awaitRegistered(int executors) throws InterruptedException {
        await("build:gate registered by " + executors, () -> {
            int[] s = gearmand.status().get("build:gate");
            return s != null && s[2] == executors;
        });
    }

    /** Restarts gearmand; the client reconnects like Zuul and the worker comes back by itself. */
    private void restartGearmand(int executors, ZuulLikeClient.Job... lost) throws Exception {
        gearmand.stop();
        for (ZuulLikeClient.Job j : lost) {
            assertEquals(ZuulLikeClient.Kind.DISCONNECTED, j.await().kind());
        }
        zuul.close();
        gearmand.startAgain();
        awaitRegistered(executors);
        zuul = new ZuulLikeClient(gearmand.host(), gearmand.port());
    }

    @Test
    public void queuedJobsLostWithGearmandAreResubmittedAndTakenAfterReconnect() throws Exception {
        startWorker(1);
        ZuulLikeClient.Job a = zuul.submit("build:gate", "u-a", "{\"ZUUL_UUID\":\"u-a\"}");
        FakeLauncher.Build ba = launcher.next();
        ZuulLikeClient.Job b = zuul.submit("build:gate", "u-b", "{\"ZUUL_UUID\":\"u-b\"}");
        ZuulLikeClient.Job c = zuul.submit("build:gate:trusty", "u-c", "{\"ZUUL_UUID\":\"u-c\"}");

        int before = sleeper.of("exec-0").size();
        restartGearmand(1, a, b, c);
        assertTrue("reconnect went through the injected backoff", sleeper.of("exec-0").size() > before);
        WorkerStatus.Connection conn = worker.status().connection(address(gearmand), "jenkins:n1:exec-0");
        assertTrue(conn.lastError(), conn.lastError() != null);
        assertEquals(3, conn.registeredFunctions().size());

        // Zuul resubmits the lost queued builds; the worker's executor is still busy with u-a
        ZuulLikeClient.Job b2 = zuul.submit("build:gate", "u-b", "{\"ZUUL_UUID\":\"u-b\"}");
        ZuulLikeClient.Job c2 = zuul.submit("build:gate:trusty", "u-c", "{\"ZUUL_UUID\":\"u-c\"}");
        ba.finish("SUCCESS"); // its handle died with the old gearmand: kept, not sent to a stranger
        await("u-a result kept undelivered", () -> worker.status().undeliveredResults() == 1);

        // gearmand hands out jobs of different functions in no fixed order
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < 2; i++) {
            FakeLauncher.Build next = launcher.next();
            seen.add(next.request.uniqueId());
            next.finish(next.request.uniqueId().equals("u-b") ? "SUCCESS" : "FAILURE");
        }
        assertEquals(Set.of("u-b", "u-c"), seen);
        assertEquals("SUCCESS", JSON.readTree(b2.await().data()).get("result").asText());
        assertEquals("FAILURE", JSON.readTree(c2.await().data()).get("result").asText());
        assertEquals(3, launcher.all.size());
        assertEquals(0, launcher.doubleBookings.get());

        clock.advance(Duration.ofHours(1));
        worker.tick();
        assertEquals(0, worker.status().undeliveredResults());
    }

    @Test
    public void aBuildRunningThroughARestartReportsWhenTheJobComesBack() throws Exception {
        startWorker(1);
        String args = "{\"ZUUL_UUID\":\"u-run\",\"LOG_PATH\":\"1/2/x\"}";
        ZuulLikeClient.Job j = zuul.submit("build:gate", "u-run", args);
        FakeLauncher.Build b = launcher.next();
        j.nextData();

        restartGearmand(1, j);
        ZuulLikeClient.Job again = zuul.submit("build:gate", "u-run", args);
        assertTrue(again.data.isEmpty());
        b.finish("SUCCESS");
        // the free executor grabs the resubmitted job and answers it from the finished build
        ZuulLikeClient.Outcome o = again.await();
        assertEquals(ZuulLikeClient.Kind.COMPLETE, o.kind());
        JsonNode result = JSON.readTree(o.data());
        assertEquals("SUCCESS", result.get("result").asText());
        assertEquals(b.number, result.get("number").asInt());
        assertEquals(1, launcher.all.size());
        assertEquals(0, worker.status().undeliveredResults());
    }

    @Test
    public void aResubmittedJobIsAttachedToTheBuildStillRunningOnAnotherExecutor() throws Exception {
        startWorker(2);
        String args = "{\"ZUUL_UUID\":\"u-long\"}";
        ZuulLikeClient.Job j = zuul.submit("build:gate", "u-long", args);
        FakeLauncher.Build b = launcher.next();
        JsonNode first = JSON.readTree(j.nextData());

        restartGearmand(2, j);
        ZuulLikeClient.Job again = zuul.submit("build:gate", "u-long", args);
        JsonNode start = JSON.readTree(again.nextData());
        assertEquals(first.get("number"), start.get("number"));
        assertEquals(first.get("worker"), start.get("worker"));
        assertFalse(again.outcome.isDone());
        b.finish("UNSTABLE");
        assertEquals("UNSTABLE", JSON.readTree(again.await().data()).get("result").asText());
        assertEquals(1, launcher.all.size());

        // the worker still works normally afterwards
        ZuulLikeClient.Job next = zuul.submit("build:gate", "u-next", "{}");
        launcher.next().finish("SUCCESS");
        assertEquals(ZuulLikeClient.Kind.COMPLETE, next.await().kind());
    }
}
