package dev.tollgate.gearman;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import org.junit.Test;

/** What a node's free executors are kept for between a Gearman job and its build. */
public class NodeReservationsTest {
    private final NodeReservations r = new NodeReservations();

    @Test
    public void aFreeExecutorIsKeptForTheGearmanBuildOnItsWay() {
        r.reserve("n1", "t1", false);
        assertNull("the Gearman build itself takes it", r.blockage("n1", "t1", 1));
        assertEquals("its free executor is kept for a Gearman build", r.blockage("n1", null, 1));
        assertEquals("another Gearman build's token is no better", "its free executor is kept for a Gearman build",
                r.blockage("n1", "other", 1));
        assertNull("a second free executor is anybody's", r.blockage("n1", null, 2));
        assertNull("other nodes are not concerned", r.blockage("n2", null, 1));
        assertEquals(1, r.pending("n1"));

        r.started("t1");
        assertNull("once it started, the node is free again", r.blockage("n1", null, 1));
        assertEquals(0, r.pending("n1"));
    }

    @Test
    public void severalBuildsOnTheirWayKeepAsManyExecutors() {
        r.reserve("n1", "t1", false);
        r.reserve("n1", "t2", false);
        assertEquals("its free executors are kept for 2 Gearman builds", r.blockage("n1", null, 2));
        assertNull(r.blockage("n1", null, 3));
        assertNull(r.blockage("n1", "t2", 1));
        r.forget("t1"); // cancelled in the queue
        assertEquals("its free executor is kept for a Gearman build", r.blockage("n1", null, 1));
        assertNull(r.blockage("n1", null, 2));
    }

    @Test
    public void aSingleUseBuildClaimsTheWholeNodeUntilItIsForgotten() {
        r.reserve("n1", "t1", true);
        assertNull(r.blockage("n1", "t1", 2));
        assertEquals("reserved for a single-use Gearman build", r.blockage("n1", null, 4));
        r.started("t1");
        assertEquals("runs a single-use Gearman build", r.blockage("n1", null, 3));
        assertEquals("its own token no longer queues", "runs a single-use Gearman build", r.blockage("n1", "t1", 3));
        r.forget("t1"); // ended, after its node was taken offline
        assertNull(r.blockage("n1", null, 3));
    }

    @Test
    public void unknownTokensAndRepeatedCallsAreHarmless() {
        r.started("nope");
        r.forget("nope");
        r.reserve("n1", "t1", false);
        r.started("t1");
        r.started("t1");
        r.forget("t1");
        r.forget("t1");
        assertNull(r.blockage("n1", null, 1));
        assertEquals(0, r.pending("n1"));
    }
}
