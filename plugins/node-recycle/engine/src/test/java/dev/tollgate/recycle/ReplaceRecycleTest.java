package dev.tollgate.recycle;

import static dev.tollgate.recycle.FakePorts.build;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.tollgate.common.BuildResult;
import dev.tollgate.recycle.RecycleEvent.Kind;
import java.time.Duration;
import java.util.List;
import org.junit.Before;
import org.junit.Test;

/** REPLACE mode: the cloud ends the instance instead of a reboot. */
public class ReplaceRecycleTest {
    private FakePorts ports;
    private Recycler recycler;

    @Before
    public void setUp() {
        ports = new FakePorts();
        ports.cloudAgents.add("spot-1");
        RecyclePolicy replace = RecyclePolicy.builder().mode(RecycleMode.REPLACE).reconnectTimeout(Duration.ofMinutes(5)).build();
        recycler = ports.recycler(PolicyRules.builder().forLabel("devstack_slave", replace).build());
    }

    private AgentStatus status(String agent) {
        return recycler.status(agent).orElseThrow();
    }

    @Test
    public void cloudAgentIsReplaced_noRebootCommand() {
        assertEquals(Recycler.Outcome.RECYCLING, recycler.buildCompleted(build("spot-1", 9, BuildResult.SUCCESS)));
        assertEquals("Tollgate: replacing this cloud agent after check-tempest #9 (SUCCESS)", ports.offlineCause.get("spot-1"));
        recycler.tick();
        assertEquals(RecycleState.REPLACING, status("spot-1").state());
        ports.replacements.get("spot-1").complete(null);

        assertEquals(RecycleState.REPLACED, status("spot-1").state());
        assertEquals(List.of("offline spot-1", "replace spot-1"), ports.verbs());
        assertEquals(List.of(Kind.STARTED, Kind.REPLACED), ports.eventKinds());
        assertTrue(ports.commands.isEmpty());
    }

    @Test
    public void replacementFails_staysOfflineWithReason() {
        recycler.buildCompleted(build("spot-1", 9, BuildResult.FAILURE));
        recycler.tick();
        ports.replacements.get("spot-1").completeExceptionally(new IllegalStateException("UnauthorizedOperation: ec2:TerminateInstances"));

        AgentStatus s = status("spot-1");
        assertEquals(RecycleState.FAILED_STAYS_OFFLINE, s.state());
        assertEquals("Tollgate: replacement failed: UnauthorizedOperation: ec2:TerminateInstances; left offline."
                + " Last build: check-tempest #9 (FAILURE)", s.cause());
        assertEquals(s.cause(), ports.offlineCause.get("spot-1"));
        assertEquals(List.of(Kind.STARTED, Kind.REPLACEMENT_FAILED), ports.eventKinds());
    }

    @Test
    public void replacementThatNeverEnds_failsAtTheTimeoutOnce() {
        recycler.buildCompleted(build("spot-1", 9, BuildResult.FAILURE));
        recycler.tick();
        ports.clock.advance(Duration.ofMinutes(5));
        recycler.tick();
        recycler.tick();
        assertEquals(RecycleState.FAILED_STAYS_OFFLINE, status("spot-1").state());
        assertTrue(status("spot-1").cause().contains("did not end the instance within 5 min"));
        ports.replacements.get("spot-1").complete(null); // too late: stays failed, no second event
        assertEquals(RecycleState.FAILED_STAYS_OFFLINE, status("spot-1").state());
        assertEquals(1, ports.failures());
    }

    @Test
    public void replacePolicyOnAStaticAgent_staysOfflineAndSaysWhy() {
        recycler.buildCompleted(build("static-1", 3, BuildResult.SUCCESS));
        recycler.tick();
        assertEquals(RecycleState.FAILED_STAYS_OFFLINE, status("static-1").state());
        // what every REPLACE rule does today: the suite's clouds are not bound to Jenkins yet, so the
        // plugin's CloudAgents says no agent is one of theirs, and no agent is ever rebooted instead
        assertEquals("Tollgate: policy says REPLACE but this agent does not come from one of Tollgate's clouds (only "
                + "those can be replaced); left offline — use REBOOT or OFFLINE for its label. Last build: check-tempest "
                + "#3 (SUCCESS)", status("static-1").cause());
        assertEquals(status("static-1").cause(), ports.offlineCause.get("static-1"));
        assertEquals(List.of("offline static-1", "offline static-1"), ports.verbs());
        assertEquals(List.of(Kind.STARTED, Kind.REPLACEMENT_FAILED), ports.eventKinds());
    }
}
