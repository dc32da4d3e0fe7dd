package dev.tollgate.recycle.config;

import dev.tollgate.common.BuildResult;
import dev.tollgate.recycle.InvalidPolicyException;
import dev.tollgate.recycle.LabelExpression;
import dev.tollgate.recycle.PolicyRules;
import dev.tollgate.recycle.RecycleMode;
import dev.tollgate.recycle.RecyclePolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks the configuration records ({@link RecycleSettings}, {@link JobRecycleOption}) and turns
 * them into the engine's {@link PolicyRules} and {@link RecyclePolicy}. One set of rules for every
 * way in: {@code tollgate validate} reads a JCasC file and reports each problem at its line; the
 * plugin checks its web form and its JCasC-applied configuration with the same rules before it
 * applies them. Stateless.
 */
public final class RecycleConfig {
    /** The JCasC symbol of the plugin's global configuration. */
    public static final String SYMBOL = "tollgateNodeRecycle";

    /** The modes a rule names, as written in the configuration. */
    public static final List<String> MODES = List.of("REBOOT", "OFFLINE", "REPLACE", "NONE");

    private static final String RESULTS = RecyclePolicy.BUILD_RESULTS.stream().map(Enum::name)
            .collect(Collectors.joining(", "));

    private RecycleConfig() {}

    /** Where a problem goes: the record it is about, the key that record stands under, and its key. */
    @FunctionalInterface
    public interface Problems {
        void add(Record record, String keyOfRecord, String key, String message);
    }

    /** Every problem of the section, each reported once, at the key to change. */
    public static void check(RecycleSettings settings, Problems problems) {
        Set<String> labels = new HashSet<>();
        for (RecycleRule rule : settings.rules()) {
            if (rule.label() != null && !rule.label().isBlank()) {
                String label = rule.label().trim();
                try {
                    LabelExpression.parse(label);
                    if (!labels.add(label)) {
                        problems.add(rule, "rules", "label", "a second rule for `" + label
                                + "`: only the first would ever apply; keep one");
                    }
                } catch (IllegalArgumentException e) {
                    problems.add(rule, "rules", "label", e.getMessage());
                }
            } else if (rule.label() != null) {
                problems.add(rule, "rules", "label", "must not be empty");
            }
            checkPolicy(rule, "rules", rule.policy(), problems);
        }
    }

    /** Every problem of a job's own policy. */
    public static void check(JobRecycleOption option, Problems problems) {
        checkPolicy(option, "", option, problems);
    }

    /** The problems of settings built in code (the plugin's form), each as {@code rule `LABEL`: KEY: MESSAGE}. */
    public static List<String> problems(RecycleSettings settings) {
        List<String> out = new ArrayList<>();
        check(settings, (record, keyOfRecord, key, message) ->
                out.add("rule `" + ((RecycleRule) record).label() + "`: " + key + ": " + message));
        return out;
    }

    /** The problems of a job's own policy built in code, each as {@code KEY: MESSAGE}. */
    public static List<String> problems(JobRecycleOption option) {
        List<String> out = new ArrayList<>();
        check(option, (record, keyOfRecord, key, message) -> out.add(key + ": " + message));
        return out;
    }

    /**
     * The engine's rules, in the configured order.
     *
     * @throws InvalidPolicyException with every problem {@link #problems(RecycleSettings)} lists
     */
    public static PolicyRules rules(RecycleSettings settings) {
        List<String> errors = problems(settings);
        if (!errors.isEmpty()) {
            throw new InvalidPolicyException(errors);
        }
        PolicyRules.Builder b = PolicyRules.builder();
        for (RecycleRule rule : settings.rules()) {
            b.forLabel(rule.label().trim(), builder(rule.policy()).build());
        }
        return b.build();
    }

    /**
     * A job's own policy.
     *
     * @throws InvalidPolicyException with every problem {@link #problems(JobRecycleOption)} lists
     */
    public static RecyclePolicy policy(JobRecycleOption option) {
        List<String> errors = problems(option);
        if (!errors.isEmpty()) {
            throw new InvalidPolicyException(errors);
        }
        return builder(option).build();
    }

    /** One line for {@code tollgate validate}, e.g. {@code 1 rule(s): devstack_slave: REBOOT `sudo shutdown -r +1`}. */
    public static String summary(RecycleSettings settings) {
        if (settings.rules().isEmpty()) {
            return "no rules (no agent is recycled)";
        }
        return settings.rules().size() + " rule(s): " + settings.rules().stream()
                .map(r -> String.valueOf(r.label()).trim() + ": " + r.mode()
                        + ("REBOOT".equals(r.mode()) ? " `" + String.valueOf(r.rebootCommand()).trim() + "`" : ""))
                .collect(Collectors.joining(", "));
    }

    // ---------------------------------------------------------------- policy

    private static void checkPolicy(Record record, String keyOfRecord, JobRecycleOption p, Problems problems) {
        List<String> found = new ArrayList<>();
        Problems counting = (r, k, key, message) -> {
            found.add(key);
            problems.add(r, k, key, message);
        };
        RecycleMode mode = null;
        if (p.mode() != null) {
            mode = mode(p.mode());
            if (mode == null) {
                counting.add(record, keyOfRecord, "mode", "unknown mode `" + p.mode() + "`; use one of "
                        + String.join(", ", MODES));
            }
        }
        for (String result : p.results()) {
            if (result(result) == null) {
                counting.add(record, keyOfRecord, "results", "unknown build result `" + result + "`; use " + RESULTS);
            }
        }
        if (p.reconnectTimeoutMinutes() < 1) {
            counting.add(record, keyOfRecord, "reconnectTimeoutMinutes", "must be at least 1 (minutes), got "
                    + p.reconnectTimeoutMinutes());
        }
        if (p.disconnectTimeoutMinutes() != null && p.disconnectTimeoutMinutes() < 1) {
            counting.add(record, keyOfRecord, "disconnectTimeoutMinutes", "must be at least 1 (minutes), or left out; got "
                    + p.disconnectTimeoutMinutes());
        }
        if (p.commandTimeoutSeconds() < 1) {
            counting.add(record, keyOfRecord, "commandTimeoutSeconds", "must be at least 1 (seconds), got "
                    + p.commandTimeoutSeconds());
        }
        if (mode == null || !found.isEmpty()) {
            return; // the engine's checks between settings need every value readable
        }
        for (RecyclePolicy.Problem problem : builder(p).problems()) {
            problems.add(record, keyOfRecord, key(problem.setting()), problem.message());
        }
    }

    private static RecyclePolicy.Builder builder(JobRecycleOption p) {
        Set<BuildResult> results = EnumSet.noneOf(BuildResult.class);
        p.results().forEach(r -> results.add(result(r)));
        return RecyclePolicy.builder()
                .mode(mode(p.mode()))
                .rebootCommand(p.rebootCommand())
                .reconnectTimeout(Duration.ofMinutes(p.reconnectTimeoutMinutes()))
                .disconnectTimeout(p.disconnectTimeoutMinutes() == null ? null
                        : Duration.ofMinutes(p.disconnectTimeoutMinutes()))
                .commandTimeout(Duration.ofSeconds(p.commandTimeoutSeconds()))
                .appliesTo(results.isEmpty() ? RecyclePolicy.BUILD_RESULTS : results);
    }

    private static String key(RecyclePolicy.Setting setting) {
        return switch (setting) {
            case MODE -> "mode";
            case REBOOT_COMMAND -> "rebootCommand";
            case RECONNECT_TIMEOUT -> "reconnectTimeoutMinutes";
            case DISCONNECT_TIMEOUT -> "disconnectTimeoutMinutes";
            case COMMAND_TIMEOUT -> "commandTimeoutSeconds";
            case APPLIES_TO -> "results";
        };
    }

    private static RecycleMode mode(String name) {
        return MODES.contains(name) ? RecycleMode.valueOf(name) : null;
    }

    private static BuildResult result(String name) {
        for (BuildResult r : RecyclePolicy.BUILD_RESULTS) {
            if (r.name().equals(name)) {
                return r;
            }
        }
        return null;
    }
}
