package dev.tollgate.recycle;

import static dev.tollgate.recycle.FakePorts.build;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.tollgate.common.BuildResult;
import dev.tollgate.recycle.RecycleEvent.Kind;
import dev.tollgate.recycle.RecyclePolicy.Problem;
import dev.tollgate.recycle.RecyclePolicy.Setting;
import dev.tollgate.recycle.port.CommandResult;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.Before;
import org.junit.Test;

/** The OFFLINE mode, a job's own policy, rules by label expression, and what the ports are told. */
public class RulesAndOverridesTest {
    private FakePorts ports;
    private Recycler recycler;

    @Before
    public void setUp() {
        ports = new FakePorts();
        recycler = ports.recycler(PolicyRules.builder()
                .forLabel("devstack_slave && gpu", RecyclePolicy.builder().mode(RecycleMode.OFFLINE).build())
                .forLabel("devstack_slave", RecyclePolicy.rebootDefaults())
                .build());
    }

    private static CompletedBuild on(String agent, Set<String> labels, int number) {
        return new CompletedBuild(agent, labels, "check-tempest", number, BuildResult.FAILURE);
    }

    @Test
    public void offlineModeTakesTheAgentOfflineAndLeavesItThere() {
        assertEquals(Recycler.Outcome.RECYCLING, recycler.buildCompleted(on("g1", Set.of("devstack_slave", "gpu"), 7)));
        AgentStatus s = recycler.status("g1").orElseThrow();
        assertEquals(RecycleState.LEFT_OFFLINE, s.state());
        assertTrue(s.state().isTerminal());
        assertEquals("Tollgate: taken offline after check-tempest #7 (FAILURE) by the recycling rule; check the "
                + "machine, then bring it back online", ports.offlineCause.get("g1"));
        assertEquals(s.cause(), ports.offlineCause.get("g1"));

        ports.clock.advance(Duration.ofHours(2));
        ports.setConnected("g1", false);
        recycler.agentDisconnected("g1");
        ports.setConnected("g1", true);
        recycler.agentConnected("g1");
        recycler.tick();
        assertEquals("no command, no bringing online, ever", List.of("offline g1"), ports.verbs());
        assertEquals(List.of(Kind.LEFT_OFFLINE), ports.eventKinds());

        // a person brought it back; its next build is recycled again
        ports.offlineCause.remove("g1");
        assertEquals(Recycler.Outcome.RECYCLING, recycler.buildCompleted(on("g1", Set.of("devstack_slave", "gpu"), 8)));
        assertTrue(ports.offlineCause.get("g1").contains("#8"));
    }

    @Test
    public void theFirstMatchingLabelExpressionDecides() {
        recycler.buildCompleted(on("a1", Set.of("devstack_slave", "a1"), 1));
        recycler.buildCompleted(on("g1", Set.of("gpu", "devstack_slave"), 2));
        assertEquals(Recycler.Outcome.NOT_CONFIGURED, recycler.buildCompleted(on("d1", Set.of("docs", "d1"), 3)));
        assertEquals(RecycleState.OFFLINE_TAKEN, recycler.status("a1").orElseThrow().state());
        assertEquals(RecycleState.LEFT_OFFLINE, recycler.status("g1").orElseThrow().state());
        assertTrue(recycler.status("d1").isEmpty());
    }

    @Test
    public void aJobsOwnPolicyReplacesTheRuleWhole() {
        // the job says NONE on an agent whose rule says REBOOT
        assertEquals(Recycler.Outcome.NOT_CONFIGURED,
                recycler.buildCompleted(on("a1", Set.of("devstack_slave"), 1), RecyclePolicy.none()));
        assertTrue(ports.calls.isEmpty());

        // the job says REBOOT, with its own command, on an agent no rule covers
        RecyclePolicy own = RecyclePolicy.builder().rebootCommand("sudo systemctl reboot").build();
        assertEquals(Recycler.Outcome.RECYCLING, recycler.buildCompleted(on("d1", Set.of("docs"), 2), own));
        recycler.tick();
        assertEquals(List.of("offline d1: Tollgate: rebooting after check-tempest #2 (FAILURE) — back in up to 15 min",
                "command d1: sudo systemctl reboot"), ports.actions());

        // the job's results, not the rule's
        RecyclePolicy onlyFailures = RecyclePolicy.builder().appliesTo(BuildResult.FAILURE).build();
        assertEquals(Recycler.Outcome.RESULT_NOT_COVERED, recycler.buildCompleted(
                new CompletedBuild("a2", Set.of("devstack_slave"), "j", 3, BuildResult.SUCCESS), onlyFailures));

        // and the same build reported again is still a duplicate
        assertEquals(Recycler.Outcome.DUPLICATE, recycler.buildCompleted(on("d1", Set.of("docs"), 2), own));
    }

    @Test
    public void theCommandIsGivenTheTimeoutTheRecyclerWaits() {
        recycler.setRules(PolicyRules.everyAgent(RecyclePolicy.builder().commandTimeout(Duration.ofSeconds(45)).build()));
        recycler.buildCompleted(build("a1", 1, BuildResult.SUCCESS));
        recycler.tick();
        assertEquals(Duration.ofSeconds(45), ports.commandTimeouts.get("a1"));
        ports.commands.get("a1").complete(CommandResult.exited(0, ""));
        assertEquals(RecycleState.WAITING_DISCONNECT, recycler.status("a1").orElseThrow().state());
        assertEquals(List.of(Kind.STARTED, Kind.REBOOT_ACCEPTED), ports.eventKinds());
        assertEquals("reboot command `sudo /sbin/shutdown -r +1` accepted (exit 0); waiting for the agent to go down and "
                + "come back", ports.events.get(1).message());
    }

    @Test
    public void invalidLabelExpressionsAndRepeatedRulesAreListed() {
        try {
            PolicyRules.builder()
                    .forLabel("devstack_slave", RecyclePolicy.rebootDefaults())
                    .forLabel("linux && ", RecyclePolicy.rebootDefaults())
                    .forLabel(" devstack_slave ", RecyclePolicy.none())
                    .forLabel("", RecyclePolicy.none())
                    .build();
            fail("expected rejection");
        } catch (InvalidPolicyException e) {
            assertEquals(List.of(
                    "invalid label expression `linux &&`: a label is missing at the end (at character 9)",
                    "label devstack_slave has two rules; keep one",
                    "a rule needs a label"), e.errors());
        }
    }

    @Test
    public void problemsNameTheSettingToChange() {
        assertEquals(List.of(
                        new Problem(Setting.REBOOT_COMMAND, "reboot command must be a single line without control characters"),
                        new Problem(Setting.COMMAND_TIMEOUT, "command timeout must be a positive duration, got PT0S"),
                        new Problem(Setting.RECONNECT_TIMEOUT, "reconnect timeout 1 min does not cover the reboot delay "
                                + "in the command (1 min) plus boot time; use more than 2 min (default 15 min)")),
                RecyclePolicy.builder().rebootCommand("sudo shutdown -r +1\nx").commandTimeout(Duration.ZERO)
                        .reconnectTimeout(Duration.ofMinutes(1)).problems());
        assertEquals(List.of(new Problem(Setting.APPLIES_TO, "the policy cannot apply to LAUNCH_ERROR, which no build on "
                        + "an agent reports; use [SUCCESS, UNSTABLE, FAILURE, NOT_BUILT, ABORTED]")),
                RecyclePolicy.builder().mode(RecycleMode.OFFLINE).appliesTo(BuildResult.LAUNCH_ERROR).problems());
    }

    @Test
    public void offlineModeNeedsNoCommandOrTimeouts() {
        RecyclePolicy p = RecyclePolicy.builder().mode(RecycleMode.OFFLINE).rebootCommand(null).reconnectTimeout(null)
                .commandTimeout(null).build();
        assertSame(RecycleMode.OFFLINE, p.mode());
        assertEquals("RecyclePolicy[OFFLINE, results [SUCCESS, UNSTABLE, FAILURE, NOT_BUILT, ABORTED]]", p.toString());
    }
}
