package dev.tollgate.gearman;

import static dev.tollgate.gearman.TestSupport.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.tollgate.common.Backoff;
import dev.tollgate.gearman.protocol.Packet;
import dev.tollgate.gearman.protocol.PacketType;
import dev.tollgate.testing.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.After;
import org.junit.Test;

/** Exact packets between the worker and a scripted job server: deltas, the availability lock, bad servers. */
public class GearmanWorkerProtocolTest {
    private final ManualClock clock = new ManualClock();
    private final FakeLauncher launcher = new FakeLauncher();
    private final TestSupport.RecordingSleeper sleeper = new TestSupport.RecordingSleeper();
    private final List<FakeJobServer> servers = new ArrayList<>();
    private GearmanWorker worker;

    @After
    public void tearDown() throws Exception {
        if (worker != null) {
            worker.close();
        }
        for (FakeJobServer s : servers) {
            s.close();
        }
    }

    private FakeJobServer server() throws Exception {
        FakeJobServer s = new FakeJobServer();
        servers.add(s);
        return s;
    }

    private GearmanWorker worker(List<JobDefinition> jobs, NodeSpec node) {
        List<GearmanServerAddress> addrs = servers.stream().map(FakeJobServer::address).toList();
        worker = TestSupport.worker("jm", addrs, launcher, NodeRecycler.NONE, clock, sleeper);
        worker.setJobs(jobs);
        worker.putNode(node);
        worker.start();
        return worker;
    }

    private static List<String> texts(FakeJobServer.Conn c, PacketType type, int n) throws InterruptedException {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Packet p = c.next();
            assertEquals(type, p.type());
            out.add(p.text(0));
        }
        return out;
    }

    @Test
    public void registrationIsSentOnceAndThenOnlyAsDeltas() throws Exception {
        FakeJobServer s = server();
        worker(List.of(JobDefinition.anyNode("a")), new NodeSpec("n1", Set.of("l1"), 1));
        FakeJobServer.Conn c = s.conn("jm:n1:exec-0");
        assertEquals(List.of("build:a", "build:a:l1", "build:a:n1"), texts(c, PacketType.CAN_DO, 3));
        assertEquals(PacketType.GRAB_JOB_UNIQ, c.next().type());
        c.send(Packet.response(PacketType.NO_JOB));
        assertEquals(PacketType.PRE_SLEEP, c.next().type());

        worker.setJobs(List.of(JobDefinition.anyNode("a"), JobDefinition.anyNode("b")));
        assertEquals(List.of("build:b", "build:b:l1", "build:b:n1"), texts(c, PacketType.CAN_DO, 3));
        assertEquals("a new function may have waiting jobs", PacketType.GRAB_JOB_UNIQ, c.next().type());
        c.send(Packet.response(PacketType.NO_JOB));
        assertEquals(PacketType.PRE_SLEEP, c.next().type());

        worker.setJobs(List.of(JobDefinition.anyNode("b")));
        assertEquals(List.of("build:a", "build:a:l1", "build:a:n1"), texts(c, PacketType.CANT_DO, 3));

        worker.putNode(new NodeSpec("n1", Set.of("l2"), 1));
        assertEquals(List.of("build:b:l1"), texts(c, PacketType.CANT_DO, 1));
        assertEquals(List.of("build:b:l2"), texts(c, PacketType.CAN_DO, 1));
        assertEquals(PacketType.GRAB_JOB_UNIQ, c.next().type());
        c.send(Packet.response(PacketType.NO_JOB));
        assertEquals(PacketType.PRE_SLEEP, c.next().type());
        worker.setJobs(List.of(JobDefinition.anyNode("b"))); // no change: nothing is sent
        c.send(Packet.response(PacketType.NOOP)); // so the next packet is the GRAB it triggers
        assertEquals(PacketType.GRAB_JOB_UNIQ, c.next().type());

        FakeJobServer.Conn m = s.conn("jm:manager");
        assertEquals(List.of("set_description:jm", "stop:jm"), texts(m, PacketType.CAN_DO, 2));
    }

    @Test
    public void aNodeAddedOfflineNeverGrabsUntilItIsPutOnline() throws Exception {
        FakeJobServer s = server();
        List<GearmanServerAddress> addrs = List.of(s.address());
        worker = TestSupport.worker("jm", addrs, launcher, NodeRecycler.NONE, clock, sleeper);
        worker.setJobs(List.of(JobDefinition.anyNode("a")));
        NodeSpec n1 = new NodeSpec("n1", Set.of(), 1);
        worker.putNode(n1, false); // offline in Jenkins when the worker learns of it
        worker.start();
        FakeJobServer.Conn c = s.conn("jm:n1:exec-0");
        // it registers (Zuul may queue jobs for it) but does not ask for one: a GRAB would have been
        // queued right behind these CAN_DOs, before anything below
        assertEquals(List.of("build:a", "build:a:n1"), texts(c, PacketType.CAN_DO, 2));
        worker.setJobs(List.of(JobDefinition.anyNode("a"), JobDefinition.anyNode("b")));
        assertEquals("a new function, and still no GRAB", List.of("build:b", "build:b:n1"), texts(c, PacketType.CAN_DO, 2));
        worker.putNode(n1, false); // the periodic sync says so again: nothing is sent
        assertEquals(false, worker.status().executors().get(0).acceptingJobs());

        worker.putNode(n1, true); // the node came online
        assertEquals(PacketType.GRAB_JOB_UNIQ, c.next().type());
        assertEquals(true, worker.status().executors().get(0).acceptingJobs());
    }

    @Test
    public void puttingASingleUseNodeOnlineDoesNotReopenItWhileItsBuildRuns() throws Exception {
        FakeJobServer s = server();
        NodeSpec n1 = new NodeSpec("n1", Set.of(), 2);
        worker(List.of(JobDefinition.anyNode("a")), n1);
        FakeJobServer.Conn e0 = s.conn("jm:n1:exec-0");
        FakeJobServer.Conn e1 = s.conn("jm:n1:exec-1");
        FakeJobServer.Conn grabber = awaitGrab(e0, e1);
        grabber.send(Packet.response(PacketType.JOB_ASSIGN_UNIQ, "H:1", "build:a", "u1",
                "{\"OFFLINE_NODE_WHEN_COMPLETE\":\"1\"}".getBytes(StandardCharsets.UTF_8)));
        FakeLauncher.Build b = launcher.next();
        grabber.nextOf(PacketType.WORK_STATUS);
        worker.putNode(n1, true); // a sync that read the node as online in Jenkins
        assertTrue("single-use: closed while its build runs",
                worker.status().executors().stream().noneMatch(WorkerStatus.Executor::acceptingJobs));
        b.finish("SUCCESS");
        grabber.nextOf(PacketType.WORK_COMPLETE);
        assertTrue("and after it, until it is put online again",
                worker.status().executors().stream().noneMatch(WorkerStatus.Executor::acceptingJobs));
        worker.putNode(n1, true); // recycled and back
        assertTrue(worker.status().executors().stream().allMatch(WorkerStatus.Executor::acceptingJobs));
    }

    @Test
    public void oneExecutorNeverGrabsOnTwoServersAtOnce() throws Exception {
        FakeJobServer s1 = server();
        FakeJobServer s2 = server();
        worker(List.of(JobDefinition.anyNode("a")), new NodeSpec("n1", Set.of(), 1));
        FakeJobServer.Conn c1 = s1.conn("jm:n1:exec-0");
        FakeJobServer.Conn c2 = s2.conn("jm:n1:exec-0");
        await("one connection grabs", () -> grabbing().size() == 1);
        FakeJobServer.Conn first = grabbing().get(0).server().equals(s1.address()) ? c1 : c2;
        FakeJobServer.Conn second = first == c1 ? c2 : c1;
        first.nextOf(PacketType.GRAB_JOB_UNIQ);
        first.send(Packet.response(PacketType.JOB_ASSIGN_UNIQ, "H:1", "build:a", "u1", "{}".getBytes(StandardCharsets.UTF_8)));
        FakeLauncher.Build b = launcher.next();
        assertEquals(PacketType.WORK_DATA, first.nextOf(PacketType.WORK_DATA).type());

        // the other server announces work: the busy executor must not grab it
        second.send(Packet.response(PacketType.NOOP));
        first.send(Packet.response(PacketType.NOOP));
        await("NOOPs seen", () -> worker.status().connections().stream()
                .filter(x -> x.owner().equals("jm:n1:exec-0")).allMatch(x -> x.state() == WorkerStatus.ConnectionState.IDLE));
        assertTrue(grabbing().isEmpty());

        b.finish("SUCCESS");
        assertEquals(PacketType.WORK_COMPLETE, first.nextOf(PacketType.WORK_COMPLETE).type());
        await("free executor grabs again", () -> grabbing().size() == 1);
        WorkerStatus.Connection g = grabbing().get(0);
        FakeJobServer.Conn grabber = g.server().equals(s1.address()) ? c1 : c2;
        grabber.nextOf(PacketType.GRAB_JOB_UNIQ);
        grabber.send(Packet.response(PacketType.NO_JOB));
        await("then the other one", () -> grabbing().size() == 1 && !grabbing().get(0).server().equals(g.server()));
        assertEquals(1, launcher.all.size());
    }

    private List<WorkerStatus.Connection> grabbing() {
        return worker.status().connections().stream()
                .filter(c -> c.state() == WorkerStatus.ConnectionState.GRABBING && !c.owner().equals("manager"))
                .toList();
    }

    @Test
    public void garbageFromTheServerDropsTheConnectionAndReconnectsWithGrowingBackoff() throws Exception {
        FakeJobServer s = server();
        worker(List.of(JobDefinition.anyNode("a")), new NodeSpec("n1", Set.of(), 1));
        FakeJobServer.Conn c = s.conn("jm:n1:exec-0");
        c.nextOf(PacketType.GRAB_JOB_UNIQ);
        c.sendRaw("OK\n".getBytes(StandardCharsets.US_ASCII)); // a text admin answer: not a packet
        FakeJobServer.Conn c2 = s.reconnected("jm:n1:exec-0", c);
        assertEquals(PacketType.CAN_DO, c2.next().type());

        // a packet announcing a body far above the limit is refused before any allocation
        c2.nextOf(PacketType.GRAB_JOB_UNIQ);
        c2.sendRaw(new byte[] {0, 'R', 'E', 'S', 0, 0, 0, 31, 0x7f, 0, 0, 0});
        FakeJobServer.Conn c3 = s.reconnected("jm:n1:exec-0", c2);
        c3.nextOf(PacketType.GRAB_JOB_UNIQ);
        // a request packet and a NO_JOB nobody asked for are protocol violations too
        c3.send(Packet.response(PacketType.NO_JOB));
        c3.send(Packet.response(PacketType.NO_JOB));
        FakeJobServer.Conn c4 = s.reconnected("jm:n1:exec-0", c3);
        c4.nextOf(PacketType.GRAB_JOB_UNIQ);

        // the garbage sessions did not reset the backoff; c4, up as long as the longest wait, does:
        // the outage that follows starts afresh
        clock.advance(TestSupport.FAST.max());
        // the server goes away for good: backoff grows until its cap
        int before = sleeper.of("exec-0").size();
        s.close();
        await("several reconnect attempts", () -> sleeper.of("exec-0").size() >= before + 6);
        List<Duration> d = sleeper.of("exec-0").subList(before, before + 6);
        Backoff b = TestSupport.FAST;
        for (int i = 0; i < d.size(); i++) {
            long lo = b.delay(i, 0.0).toMillis();
            long hi = b.delay(i, 0.999999).toMillis();
            assertTrue("attempt " + i + " waited " + d.get(i) + ", expected " + lo + ".." + hi,
                    d.get(i).toMillis() >= lo && d.get(i).toMillis() <= hi);
        }
        WorkerStatus.Connection st = worker.status().connection(servers.get(0).address(), "jm:n1:exec-0");
        assertEquals(WorkerStatus.ConnectionState.CONNECTING, st.state());
        assertTrue(st.lastError(), st.lastError() != null);
        assertTrue(st.registeredFunctions().isEmpty());
    }

    @Test
    public void aReassignedJobIsAttachedToTheRunningBuildNotBuiltTwice() throws Exception {
        FakeJobServer s = server();
        worker(List.of(JobDefinition.anyNode("a")), new NodeSpec("n1", Set.of(), 2));
        FakeJobServer.Conn e0 = s.conn("jm:n1:exec-0");
        FakeJobServer.Conn e1 = s.conn("jm:n1:exec-1");
        FakeJobServer.Conn grabber = awaitGrab(e0, e1);
        grabber.send(Packet.response(PacketType.JOB_ASSIGN_UNIQ, "H:7", "build:a", "uuid-7", "{}".getBytes(StandardCharsets.UTF_8)));
        FakeLauncher.Build b = launcher.next();
        grabber.nextOf(PacketType.WORK_STATUS);

        // the connection drops (gearmand re-queues the job and hands it out again, same handle and unique)
        grabber.close();
        String otherId = grabber == e0 ? "jm:n1:exec-1" : "jm:n1:exec-0";
        FakeJobServer.Conn o = s.byClientId.get(otherId);
        o = awaitGrab(o, o);
        o.send(Packet.response(PacketType.JOB_ASSIGN_UNIQ, "H:7", "build:a", "uuid-7", "{}".getBytes(StandardCharsets.UTF_8)));
        Packet data = o.nextOf(PacketType.WORK_DATA);
        assertEquals("H:7", data.text(0));
        assertTrue(data.text(1).contains("\"number\":" + b.number));
        o.nextOf(PacketType.WORK_STATUS);
        b.finish("SUCCESS");
        Packet done = o.nextOf(PacketType.WORK_COMPLETE);
        assertEquals("H:7", done.text(0));
        assertTrue(done.text(1).contains("\"result\":\"SUCCESS\""));
        assertEquals(1, launcher.all.size());

        // once more after it finished: answered from the kept result
        o = grabbingConn(s);
        o.send(Packet.response(PacketType.JOB_ASSIGN_UNIQ, "H:7", "build:a", "uuid-7", "{}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(o.nextOf(PacketType.WORK_COMPLETE).text(1).contains("SUCCESS"));
        assertEquals(1, launcher.all.size());

        // after the retention time it is a new job again
        clock.advance(Duration.ofHours(1));
        worker.tick();
        o = grabbingConn(s);
        o.send(Packet.response(PacketType.JOB_ASSIGN_UNIQ, "H:8", "build:a", "uuid-7", "{}".getBytes(StandardCharsets.UTF_8)));
        launcher.next().finish("SUCCESS");
        assertEquals(2, launcher.all.size());
    }

    @Test
    public void silentServersAreProbedWithEchoAndDroppedWhenTheyDoNotAnswer() throws Exception {
        FakeJobServer s = server();
        worker(List.of(JobDefinition.anyNode("a")), new NodeSpec("n1", Set.of(), 1));
        FakeJobServer.Conn c = s.conn("jm:n1:exec-0");
        c.nextOf(PacketType.GRAB_JOB_UNIQ);
        c.send(Packet.response(PacketType.NO_JOB));
        c.nextOf(PacketType.PRE_SLEEP);
        await("NO_JOB seen", () -> worker.status().connection(s.address(), "jm:n1:exec-0").state()
                == WorkerStatus.ConnectionState.SLEEPING);

        clock.advance(Duration.ofSeconds(59));
        worker.tick();
        clock.advance(Duration.ofSeconds(1));
        worker.tick();
        Packet echo = c.nextOf(PacketType.ECHO_REQ);
        java.time.Instant answeredAt = clock.instant();
        c.send(Packet.response(PacketType.ECHO_RES, (Object) echo.argument(0)));
        await("echo answered", () -> answeredAt.equals(
                worker.status().connection(s.address(), "jm:n1:exec-0").lastHeard()));
        clock.advance(Duration.ofSeconds(30));
        worker.tick(); // the answer reset the silence timer: nothing happens
        assertEquals(WorkerStatus.ConnectionState.SLEEPING,
                worker.status().connection(s.address(), "jm:n1:exec-0").state());

        clock.advance(Duration.ofSeconds(30));
        worker.tick();
        c.nextOf(PacketType.ECHO_REQ); // this one stays unanswered: a half-open connection
        clock.advance(Duration.ofSeconds(60));
        worker.tick();
        FakeJobServer.Conn c2 = s.reconnected("jm:n1:exec-0", c);
        c2.nextOf(PacketType.GRAB_JOB_UNIQ);
        assertTrue(worker.status().connection(s.address(), "jm:n1:exec-0").lastError().contains("ECHO_RES"));
    }

    /** The executor connection that has a GRAB_JOB_UNIQ outstanding (polled from the status). */
    private FakeJobServer.Conn grabbingConn(FakeJobServer s) throws Exception {
        await("a connection grabs", () -> grabbing().size() == 1);
        return s.byClientId.get(grabbing().get(0).owner());
    }

    /** Returns the connection that sends the next GRAB_JOB_UNIQ (the node allows one at a time). */
    private FakeJobServer.Conn awaitGrab(FakeJobServer.Conn a, FakeJobServer.Conn b) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (FakeJobServer.Conn c : List.of(a, b)) {
                Packet p = c.received.poll(10, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (p != null && p.type() == PacketType.GRAB_JOB_UNIQ) {
                    return c;
                }
            }
        }
        throw new AssertionError("no GRAB_JOB_UNIQ");
    }
}
