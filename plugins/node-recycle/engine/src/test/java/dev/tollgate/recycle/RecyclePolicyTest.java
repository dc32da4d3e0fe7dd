package dev.tollgate.recycle;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.tollgate.common.BuildResult;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.Test;

/** Defaults, validation messages and rule resolution. */
public class RecyclePolicyTest {

    private static List<String> errorsOf(RecyclePolicy.Builder b) {
        try {
            b.build();
            fail("expected the policy to be rejected");
            return null;
        } catch (InvalidPolicyException e) {
            assertEquals(b.validate(), e.errors());
            assertTrue(e.getMessage(), e.getMessage().startsWith("invalid node recycling configuration: "));
            return e.errors();
        }
    }

    @Test
    public void defaultsMatchTheMetapluginCiJobs() {
        RecyclePolicy p = RecyclePolicy.rebootDefaults();
        assertEquals(RecycleMode.REBOOT, p.mode());
        assertEquals("sudo /sbin/shutdown -r +1", p.rebootCommand());
        assertEquals(Duration.ofMinutes(15), p.reconnectTimeout());
        assertEquals(Optional.empty(), p.disconnectTimeout());
        assertEquals(Duration.ofMinutes(2), p.commandTimeout());
        assertEquals(RecyclePolicy.BUILD_RESULTS, p.appliesTo());
        for (BuildResult r : RecyclePolicy.BUILD_RESULTS) {
            assertTrue(p.appliesTo(r));
        }
        assertFalse(RecyclePolicy.none().appliesTo(BuildResult.FAILURE));
    }

    @Test
    public void reconnectTimeoutMustCoverTheShutdownDelayPlusBoot() {
        List<String> errors = errorsOf(RecyclePolicy.builder().reconnectTimeout(Duration.ofMinutes(2))
                .commandTimeout(Duration.ofMinutes(1)));
        assertEquals(List.of("reconnect timeout 2 min does not cover the reboot delay in the command (1 min) plus boot time;"
                + " use more than 2 min (default 15 min)"), errors);
        RecyclePolicy.builder().reconnectTimeout(Duration.ofMinutes(3)).build();
        assertEquals(1, errorsOf(RecyclePolicy.builder().rebootCommand("sudo shutdown -r +10")
                .reconnectTimeout(Duration.ofMinutes(10))).size());
        RecyclePolicy.builder().rebootCommand("sudo shutdown -r now").reconnectTimeout(Duration.ofSeconds(90)).commandTimeout(Duration.ofMinutes(1)).build();
    }

    @Test
    public void shutdownDelayIsReadFromTheCommand() {
        assertEquals(Optional.of(Duration.ofMinutes(1)), RecyclePolicy.shutdownDelay("sudo /sbin/shutdown -r +1"));
        assertEquals(Optional.of(Duration.ofMinutes(5)), RecyclePolicy.shutdownDelay("sudo shutdown -r +5 'ci recycle' &"));
        assertEquals(Optional.of(Duration.ZERO), RecyclePolicy.shutdownDelay("sudo shutdown -r now"));
        assertEquals(Optional.empty(), RecyclePolicy.shutdownDelay("sudo systemctl reboot"));
        assertEquals(Optional.empty(), RecyclePolicy.shutdownDelay("sudo reboot +1"));
    }

    @Test
    public void aResultOnlyThePipelineGivesIsRefused() {
        assertEquals(List.of("the policy cannot apply to RETRY_LIMIT, which no build on an agent reports; use "
                        + "[SUCCESS, UNSTABLE, FAILURE, NOT_BUILT, ABORTED]"),
                errorsOf(RecyclePolicy.builder().appliesTo(Set.of(BuildResult.FAILURE, BuildResult.RETRY_LIMIT))));
    }

    @Test
    public void everyProblemIsListedAtOnce() {
        List<String> errors = errorsOf(RecyclePolicy.builder()
                .rebootCommand("  ")
                .reconnectTimeout(Duration.ZERO)
                .commandTimeout(Duration.ofSeconds(-1))
                .disconnectTimeout(Duration.ZERO)
                .appliesTo(Set.of()));
        assertEquals(List.of(
                "the policy applies to no build result; list at least one of [SUCCESS, UNSTABLE, FAILURE, NOT_BUILT, ABORTED],"
                        + " or use mode NONE to switch recycling off",
                "reconnect timeout must be a positive duration, got PT0S",
                "reboot command is empty; set one (default: sudo /sbin/shutdown -r +1) or use mode NONE",
                "command timeout must be a positive duration, got PT-1S",
                "disconnect timeout must be a positive duration (or unset), got PT0S"), errors);
    }

    @Test
    public void timeoutsMustNestInsideTheReconnectTimeout() {
        List<String> errors = errorsOf(RecyclePolicy.builder()
                .disconnectTimeout(Duration.ofMinutes(15))
                .commandTimeout(Duration.ofMinutes(20)));
        assertEquals(List.of(
                "command timeout 20 min must be shorter than the reconnect timeout 15 min",
                "disconnect timeout 15 min must be shorter than the reconnect timeout 15 min"), errors);
    }

    @Test
    public void rebootCommandMustBeOneLine() {
        assertEquals(List.of("reboot command must be a single line without control characters"),
                errorsOf(RecyclePolicy.builder().rebootCommand("sudo reboot\nrm -rf /")));
    }

    @Test
    public void missingModeIsRejected_noneNeedsNothingElse() {
        assertEquals(List.of("mode is required: REBOOT, OFFLINE, REPLACE or NONE"), errorsOf(RecyclePolicy.builder().mode(null)));
        RecyclePolicy none = RecyclePolicy.builder().mode(RecycleMode.NONE).rebootCommand(null).reconnectTimeout(null).build();
        assertEquals(RecycleMode.NONE, none.mode());
    }

    @Test
    public void replaceModeIgnoresTheRebootCommand() {
        RecyclePolicy p = RecyclePolicy.builder().mode(RecycleMode.REPLACE).rebootCommand("").build();
        assertEquals(RecycleMode.REPLACE, p.mode());
        assertEquals(List.of("reconnect timeout must be a positive duration, got null"),
                errorsOf(RecyclePolicy.builder().mode(RecycleMode.REPLACE).reconnectTimeout(null)));
    }

    @Test
    public void rulesResolveAgentThenFirstMatchingLabelThenFallback() {
        RecyclePolicy own = RecyclePolicy.builder().rebootCommand("sudo systemctl reboot").build();
        RecyclePolicy devstack = RecyclePolicy.rebootDefaults();
        RecyclePolicy spot = RecyclePolicy.builder().mode(RecycleMode.REPLACE).build();
        PolicyRules rules = PolicyRules.builder()
                .forLabel("devstack_slave", devstack)
                .forLabel("spot", spot)
                .forAgent("special", own)
                .build();
        assertSame(own, rules.resolve("special", Set.of("devstack_slave")));
        assertSame(devstack, rules.resolve("a1", Set.of("spot", "devstack_slave")));
        assertSame(spot, rules.resolve("a2", Set.of("spot")));
        assertSame(RecyclePolicy.none(), rules.resolve("a3", Set.of("docs")));
    }

    @Test
    public void ruleProblemsAreListed() {
        try {
            PolicyRules.builder()
                    .forLabel("devstack_slave", RecyclePolicy.rebootDefaults())
                    .forLabel("devstack_slave", RecyclePolicy.none())
                    .forAgent(" ", RecyclePolicy.none())
                    .forAgent("a1", null)
                    .build();
            fail("expected rejection");
        } catch (InvalidPolicyException e) {
            assertEquals(List.of("label devstack_slave has two rules; keep one", "a rule needs an agent name",
                    "agent a1: policy is missing"), e.errors());
        }
    }

    @Test
    public void durationsAreHuman() {
        assertEquals("15 min", Texts.human(Duration.ofMinutes(15)));
        assertEquals("1 min 30 s", Texts.human(Duration.ofSeconds(90)));
        assertEquals("1 h 30 min", Texts.human(Duration.ofMinutes(90)));
        assertEquals("0 s", Texts.human(Duration.ZERO));
    }
}
