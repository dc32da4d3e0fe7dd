package dev.tollgate.gearman;

import static dev.tollgate.gearman.TestSupport.address;
import static dev.tollgate.gearman.TestSupport.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gearman.protocol.PacketType;
import dev.tollgate.testing.GearmandServer;
import dev.tollgate.testing.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/** The worker against Debian's real gearmand, driven by a Zuul-v2-like client. */
public class GearmanWorkerPeerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static GearmandServer gearmand;
    private static int seq;

    private final ManualClock clock = new ManualClock();
    private final FakeLauncher launcher = new FakeLauncher();
    private final List<String> recycled = new CopyOnWriteArrayList<>();
    private GearmanWorker worker;
    private ZuulLikeClient zuul;
    private String manager;
    private String job;

    @BeforeClass
    public static void startGearmand() {
        gearmand = GearmandServer.start();
    }

    @AfterClass
    public static void stopGearmand() {
        if (gearmand != null) {
            gearmand.stop();
        }
    }

    @After
    public void tearDown() throws Exception {
        if (zuul != null) {
            zuul.close();
        }
        if (worker != null) {
            worker.close();
        }
    }

    /** A worker with the given nodes, one job (unique name per test so tests never share functions). */
    private void startWorker(NodeSpec... nodes) throws Exception {
        seq++;
        manager = "jenkins" + seq;
        job = "gate-tempest-" + seq;
        worker = TestSupport.worker(manager, List.of(address(gearmand)), launcher,
                (node, build) -> recycled.add(node + " " + build), clock, new TestSupport.RecordingSleeper());
        worker.setJobs(List.of(JobDefinition.anyNode(job)));
        for (NodeSpec n : nodes) {
            worker.putNode(n);
        }
        worker.start();
        // every function of every executor, not just the first to arrive: the tests count them in
        // gearmand's status
        Map<String, Integer> expected = new java.util.HashMap<>();
        for (NodeSpec n : nodes) {
            for (String fn : GearmanWorker.functionsFor(n, List.of(JobDefinition.anyNode(job)))) {
                expected.merge(fn, n.executors(), Integer::sum);
            }
        }
        await("every executor registered build:" + job, () -> {
            Map<String, int[]> st = gearmand.status();
            return expected.entrySet().stream()
                    .allMatch(e -> st.containsKey(e.getKey()) && st.get(e.getKey())[2] >= e.getValue());
        });
        zuul = new ZuulLikeClient(gearmand.host(), gearmand.port());
    }

    private int available(String function) {
        int[] s = gearmand.status().get(function);
        return s == null ? 0 : s[2];
    }

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    @Test
    public void fullBuildCycleReportsStartProgressAndResult() throws Exception {
        startWorker(new NodeSpec("trusty-1", Set.of("trusty", "devstack"), 1));
        String args = "{\"ZUUL_UUID\":\"u-1\",\"ZUUL_PROJECT\":\"openstack/nova\",\"LOG_PATH\":\"12/3/check/x\","
                + "\"ZUUL_CHANGE_IDS\":\"12,3\"}";
        ZuulLikeClient.Job j = zuul.submit("build:" + job, "u-1", args);

        FakeLauncher.Build b = launcher.next();
        assertEquals(job, b.request.jobName());
        assertEquals(Map.of("ZUUL_UUID", "u-1", "ZUUL_PROJECT", "openstack/nova", "LOG_PATH", "12/3/check/x",
                "ZUUL_CHANGE_IDS", "12,3"), b.request.parameters());
        assertEquals("u-1", b.request.uniqueId());
        assertEquals("trusty-1", b.request.nodeName());
        assertFalse(b.request.offlineNodeWhenComplete());

        JsonNode start = json(j.nextData());
        assertEquals(job, start.get("name").asText());
        assertEquals(b.number, start.get("number").asInt());
        assertEquals(manager, start.get("manager").asText());
        assertEquals(manager + ":trusty-1:exec-0", start.get("worker").asText());
        assertEquals("https://jenkins.example/job/" + job + "/" + b.number + "/", start.get("url").asText());
        assertEquals("trusty-1", start.get("node_name").asText());
        assertEquals("[\"devstack\",\"trusty\"]", start.get("node_labels").toString());
        assertFalse(start.has("result"));
        await("WORK_STATUS", () -> j.statuses.size() == 1);
        assertEquals(90_000, j.statuses.get(0)[1]);

        WorkerStatus st = worker.status();
        assertEquals(job, st.executors().get(0).currentJob());
        assertEquals(Integer.valueOf(b.number), st.executors().get(0).currentBuildNumber());

        b.finish("SUCCESS");
        ZuulLikeClient.Outcome o = j.await();
        assertEquals(ZuulLikeClient.Kind.COMPLETE, o.kind());
        assertEquals("SUCCESS", json(o.data()).get("result").asText());
        assertEquals(2, j.data.size());
        assertEquals("SUCCESS", json(j.data.get(1)).get("result").asText());
        assertEquals(0, launcher.doubleBookings.get());
        await("executor idle in status", () -> worker.status().executors().get(0).currentJob() == null);
    }

    @Test
    public void labelAndNodeFunctionsRouteToTheRightNode() throws Exception {
        startWorker(new NodeSpec("trusty-1", Set.of("trusty"), 1), new NodeSpec("xenial-1", Set.of("xenial"), 1));
        Map<String, int[]> st = gearmand.status();
        for (String fn : List.of("build:" + job, "build:" + job + ":trusty", "build:" + job + ":xenial",
                "build:" + job + ":trusty-1", "build:" + job + ":xenial-1")) {
            assertTrue(fn + " registered: " + st.keySet(), st.containsKey(fn));
        }
        assertEquals(2, st.get("build:" + job)[2]);
        assertEquals(1, st.get("build:" + job + ":xenial")[2]);

        ZuulLikeClient.Job x = zuul.submit("build:" + job + ":xenial", "u-x", "{}");
        FakeLauncher.Build bx = launcher.next();
        assertEquals("xenial-1", bx.request.nodeName());
        ZuulLikeClient.Job t = zuul.submit("build:" + job + ":trusty-1", "u-t", "{\"ZUUL_NODE\":\"trusty-1\"}");
        FakeLauncher.Build bt = launcher.next();
        assertEquals("trusty-1", bt.request.nodeName());
        bx.finish("FAILURE");
        bt.finish("SUCCESS");
        assertEquals("FAILURE", json(x.await().data()).get("result").asText());
        assertEquals("SUCCESS", json(t.await().data()).get("result").asText());
    }

    @Test
    public void jobsThatCannotStartFailWithAMessageAndDoNotBlockTheExecutor() throws Exception {
        startWorker(new NodeSpec("n1", Set.of(), 1));
        zuul.enableExceptions();
        launcher.unknownJobs.add(job);
        ZuulLikeClient.Job gone = zuul.submit("build:" + job, "u-gone", "{}");
        assertEquals(ZuulLikeClient.Kind.FAIL, gone.await().kind());
        assertTrue(gone.data.get(0), json(gone.data.get(0)).get("error").asText().contains("no job named"));
        launcher.unknownJobs.clear();

        ZuulLikeClient.Job bad = zuul.submit("build:" + job, "u-bad", "{not json");
        ZuulLikeClient.Outcome o = bad.await();
        assertEquals(ZuulLikeClient.Kind.EXCEPTION, o.kind());
        assertTrue(o.data(), o.data().startsWith("invalid job arguments: not JSON"));

        ZuulLikeClient.Job array = zuul.submit("build:" + job, "u-arr", "[1,2]");
        assertEquals(ZuulLikeClient.Kind.EXCEPTION, array.await().kind());
        ZuulLikeClient.Job nested = zuul.submit("build:" + job, "u-nested", "{\"A\":{\"b\":1}}");
        assertTrue(nested.await().data().contains("parameter A is not a string"));

        // the gearman-plugin used to deadlock here after a WORK_FAIL: the executor must still work
        ZuulLikeClient.Job ok = zuul.submit("build:" + job, "u-ok", "{\"N\":3,\"B\":true}");
        FakeLauncher.Build b = launcher.next();
        assertEquals(Map.of("N", "3", "B", "true"), b.request.parameters());
        b.finish("SUCCESS");
        assertEquals(ZuulLikeClient.Kind.COMPLETE, ok.await().kind());
        assertEquals(1, launcher.all.size());
    }

    @Test
    public void withoutTheExceptionsOptionBadArgumentsStillEndTheJob() throws Exception {
        startWorker(new NodeSpec("n1", Set.of(), 1));
        ZuulLikeClient.Job bad = zuul.submit("build:" + job, "u-bad2", "not json at all");
        ZuulLikeClient.Outcome o = bad.await();
        assertTrue("ends as " + o.kind(), o.kind() == ZuulLikeClient.Kind.FAIL || o.kind() == ZuulLikeClient.Kind.EXCEPTION);
    }

    @Test
    public void stopAbortsARunningBuildTheWayZuulAsks() throws Exception {
        startWorker(new NodeSpec("n1", Set.of(), 1));
        await("stop function registered", () -> available("stop:" + manager) == 1);
        ZuulLikeClient.Job j = zuul.submit("build:" + job, "u-stop", "{\"ZUUL_UUID\":\"u-stop\"}");
        FakeLauncher.Build b = launcher.next();
        JsonNode start = json(j.nextData());
        assertEquals(manager, start.get("manager").asText());

        // Zuul v2 cancelRunningBuild: stop:<manager from WORK_DATA> with {name, number}, fresh unique
        ZuulLikeClient.Job stop = zuul.submit(PacketType.SUBMIT_JOB_HIGH, "stop:" + start.get("manager").asText(), "stop-uuid-1",
                "{\"name\":\"" + job + "\",\"number\":" + start.get("number").asInt() + "}");
        ZuulLikeClient.Outcome so = stop.await();
        assertEquals(ZuulLikeClient.Kind.COMPLETE, so.kind());
        assertTrue(so.data(), json(so.data()).get("ok").asBoolean());
        assertEquals(List.of(new BuildRef(job, b.number)), launcher.aborts);
        assertEquals("ABORTED", json(j.await().data()).get("result").asText());

        // a stop for a build that does not run is still answered
        ZuulLikeClient.Job stop2 = zuul.submit("stop:" + manager, "stop-uuid-2", "{\"name\":\"" + job + "\",\"number\":999}");
        ZuulLikeClient.Outcome so2 = stop2.await();
        assertEquals(ZuulLikeClient.Kind.COMPLETE, so2.kind());
        assertFalse(json(so2.data()).get("ok").asBoolean());
    }

    @Test
    public void stopByUniqueIdAbortsABuildEvenBeforeItHasANumber() throws Exception {
        startWorker(new NodeSpec("n1", Set.of(), 1));
        ZuulLikeClient.Job j = zuul.submit("build:" + job, "u-early", "{}");
        FakeLauncher.Build queued = launcher.started.poll(10, java.util.concurrent.TimeUnit.SECONDS);
        assertNotNull(queued);
        ZuulLikeClient.Job stop = zuul.submit("stop:" + manager, "s-early", "{\"uuid\":\"u-early\"}");
        assertTrue(json(stop.await().data()).get("ok").asBoolean());
        assertTrue(launcher.aborts.isEmpty());
        queued.start(); // the build system now runs it: the worker aborts it at once
        // from this thread, or from the reader's when start() came before the worker saw the
        // launcher return (FakeLauncher queues the build inside start())
        await("the abort", () -> !launcher.aborts.isEmpty());
        assertEquals(List.of(new BuildRef(job, queued.number)), launcher.aborts);
        assertEquals("ABORTED", json(j.await().data()).get("result").asText());
    }

    @Test
    public void setDescriptionReachesTheBuild() throws Exception {
        startWorker(new NodeSpec("n1", Set.of(), 1));
        await("set_description registered", () -> available("set_description:" + manager) == 1);
        ZuulLikeClient.Job j = zuul.submit("build:" + job, "u-d", "{}");
        FakeLauncher.Build b = launcher.next();
        b.finish("SUCCESS");
        j.await();
        ZuulLikeClient.Job d = zuul.submit(PacketType.SUBMIT_JOB_LOW, "set_description:" + manager, "d-1",
                "{\"name\":\"" + job + "\",\"number\":\"" + b.number + "\",\"html_description\":\"<b>nova 12,3</b>\"}");
        ZuulLikeClient.Outcome o = d.await();
        assertEquals(ZuulLikeClient.Kind.COMPLETE, o.kind());
        assertEquals("<b>nova 12,3</b>", launcher.descriptions.get(new BuildRef(job, b.number)));

        zuul.enableExceptions();
        ZuulLikeClient.Job badDesc = zuul.submit("set_description:" + manager, "d-2", "{\"name\":\"x\"}");
        assertEquals(ZuulLikeClient.Kind.EXCEPTION, badDesc.await().kind());
    }

    @Test
    public void registrationChangesShowInGearmandStatus() throws Exception {
        startWorker(new NodeSpec("n1", Set.of("small"), 2));
        assertEquals(2, available("build:" + job + ":small"));
        String extra = job + "-extra";
        worker.setJobs(List.of(JobDefinition.anyNode(job), new JobDefinition(extra, "small"),
                new JobDefinition(job + "-elsewhere", "big")));
        await("extra job registered", () -> available("build:" + extra + ":small") == 2);
        assertEquals(0, available("build:" + job + "-elsewhere"));

        worker.putNode(new NodeSpec("n1", Set.of("small", "big"), 1));
        await("relabel + shrink", () -> available("build:" + job + "-elsewhere:big") == 1
                && available("build:" + job + ":small") == 1);

        worker.setJobs(List.of(JobDefinition.anyNode(job)));
        await("extra job gone", () -> available("build:" + extra) == 0 && available("build:" + extra + ":small") == 0);
        assertEquals(1, available("build:" + job));
        WorkerStatus.Connection c = worker.status().connection(address(gearmand), manager + ":n1:exec-0");
        assertEquals(Set.of("build:" + job, "build:" + job + ":big", "build:" + job + ":n1", "build:" + job + ":small"),
                c.registeredFunctions());

        worker.removeNode("n1");
        await("node gone", () -> available("build:" + job) == 0);
    }

    @Test
    public void twoExecutorsTakeOneJobEachAndNeverTwo() throws Exception {
        startWorker(new NodeSpec("n1", Set.of(), 2));
        ZuulLikeClient.Job a = zuul.submit("build:" + job, "u-a", "{}");
        ZuulLikeClient.Job b = zuul.submit("build:" + job, "u-b", "{}");
        ZuulLikeClient.Job c = zuul.submit("build:" + job, "u-c", "{}");
        FakeLauncher.Build ba = launcher.next();
        FakeLauncher.Build bb = launcher.next();
        assertFalse(ba.request.executorId().equals(bb.request.executorId()));
        await("third job waits in gearmand", () -> {
            int[] s = gearmand.status().get("build:" + job);
            return s != null && s[0] == 3 && s[1] == 2;
        });
        assertTrue(launcher.started.isEmpty());
        ba.finish("SUCCESS");
        FakeLauncher.Build bc = launcher.next();
        assertEquals(ba.request.executorId(), bc.request.executorId());
        bb.finish("SUCCESS");
        bc.finish("SUCCESS");
        for (ZuulLikeClient.Job j : List.of(a, b, c)) {
            assertEquals(ZuulLikeClient.Kind.COMPLETE, j.await().kind());
        }
        assertEquals(0, launcher.doubleBookings.get());
    }

    @Test
    public void aNodeTakenOfflineTakesNoJobsUntilItIsOnlineAgain() throws Exception {
        startWorker(new NodeSpec("rebooting", Set.of("pool"), 1), new NodeSpec("other", Set.of("pool"), 1));
        worker.setNodeOffline("rebooting"); // node recycling took it offline to reboot it
        await("node closed", () -> worker.status().executors().stream()
                .anyMatch(e -> e.nodeName().equals("rebooting") && !e.acceptingJobs()));
        ZuulLikeClient.Job pinned = zuul.submit("build:" + job + ":rebooting", "u-pinned", "{}");
        ZuulLikeClient.Job any = zuul.submit("build:" + job + ":pool", "u-any", "{}");
        FakeLauncher.Build b = launcher.next();
        assertEquals("the pool job goes to the node that is up", "other", b.request.nodeName());
        b.finish("SUCCESS");
        assertEquals(ZuulLikeClient.Kind.COMPLETE, any.await().kind());
        assertEquals("still queued in gearmand", 1, gearmand.status().get("build:" + job + ":rebooting")[0]);
        worker.setNodeOnline("rebooting");
        FakeLauncher.Build back = launcher.next();
        assertEquals("rebooting", back.request.nodeName());
        back.finish("SUCCESS");
        assertEquals(ZuulLikeClient.Kind.COMPLETE, pinned.await().kind());
    }

    @Test
    public void aNodeThatJoinsOfflineTakesNoJobUntilItIsPutOnline() throws Exception {
        startWorker(new NodeSpec("other", Set.of("pool"), 1));
        NodeSpec late = new NodeSpec("late", Set.of("pool"), 1);
        worker.putNode(late, false); // an agent that joined while node recycling held it offline
        await("late registered", () -> available("build:" + job + ":late") == 1);
        assertFalse(worker.status().executors().stream().filter(e -> e.nodeName().equals("late"))
                .findFirst().orElseThrow().acceptingJobs());
        ZuulLikeClient.Job pinned = zuul.submit("build:" + job + ":late", "u-late", "{}");
        ZuulLikeClient.Job any = zuul.submit("build:" + job + ":pool", "u-pool", "{}");
        FakeLauncher.Build b = launcher.next();
        assertEquals("the pool job goes to the node that is up", "other", b.request.nodeName());
        b.finish("SUCCESS");
        assertEquals(ZuulLikeClient.Kind.COMPLETE, any.await().kind());
        assertEquals("still queued in gearmand", 1, gearmand.status().get("build:" + job + ":late")[0]);
        worker.putNode(late, true);
        FakeLauncher.Build back = launcher.next();
        assertEquals("late", back.request.nodeName());
        back.finish("SUCCESS");
        assertEquals(ZuulLikeClient.Kind.COMPLETE, pinned.await().kind());
        assertEquals(0, launcher.doubleBookings.get());
    }

    @Test
    public void offlineNodeWhenCompleteHandsTheNodeToRecyclingAndTakesNothingElse() throws Exception {
        startWorker(new NodeSpec("single-use", Set.of("pool"), 2), new NodeSpec("other", Set.of("pool"), 1));
        ZuulLikeClient.Job a = zuul.submit("build:" + job + ":single-use", "u-off",
                "{\"OFFLINE_NODE_WHEN_COMPLETE\":\"1\"}");
        FakeLauncher.Build ba = launcher.next();
        assertTrue(ba.request.offlineNodeWhenComplete());
        await("node closed", () -> worker.status().executors().stream()
                .anyMatch(e -> e.nodeName().equals("single-use") && !e.acceptingJobs()));
        ZuulLikeClient.Job b = zuul.submit("build:" + job + ":pool", "u-next", "{}");
        FakeLauncher.Build bb = launcher.next();
        assertEquals("other", bb.request.nodeName());
        ba.finish("SUCCESS");
        assertEquals(ZuulLikeClient.Kind.COMPLETE, a.await().kind());
        assertEquals(List.of("single-use " + job + "#" + ba.number), recycled);

        ZuulLikeClient.Job c = zuul.submit("build:" + job + ":single-use", "u-after", "{}");
        bb.finish("SUCCESS");
        b.await();
        assertEquals(1, gearmand.status().get("build:" + job + ":single-use")[0]);
        worker.setNodeOnline("single-use");
        FakeLauncher.Build bc = launcher.next();
        assertEquals("single-use", bc.request.nodeName());
        bc.finish("SUCCESS");
        assertEquals(ZuulLikeClient.Kind.COMPLETE, c.await().kind());
    }

    @Test
    public void connectionTesterEchoes() throws Exception {
        Duration rtt = GearmanConnectionTester.echo(address(gearmand), Duration.ofSeconds(5));
        assertTrue("a round trip took place: " + rtt, rtt.toNanos() > 0);
        int closed = dev.tollgate.testing.Peers.freePort();
        try {
            GearmanConnectionTester.echo(new GearmanServerAddress("127.0.0.1", closed), Duration.ofSeconds(2));
            throw new AssertionError("echo to a closed port must fail");
        } catch (java.io.IOException expected) {
            // connection refused
        }
    }
}
