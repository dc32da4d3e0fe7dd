package dev.tollgate.recycle.config;

import dev.tollgate.common.config.Schema;
import dev.tollgate.recycle.RecyclePolicy;
import java.util.List;

/**
 * One rule of {@link RecycleSettings}: the agents a label expression matches, and what happens to
 * them after each build. Plain values (texts and numbers) so that JCasC and the web form bind them
 * directly; {@link RecycleConfig} checks them and builds the engine's {@link RecyclePolicy}.
 *
 * @param label                     a Jenkins label expression, e.g. {@code devstack_slave} or
 *                                  {@code devstack_slave && !gpu}, matched against the agent's labels
 *                                  (its name included, as in Jenkins)
 * @param mode                      REBOOT, OFFLINE, REPLACE or NONE ({@link dev.tollgate.recycle.RecycleMode})
 * @param rebootCommand             REBOOT: the shell command line run on the agent
 * @param reconnectTimeoutMinutes   REBOOT: from the command to the agent connected again; REPLACE:
 *                                  for the cloud to end the instance. Then the recycle fails and the
 *                                  agent stays offline
 * @param disconnectTimeoutMinutes  REBOOT, optional: still connected this long after the command is
 *                                  reported (and shown in the cause), not failed
 * @param commandTimeoutSeconds     REBOOT: a command still running after this while the agent is
 *                                  still connected has failed (sudo asking for a password)
 * @param results                   the build results that trigger it, from SUCCESS, UNSTABLE,
 *                                  FAILURE, NOT_BUILT, ABORTED; default all five
 */
public record RecycleRule(@Schema.Required String label,
                          @Schema.Required("REBOOT, OFFLINE, REPLACE or NONE") String mode,
                          @Schema.Default(RecyclePolicy.DEFAULT_REBOOT_COMMAND) String rebootCommand,
                          @Schema.Default("15") int reconnectTimeoutMinutes,
                          Integer disconnectTimeoutMinutes,
                          @Schema.Default("120") int commandTimeoutSeconds,
                          List<String> results) {
    public RecycleRule {
        results = results == null ? List.of() : List.copyOf(results);
    }

    /** The rule's policy settings, without its label. */
    public JobRecycleOption policy() {
        return new JobRecycleOption(mode, rebootCommand, reconnectTimeoutMinutes, disconnectTimeoutMinutes,
                commandTimeoutSeconds, results);
    }
}
