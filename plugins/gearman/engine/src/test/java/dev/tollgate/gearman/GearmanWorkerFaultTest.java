package dev.tollgate.gearman;

import static dev.tollgate.gearman.TestSupport.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.tollgate.common.Backoff;
import dev.tollgate.common.Sleeper;
import dev.tollgate.gearman.protocol.Packet;
import dev.tollgate.gearman.protocol.PacketType;
import dev.tollgate.testing.ManualClock;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.After;
import org.junit.Test;

/**
 * Servers and ports that misbehave: a server that accepts and hangs up, one that sends what cannot
 * be answered within a packet, a build system or node recycler that throws an Error. None of them
 * may stop a connection for good, hammer the server, or leave an executor stuck.
 */
public class GearmanWorkerFaultTest {
    /** 1 s doubling to 60 s, no jitter: the waits are exact. */
    private static final Backoff EXACT = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), 2.0, 0.0);

    private final ManualClock clock = new ManualClock();
    private final FakeLauncher launcher = new FakeLauncher();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final AtomicBoolean armed = new AtomicBoolean();
    private GearmanWorker worker;

    @After
    public void tearDown() throws Exception {
        if (worker != null) {
            worker.close();
        }
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    /**
     * Waits no real time: each wait moves the manual clock on and is recorded; after {@code limit}
     * waits it holds the waiting thread until the worker is closed.
     */
    static final class ClockSleeper implements Sleeper {
        private final ManualClock clock;
        private final int limit;
        private final List<Duration> waits = new ArrayList<>();

        ClockSleeper(ManualClock clock, int limit) {
            this.clock = clock;
            this.limit = limit;
        }

        @Override
        public void sleep(Duration d) throws InterruptedException {
            synchronized (this) {
                waits.add(d);
                notifyAll();
                if (waits.size() <= limit) {
                    clock.advance(d);
                    return;
                }
            }
            new CountDownLatch(1).await(); // until close() interrupts the connection thread
        }

        synchronized List<Duration> awaitWaits(int n) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (waits.size() < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("the worker waited " + waits.size() + " times, not " + n + ": " + waits);
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return new ArrayList<>(waits);
        }
    }

    /** A peer that accepts every connection and closes it at once, counting them. */
    static final class HangUpServer implements AutoCloseable {
        final ServerSocket server;
        final AtomicInteger accepted = new AtomicInteger();

        HangUpServer() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread t = new Thread(() -> {
                try {
                    while (true) {
                        Socket s = server.accept();
                        accepted.incrementAndGet();
                        s.close();
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            }, "hang-up server");
            t.setDaemon(true);
            t.start();
        }

        GearmanServerAddress address() {
            return new GearmanServerAddress("127.0.0.1", server.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    private static List<Duration> seconds(long... s) {
        List<Duration> out = new ArrayList<>();
        for (long x : s) {
            out.add(Duration.ofSeconds(x));
        }
        return out;
    }

    private FakeJobServer fakeServer() throws IOException {
        FakeJobServer s = new FakeJobServer();
        closeables.add(s);
        return s;
    }

    private GearmanWorker start(GearmanWorkerConfig cfg, BuildLauncher l, NodeRecycler recycler, Clock c, Sleeper sleeper,
            NodeSpec... nodes) {
        worker = new GearmanWorker(cfg, l, recycler, c, sleeper, new Random(7));
        worker.setJobs(List.of(JobDefinition.anyNode("a"), JobDefinition.anyNode("broken")));
        for (NodeSpec n : nodes) {
            worker.putNode(n);
        }
        worker.start();
        return worker;
    }

    @Test
    public void aServerThatAcceptsAndHangsUpIsRetriedWithGrowingBackoff() throws Exception {
        HangUpServer peer = new HangUpServer();
        closeables.add(peer);
        ClockSleeper sleeper = new ClockSleeper(clock, 12);
        // no nodes: the management connection alone, one thread
        start(GearmanWorkerConfig.of("jm", List.of(peer.address())).withBackoff(EXACT), launcher, NodeRecycler.NONE,
                clock, sleeper);
        List<Duration> waits = sleeper.awaitWaits(13);
        assertEquals(seconds(1, 2, 4, 8, 16, 32, 60, 60, 60, 60, 60, 60, 60), waits);
        assertEquals("one connection per wait, not one a second", 13, peer.accepted.get());
    }

    @Test
    public void aConnectionThatStayedUpForTheLongestWaitStartsTheBackoffAfresh() throws Exception {
        FakeJobServer s = fakeServer();
        ClockSleeper sleeper = new ClockSleeper(clock, 100);
        start(GearmanWorkerConfig.of("jm", List.of(s.address())).withBackoff(EXACT), launcher, NodeRecycler.NONE,
                clock, sleeper);
        FakeJobServer.Conn c1 = s.conn("jm:manager");
        c1.close();
        FakeJobServer.Conn c2 = s.reconnected("jm:manager", c1);
        c2.close();
        FakeJobServer.Conn c3 = s.reconnected("jm:manager", c2);
        clock.advance(EXACT.max()); // c3 has now been up as long as the longest wait: healthy
        c3.close();
        s.reconnected("jm:manager", c3);
        assertEquals(seconds(1, 2, 1), sleeper.awaitWaits(3));
    }

    /** FakeLauncher, except that job "broken" meets a build system that throws an Error. */
    private BuildLauncher throwingLauncher(Error error) {
        return new BuildLauncher() {
            @Override
            public void start(BuildRequest request, BuildListener listener) throws BuildNotStartedException {
                if (request.jobName().equals("broken")) {
                    throw error;
                }
                launcher.start(request, listener);
            }

            @Override
            public boolean abort(BuildRef ref) {
                throw error;
            }

            @Override
            public boolean setDescription(BuildRef ref, String html) {
                return launcher.setDescription(ref, html);
            }
        };
    }

    @Test
    public void aBuildSystemThatThrowsAnErrorFailsTheJobAndFreesTheExecutor() throws Exception {
        FakeJobServer s = fakeServer();
        start(GearmanWorkerConfig.of("jm", List.of(s.address())).withBackoff(EXACT),
                throwingLauncher(new NoClassDefFoundError("hudson/model/Missing")), NodeRecycler.NONE, clock,
                new ClockSleeper(clock, 100), new NodeSpec("n1", Set.of(), 1));
        FakeJobServer.Conn c = s.conn("jm:n1:exec-0");
        c.nextOf(PacketType.GRAB_JOB_UNIQ);
        c.send(Packet.response(PacketType.JOB_ASSIGN_UNIQ, "H:1", "build:broken", "u1", "{}".getBytes(StandardCharsets.UTF_8)));
        Packet data = c.nextOf(PacketType.WORK_DATA);
        assertTrue(data.text(1), data.text(1).contains("NoClassDefFoundError"));
        assertEquals("H:1", c.nextOf(PacketType.WORK_FAIL).text(0));
        c.nextOf(PacketType.GRAB_JOB_UNIQ); // the same connection, the executor free again
        c.send(Packet.response(PacketType.JOB_ASSIGN_UNIQ, "H:2", "build:a", "u2", "{}".getBytes(StandardCharsets.UTF_8)));
        launcher.next().finish("SUCCESS");
        assertTrue(c.nextOf(PacketType.WORK_COMPLETE).text(1).contains("SUCCESS"));
    }

    @Test
    public void aBuildSystemErrorDuringAStopIsAnsweredAndTheConnectionLivesOn() throws Exception {
        FakeJobServer s = fakeServer();
        start(GearmanWorkerConfig.of("jm", List.of(s.address())).withBackoff(EXACT),
                throwingLauncher(new AssertionError("a bug in the build system")), NodeRecycler.NONE, clock,
                new ClockSleeper(clock, 100));
        FakeJobServer.Conn m = s.conn("jm:manager");
        m.nextOf(PacketType.GRAB_JOB_UNIQ);
        m.send(Packet.response(PacketType.JOB_ASSIGN_UNIQ, "H:9", "stop:jm", "s1",
                "{\"name\":\"a\",\"number\":3}".getBytes(StandardCharsets.UTF_8)));
        Packet answer = m.nextOf(PacketType.WORK_EXCEPTION);
        assertTrue(answer.text(1), answer.text(1).contains("AssertionError"));
        m.nextOf(PacketType.GRAB_JOB_UNIQ); // the same connection grabs on
    }

    @Test
    public void aNodeRecyclerThatThrowsAnErrorStillLetsTheResultBeReported() throws Exception {
        FakeJobServer s = fakeServer();
        NodeRecycler recycler = (node, build) -> {
            throw new ExceptionInInitializerError("simulated: the recycling hook could not load");
        };
        start(GearmanWorkerConfig.of("jm", List.of(s.address())).withBackoff(EXACT), launcher, recycler, clock,
                new ClockSleeper(clock, 100), new NodeSpec("n1", Set.of(), 1));
        FakeJobServer.Conn c = s.conn("jm:n1:exec-0");
        c.nextOf(PacketType.GRAB_JOB_UNIQ);
        c.send(Packet.response(PacketType.JOB_ASSIGN_UNIQ, "H:1", "build:a", "u1",
                "{\"OFFLINE_NODE_WHEN_COMPLETE\":\"1\"}".getBytes(StandardCharsets.UTF_8)));
        launcher.next().finish("SUCCESS");
        assertTrue(c.nextOf(PacketType.WORK_COMPLETE).text(1).contains("SUCCESS"));
        await("executor free", () -> worker.status().executors().get(0).currentJob() == null);
    }

    @Test
    public void anAnswerQuotingAHugeUniqueIdIsShortenedToFitAPacket() throws Exception {
        FakeJobServer s = fakeServer();
        GearmanWorkerConfig cfg = GearmanWorkerConfig.of("jm", List.of(s.address())).withBackoff(EXACT)
                .withMaxPacketSize(1024);
        start(cfg, launcher, NodeRecycler.NONE, clock, new ClockSleeper(clock, 100));
        FakeJobServer.Conn m = s.conn("jm:manager");
        m.nextOf(PacketType.GRAB_JOB_UNIQ);
        String unique = "u".repeat(1000); // fits the 1 KiB limit; an answer quoting it whole would not
        m.send(Packet.response(PacketType.JOB_ASSIGN_UNIQ, "H:1", "stop:jm", unique, "{}".getBytes(StandardCharsets.UTF_8)));
        Packet answer = m.nextOf(PacketType.WORK_COMPLETE);
        assertTrue(answer.text(1), answer.text(1).contains("\"ok\":false") && answer.text(1).contains("no running build"));
        m.nextOf(PacketType.GRAB_JOB_UNIQ); // no reconnect
    }

    @Test
    public void aPacketThatCannotBeSentDropsTheConnectionAndSaysWhy() throws Exception {
        FakeJobServer s = fakeServer();
        GearmanWorkerConfig cfg = GearmanWorkerConfig.of("jm", List.of(s.address())).withBackoff(EXACT)
                .withMaxPacketSize(1024);
        ClockSleeper sleeper = new ClockSleeper(clock, 0); // after the first loss it waits for close()
        start(cfg, launcher, NodeRecycler.NONE, clock, sleeper);
        FakeJobServer.Conn m = s.conn("jm:manager");
        m.nextOf(PacketType.GRAB_JOB_UNIQ);
        String handle = "H:" + "9".repeat(1000); // no answer to this handle fits in 1 KiB
        m.send(Packet.response(PacketType.JOB_ASSIGN_UNIQ, handle, "stop:jm", "s", "{}".getBytes(StandardCharsets.UTF_8)));
        sleeper.awaitWaits(1);
        await("the reason in the status", () -> {
            WorkerStatus.Connection st = worker.status().connection(s.address(), "manager");
            return st.lastError() != null && st.lastError().contains("cannot send WORK_COMPLETE");
        });
    }

    @Test
    public void anErrorOnAConnectionThreadReconnectsInsteadOfEndingIt() throws Exception {
        FakeJobServer s = fakeServer();
        AtomicBoolean failOnce = new AtomicBoolean(true);
        Clock failing = new Clock() {
            @Override
            public Instant instant() {
                if (Thread.currentThread().getName().startsWith("gearman jm:manager@") && armed.get()
                        && failOnce.compareAndSet(true, false)) {
                    throw new OutOfMemoryError("simulated: the heap was short for a moment");
                }
                return clock.instant();
            }

            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }
        };
        ClockSleeper sleeper = new ClockSleeper(clock, 100);
        start(GearmanWorkerConfig.of("jm", List.of(s.address())).withBackoff(EXACT), launcher, NodeRecycler.NONE,
                failing, sleeper);
        FakeJobServer.Conn m = s.conn("jm:manager");
        m.nextOf(PacketType.GRAB_JOB_UNIQ);
        armed.set(true);
        m.send(Packet.response(PacketType.NOOP)); // reading it asks the clock, which fails once
        FakeJobServer.Conn again = s.reconnected("jm:manager", m);
        again.nextOf(PacketType.GRAB_JOB_UNIQ);
        assertTrue(worker.status().connection(s.address(), "manager").lastError().contains("OutOfMemoryError"));
    }
}
