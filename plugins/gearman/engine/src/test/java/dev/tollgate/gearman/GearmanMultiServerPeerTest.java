package dev.tollgate.gearman;

import static dev.tollgate.gearman.TestSupport.address;
import static dev.tollgate.gearman.TestSupport.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;

import dev.tollgate.testing.GearmandServer;
import dev.tollgate.testing.ManualClock;
import java.util.List;
import java.util.Set;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** Two real gearmands, one executor: the availability lock keeps it at one job at a time. */
public class GearmanMultiServerPeerTest {
    private final FakeLauncher launcher = new FakeLauncher();
    private GearmandServer g1;
    private GearmandServer g2;
    private GearmanWorker worker;
    private ZuulLikeClient z1;
    private ZuulLikeClient z2;

    @Before
    public void setUp() {
        g1 = GearmandServer.start();
        g2 = GearmandServer.start();
    }

    @After
    public void tearDown() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {z1, z2, worker}) {
            if (c != null) {
                c.close();
            }
        }
        g1.stop();
        g2.stop();
    }

    private static int[] status(GearmandServer g) {
        int[] s = g.status().get("build:gate");
        return s == null ? new int[3] : s;
    }

    @Test
    public void jobsWaitingOnBothServersAreTakenOneAtATime() throws Exception {
        z1 = new ZuulLikeClient(g1.host(), g1.port());
        z2 = new ZuulLikeClient(g2.host(), g2.port());
        // both jobs wait before the worker exists, so its connections race for them at once
        ZuulLikeClient.Job j1 = z1.submit("build:gate", "u-1", "{}");
        ZuulLikeClient.Job j2 = z2.submit("build:gate", "u-2", "{}");

        worker = TestSupport.worker("jenkins", List.of(address(g1), address(g2)), launcher, NodeRecycler.NONE,
                new ManualClock(), new TestSupport.RecordingSleeper());
        worker.setJobs(List.of(JobDefinition.anyNode("gate")));
        worker.putNode(new NodeSpec("n1", Set.of(), 1));
        worker.start();

        FakeLauncher.Build first = launcher.next();
        await("both servers know the worker; one job runs, the other waits", () -> {
            int[] s1 = status(g1);
            int[] s2 = status(g2);
            return s1[2] == 1 && s2[2] == 1 && s1[1] + s2[1] == 1 && s1[0] + s2[0] == 2;
        });
        assertEquals(1, launcher.all.size());
        first.finish("SUCCESS");
        FakeLauncher.Build second = launcher.next();
        assertNotEquals(first.request.uniqueId(), second.request.uniqueId());
        second.finish("SUCCESS");
        assertEquals(ZuulLikeClient.Kind.COMPLETE, j1.await().kind());
        assertEquals(ZuulLikeClient.Kind.COMPLETE, j2.await().kind());
        assertEquals(0, launcher.doubleBookings.get());
        assertEquals(2, launcher.all.size());
    }

    @Test
    public void theSameUniqueIdOnTwoServersIsOneBuildReportedToBoth() throws Exception {
        worker = TestSupport.worker("jenkins", List.of(address(g1), address(g2)), launcher, NodeRecycler.NONE,
                new ManualClock(), new TestSupport.RecordingSleeper());
        worker.setJobs(List.of(JobDefinition.anyNode("gate")));
        worker.putNode(new NodeSpec("n1", Set.of(), 2));
        worker.start();
        await("registered on both", () -> status(g1)[2] == 2 && status(g2)[2] == 2);
        z1 = new ZuulLikeClient(g1.host(), g1.port());
        z2 = new ZuulLikeClient(g2.host(), g2.port());
        ZuulLikeClient.Job a = z1.submit("build:gate", "u-same", "{}");
        FakeLauncher.Build b = launcher.next();
        String startA = a.nextData();
        ZuulLikeClient.Job a2 = z2.submit("build:gate", "u-same", "{}");
        assertEquals(startA, a2.nextData());
        b.finish("SUCCESS");
        assertEquals(a.await(), a2.await());
        assertEquals(ZuulLikeClient.Kind.COMPLETE, a2.await().kind());
        assertEquals(1, launcher.all.size());
    }
}
