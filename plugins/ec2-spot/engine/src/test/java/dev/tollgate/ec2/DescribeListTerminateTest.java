package dev.tollgate.ec2;

import dev.tollgate.cloud.port.CloudException;
import dev.tollgate.cloud.port.CloudInstance;
import dev.tollgate.cloud.port.Fingerprint;
import org.junit.After;
import org.junit.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/** Batched describe, listOwned by the fingerprint tag with pagination, idempotent batched terminate. */
public class DescribeListTerminateTest {
    private final Ec2Fixture f = new Ec2Fixture();

    public DescribeListTerminateTest() throws Exception {}

    @After
    public void close() {
        f.close();
    }

    private static Map<String, String> owned(String controller, String agent) {
        return new Fingerprint(controller, "ec2", "spot", agent, Instant.parse("2026-01-01T00:00:00Z")).toTags();
    }

    @Test
    public void describeMovesThroughStatesAndReadsTheFingerprintBack() throws Exception {
        CloudInstance created = f.driver.create(f.spec("ondemand", "a0"));
        assertEquals(CloudInstance.State.PENDING, created.state());
        CloudInstance now = f.driver.describe(List.of(created.id())).get(0);
        assertEquals(CloudInstance.State.RUNNING, now.state());
        assertEquals("a0", now.fingerprint().agentName());
        assertEquals(0.17, now.hourlyPrice(), 1e-9);
        f.driver.terminate(List.of(created.id()));
        assertEquals(CloudInstance.State.TERMINATED, f.driver.describe(List.of(created.id())).get(0).state());
    }

    @Test
    public void describeBatchesIdsAndLeavesOutUnknownOnes() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 450; i++) {
            ids.add(f.server.addInstance("running", owned(Ec2Fixture.CONTROLLER, "a" + i)));
        }
        ids.add("i-0fffffffffffffff0"); // not (yet, or any more) known to EC2
        List<CloudInstance> got = f.driver.describe(ids);
        assertEquals(450, got.size());
        List<FakeEc2Server.Call> calls = f.server.calls("DescribeInstances");
        assertEquals(3, calls.size()); // 200 + 200 + 51 ids, through the instance-id filter
        assertEquals("instance-id", calls.get(0).get("Filter.1.Name"));
        assertEquals(200, FakeEc2Server.filters(calls.get(0).params()).get("instance-id").size());
        assertEquals(51, FakeEc2Server.filters(calls.get(2).params()).get("instance-id").size());
        assertNull(calls.get(0).get("InstanceId.1"));
        assertTrue(f.driver.describe(List.of()).isEmpty());
    }

    @Test
    public void listOwnedFiltersByControllerTagAcrossPages() throws Exception {
        Set<String> mine = new java.util.HashSet<>();
        for (int i = 0; i < 2100; i++) {
            mine.add(f.server.addInstance(i % 2 == 0 ? "running" : "pending", owned(Ec2Fixture.CONTROLLER, "a" + i)));
        }
        f.server.addInstance("running", owned("other-controller", "x"));
        f.server.addInstance("running", Map.of("Name", "hand-made"));
        f.server.addInstance("terminated", owned(Ec2Fixture.CONTROLLER, "old"));

        List<CloudInstance> got = f.driver.listOwned(Ec2Fixture.CONTROLLER);
        assertEquals(mine, got.stream().map(CloudInstance::id).collect(Collectors.toSet()));
        assertTrue(got.stream().allMatch(c -> c.fingerprint() != null && c.fingerprint().controllerId().equals(Ec2Fixture.CONTROLLER)));

        List<FakeEc2Server.Call> calls = f.server.calls("DescribeInstances");
        assertEquals(3, calls.size()); // 1000 + 1000 + 100
        Map<String, List<String>> filters = FakeEc2Server.filters(calls.get(0).params());
        assertEquals(List.of(Ec2Fixture.CONTROLLER), filters.get("tag:tollgate:controller"));
        assertEquals(Ec2SpotDriver.LIVE_STATES, filters.get("instance-state-name"));
        assertEquals("1000", calls.get(0).get("MaxResults"));
        assertEquals("1000", calls.get(1).get("NextToken"));
        assertEquals("2000", calls.get(2).get("NextToken"));
    }

    @Test
    public void terminatingWhatIsGoneIsNotAnError() throws Exception {
        String a = f.server.addInstance("running", owned(Ec2Fixture.CONTROLLER, "a"));
        String b = f.server.addInstance("running", owned(Ec2Fixture.CONTROLLER, "b"));
        String ghost1 = "i-0aaaaaaaaaaaaaaa1";
        String ghost2 = "i-0aaaaaaaaaaaaaaa2";
        f.driver.terminate(List.of(a, ghost1, b, ghost2));
        assertEquals("shutting-down", f.server.instance(a).state);
        assertEquals("shutting-down", f.server.instance(b).state);
        List<FakeEc2Server.Call> calls = f.server.calls("TerminateInstances");
        // the first call fails naming both unknown ids; the second ends the rest
        assertEquals(2, calls.size());
        assertEquals(List.of(a, b), FakeEc2Server.list(calls.get(1).params(), "InstanceId"));

        f.server.clearCalls();
        f.driver.terminate(List.of(a, b)); // again: fine
        f.driver.terminate(List.of(ghost1)); // only a ghost: fine
        f.driver.terminate(List.of()); // nothing: no call
        assertEquals(2, f.server.calls("TerminateInstances").size());
    }

    @Test
    public void terminateIsBatchedByAThousand() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            ids.add(f.server.addInstance("running", owned(Ec2Fixture.CONTROLLER, "a" + i)));
        }
        f.driver.terminate(ids);
        List<FakeEc2Server.Call> calls = f.server.calls("TerminateInstances");
        assertEquals(2, calls.size());
        assertEquals(1000, FakeEc2Server.list(calls.get(0).params(), "InstanceId").size());
        assertEquals(0, f.server.liveCount() - f.server.instances().stream().filter(i -> i.state.equals("shutting-down")).count());
    }

    @Test
    public void openSpotRequestsAreCancelledAndGoneOnesIgnored() throws Exception {
        String sir = f.server.addSpotRequest("open");
        f.driver.terminate(List.of(sir, "sir-0000000000000dead"));
        assertEquals("cancelled", f.server.spotRequest(sir).state);
        assertEquals(3, f.server.calls("CancelSpotInstanceRequests").size()); // batch fails on the unknown one, then one by one
    }

    @Test
    public void terminateFailuresOtherThanNotFoundReachTheEngine() throws Exception {
        String a = f.server.addInstance("running", owned(Ec2Fixture.CONTROLLER, "a"));
        f.server.fail("TerminateInstances", 1, 503, "RequestLimitExceeded");
        try {
            f.driver.terminate(List.of(a));
            fail();
        } catch (CloudException e) {
            assertEquals(CloudException.Kind.THROTTLED, e.kind());
        }
        f.driver.terminate(List.of(a));
        assertEquals("shutting-down", f.server.instance(a).state);
    }
}
