package dev.tollgate.recycle.config;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.tollgate.common.BuildResult;
import dev.tollgate.common.config.Schema;
import dev.tollgate.recycle.InvalidPolicyException;
import dev.tollgate.recycle.PolicyRules;
import dev.tollgate.recycle.RecycleMode;
import dev.tollgate.recycle.RecyclePolicy;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.Test;

/** The configuration records: checked at the key to change, and turned into the engine's rules. */
public class RecycleConfigTest {

    static RecycleRule rule(String label, String mode) {
        return new RecycleRule(label, mode, RecyclePolicy.DEFAULT_REBOOT_COMMAND, 15, null, 120, List.of());
    }

    /** Problems as {@code LABEL.KEY: MESSAGE}, in the order found. */
    static List<String> problems(RecycleRule... rules) {
        List<String> out = new ArrayList<>();
        RecycleConfig.check(new RecycleSettings(List.of(rules)), (record, keyOfRecord, key, message) -> {
            assertEquals("rules", keyOfRecord);
            out.add(((RecycleRule) record).label() + "." + key + ": " + message);
        });
        return out;
    }

    @Test
    public void theSeedsRuleIsValidAndRebootsAfterEveryBuild() {
        RecycleRule seed = new RecycleRule("devstack_slave", "REBOOT", "sudo shutdown -r +1", 15, null, 120, List.of());
        assertEquals(List.of(), problems(seed));
        PolicyRules rules = RecycleConfig.rules(new RecycleSettings(List.of(seed)));
        RecyclePolicy p = rules.resolve("slave1", Set.of("slave1", "devstack_slave"));
        assertEquals(RecycleMode.REBOOT, p.mode());
        assertEquals("sudo shutdown -r +1", p.rebootCommand());
        assertEquals(RecyclePolicy.BUILD_RESULTS, p.appliesTo());
        assertSame(RecyclePolicy.none(), rules.resolve("other", Set.of("other", "docs")));
        assertEquals("1 rule(s): devstack_slave: REBOOT `sudo shutdown -r +1`",
                RecycleConfig.summary(new RecycleSettings(List.of(seed))));
    }

    @Test
    public void theSchemaDefaultsAreTheEnginesDefaults() {
        for (Class<? extends Record> type : List.of(RecycleRule.class, JobRecycleOption.class)) {
            for (RecordComponent c : type.getRecordComponents()) {
                Schema.Default d = c.getAnnotation(Schema.Default.class);
                switch (c.getName()) {
                    case "rebootCommand" -> assertEquals(RecyclePolicy.DEFAULT_REBOOT_COMMAND, d.value());
                    case "reconnectTimeoutMinutes" -> assertEquals(RecyclePolicy.DEFAULT_RECONNECT_TIMEOUT,
                            Duration.ofMinutes(Long.parseLong(d.value())));
                    case "commandTimeoutSeconds" -> assertEquals(RecyclePolicy.DEFAULT_COMMAND_TIMEOUT,
                            Duration.ofSeconds(Long.parseLong(d.value())));
                    default -> assertEquals(c.getName(), null, d);
                }
            }
        }
        RecyclePolicy defaults = RecycleConfig.policy(new JobRecycleOption("REBOOT", RecyclePolicy.DEFAULT_REBOOT_COMMAND,
                15, null, 120, List.of()));
        assertEquals(RecyclePolicy.rebootDefaults().toString(), defaults.toString());
    }

    @Test
    public void everyProblemIsReportedAtItsKey() {
        assertEquals(List.of(
                        "linux &&.label: invalid label expression `linux &&`: a label is missing at the end (at character 9)",
                        "a.mode: unknown mode `reboot`; use one of REBOOT, OFFLINE, REPLACE, NONE",
                        "b.results: unknown build result `FAILED`; use SUCCESS, UNSTABLE, FAILURE, NOT_BUILT, ABORTED",
                        "b.reconnectTimeoutMinutes: must be at least 1 (minutes), got 0",
                        "b.disconnectTimeoutMinutes: must be at least 1 (minutes), or left out; got -5",
                        "b.commandTimeoutSeconds: must be at least 1 (seconds), got 0",
                        "c.reconnectTimeoutMinutes: reconnect timeout 2 min does not cover the reboot delay in the command "
                                + "(1 min) plus boot time; use more than 2 min (default 15 min)",
                        "d.rebootCommand: reboot command is empty; set one (default: sudo /sbin/shutdown -r +1) or use "
                                + "mode NONE",
                        " a .label: a second rule for `a`: only the first would ever apply; keep one",
                        " .label: must not be empty"),
                problems(rule("linux &&", "REBOOT"),
                        rule("a", "reboot"),
                        new RecycleRule("b", "REBOOT", "sudo reboot", 0, -5, 0, List.of("FAILURE", "FAILED")),
                        new RecycleRule("c", "REBOOT", "sudo shutdown -r +1", 2, null, 60, List.of()),
                        new RecycleRule("d", "REBOOT", " ", 15, null, 120, List.of()),
                        rule(" a ", "OFFLINE"),
                        rule(" ", "NONE")));
    }

    @Test
    public void offlineAndReplaceNeedNoCommand() {
        assertEquals(List.of(), problems(new RecycleRule("gpu", "OFFLINE", "", 15, null, 120, List.of("FAILURE")),
                new RecycleRule("spot", "REPLACE", null, 10, null, 120, List.of())));
    }

    @Test
    public void rulesKeepTheirOrderAndTheirResults() {
        PolicyRules rules = RecycleConfig.rules(new RecycleSettings(List.of(
                new RecycleRule("devstack_slave && gpu", "OFFLINE", null, 15, null, 120, List.of("FAILURE", "ABORTED")),
                rule("devstack_slave", "REBOOT"))));
        RecyclePolicy gpu = rules.resolve("g1", Set.of("g1", "gpu", "devstack_slave"));
        assertEquals(RecycleMode.OFFLINE, gpu.mode());
        assertTrue(gpu.appliesTo(BuildResult.ABORTED));
        assertEquals(false, gpu.appliesTo(BuildResult.SUCCESS));
        assertEquals(RecycleMode.REBOOT, rules.resolve("a1", Set.of("a1", "devstack_slave")).mode());
    }

    @Test
    public void aJobsOwnPolicyIsCheckedLikeARule() {
        assertEquals(List.of("mode: unknown mode `SOMETIMES`; use one of REBOOT, OFFLINE, REPLACE, NONE"),
                RecycleConfig.problems(new JobRecycleOption("SOMETIMES", null, 15, null, 120, List.of())));
        RecyclePolicy p = RecycleConfig.policy(new JobRecycleOption("REBOOT", "sudo systemctl reboot", 20, 5, 30,
                List.of("FAILURE")));
        assertEquals("sudo systemctl reboot", p.rebootCommand());
        assertEquals(Duration.ofMinutes(20), p.reconnectTimeout());
        assertEquals(Optional.of(Duration.ofMinutes(5)), p.disconnectTimeout());
        assertEquals(Duration.ofSeconds(30), p.commandTimeout());
        assertEquals(Set.of(BuildResult.FAILURE), p.appliesTo());
        try {
            RecycleConfig.policy(new JobRecycleOption("REBOOT", null, 15, null, 120, List.of()));
            fail("an empty command was accepted");
        } catch (InvalidPolicyException e) {
            assertEquals(List.of("rebootCommand: reboot command is empty; set one (default: sudo /sbin/shutdown -r +1) "
                    + "or use mode NONE"), e.errors());
        }
    }

    @Test
    public void settingsBuiltInCodeNameTheRule() {
        assertEquals(List.of("rule `a`: mode: unknown mode `x`; use one of REBOOT, OFFLINE, REPLACE, NONE"),
                RecycleConfig.problems(new RecycleSettings(List.of(rule("a", "x")))));
        assertEquals("no rules (no agent is recycled)", RecycleConfig.summary(new RecycleSettings(null)));
    }
}
