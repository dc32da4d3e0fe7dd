package dev.tollgate.recycle.config;

import dev.tollgate.common.config.Schema;
import dev.tollgate.recycle.RecyclePolicy;
import java.util.List;

/**
 * A job's own recycling policy (the plugin's job property): it replaces, whole, the policy the
 * rules of {@link RecycleSettings} would pick for the agents the job's builds ran on. The keys are
 * those of a {@link RecycleRule} without the label, with the same meaning and defaults (the
 * engine's, never the rule's).
 *
 * @param mode                     REBOOT, OFFLINE, REPLACE or NONE (NONE: never recycle after this job)
 * @param rebootCommand            see {@link RecycleRule#rebootCommand()}
 * @param reconnectTimeoutMinutes  see {@link RecycleRule#reconnectTimeoutMinutes()}
 * @param disconnectTimeoutMinutes see {@link RecycleRule#disconnectTimeoutMinutes()}
 * @param commandTimeoutSeconds    see {@link RecycleRule#commandTimeoutSeconds()}
 * @param results                  see {@link RecycleRule#results()}
 */
public record JobRecycleOption(@Schema.Required("REBOOT, OFFLINE, REPLACE or NONE") String mode,
                               @Schema.Default(RecyclePolicy.DEFAULT_REBOOT_COMMAND) String rebootCommand,
                               @Schema.Default("15") int reconnectTimeoutMinutes,
                               Integer disconnectTimeoutMinutes,
                               @Schema.Default("120") int commandTimeoutSeconds,
                               List<String> results) {
    public JobRecycleOption {
        results = results == null ? List.of() : List.copyOf(results);
    }
}
