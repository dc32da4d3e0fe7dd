package dev.tollgate.recycle;

import dev.tollgate.common.BuildResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How agents of one label (or one agent) are recycled after a build: rebooted, replaced (cloud
 * agents), only taken offline, or left alone. Immutable; made with {@link #builder()}, which
 * validates everything and reports all problems at once.
 */
public final class RecyclePolicy {
    /** The results a build on an agent can end with: Jenkins' five. */
    public static final Set<BuildResult> BUILD_RESULTS = Collections.unmodifiableSet(
            EnumSet.range(BuildResult.SUCCESS, BuildResult.ABORTED));

    public static final String DEFAULT_REBOOT_COMMAND = "sudo /sbin/shutdown -r +1";
    /** Must cover the command's delay (+1 min) plus a slow boot of a devstack-sized VM. */
    public static final Duration DEFAULT_RECONNECT_TIMEOUT = Duration.ofMinutes(15);
    /** shutdown returns at once; a command still running after this is hung (e.g. sudo asking for a password). */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMinutes(2);
    /** Shortest boot we accept on top of the command's own delay when checking the reconnect timeout. */
    static final Duration MIN_BOOT = Duration.ofMinutes(1);

    // "shutdown ... +N" or "shutdown ... now": the delay in minutes the command asks for
    private static final Pattern SHUTDOWN_DELAY =
            Pattern.compile("\\bshutdown\\b.*?(?:\\s\\+(\\d{1,4})|\\s(now))(?=[\\s;&|]|$)");

    private static final RecyclePolicy NONE = new RecyclePolicy(new Builder().mode(RecycleMode.NONE));

    private final RecycleMode mode;
    private final String rebootCommand;
    private final Duration reconnectTimeout;
    private final Duration disconnectTimeout;
    private final Duration commandTimeout;
    private final Set<BuildResult> appliesTo;

    private RecyclePolicy(Builder b) {
        this.mode = b.mode;
        this.rebootCommand = b.rebootCommand == null ? null : b.rebootCommand.trim();
        this.reconnectTimeout = b.reconnectTimeout;
        this.disconnectTimeout = b.disconnectTimeout;
        this.commandTimeout = b.commandTimeout;
        this.appliesTo = b.appliesTo == null || b.appliesTo.isEmpty()
                ? Collections.unmodifiableSet(EnumSet.noneOf(BuildResult.class))
                : Collections.unmodifiableSet(EnumSet.copyOf(b.appliesTo));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A valid REBOOT policy with every default. */
    public static RecyclePolicy rebootDefaults() {
        return builder().build();
    }

    /** Do nothing after builds. */
    public static RecyclePolicy none() {
        return NONE;
    }

    public RecycleMode mode() {
        return mode;
    }

    public String rebootCommand() {
        return rebootCommand;
    }

    /** REBOOT: from the reboot command to the agent connected again. REPLACE: for the cloud to end the instance. */
    public Duration reconnectTimeout() {
        return reconnectTimeout;
    }

    /** If set, a still-connected agent after this long is reported (not failed): see docs/node-recycle.md. */
    public Optional<Duration> disconnectTimeout() {
        return Optional.ofNullable(disconnectTimeout);
    }

    public Duration commandTimeout() {
        return commandTimeout;
    }

    public Set<BuildResult> appliesTo() {
        return appliesTo;
    }

    public boolean appliesTo(BuildResult result) {
        return mode != RecycleMode.NONE && appliesTo.contains(result);
    }

    @Override
    public String toString() {
        return "RecyclePolicy[" + mode + (mode == RecycleMode.REBOOT ? " `" + rebootCommand + "`" : "")
                + (mode == RecycleMode.REBOOT || mode == RecycleMode.REPLACE ? ", reconnect " + Texts.human(reconnectTimeout) : "")
                + (disconnectTimeout != null ? ", disconnect " + Texts.human(disconnectTimeout) : "")
                + ", results " + appliesTo + "]";
    }

    /** The delay a {@code shutdown} command line asks for, if it is one ({@code +N} minutes or {@code now}). */
    static Optional<Duration> shutdownDelay(String commandLine) {
        if (commandLine == null) {
            return Optional.empty();
        }
        Matcher m = SHUTDOWN_DELAY.matcher(commandLine);
        if (!m.find()) {
            return Optional.empty();
        }
        return Optional.of(m.group(1) != null ? Duration.ofMinutes(Long.parseLong(m.group(1))) : Duration.ZERO);
    }

    /** The settings of a policy, to say which one a {@link Problem} is about. */
    public enum Setting {
        MODE, REBOOT_COMMAND, RECONNECT_TIMEOUT, DISCONNECT_TIMEOUT, COMMAND_TIMEOUT, APPLIES_TO
    }

    /** One problem with a policy: the setting to change, and a sentence that says why. */
    public record Problem(Setting setting, String message) {
    }

    public static final class Builder {
        private RecycleMode mode = RecycleMode.REBOOT;
        private String rebootCommand = DEFAULT_REBOOT_COMMAND;
        private Duration reconnectTimeout = DEFAULT_RECONNECT_TIMEOUT;
        private Duration disconnectTimeout;
        private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
        private Set<BuildResult> appliesTo = EnumSet.copyOf(BUILD_RESULTS);

        private Builder() {
        }

        public Builder mode(RecycleMode mode) {
            this.mode = mode;
            return this;
        }

        public Builder rebootCommand(String rebootCommand) {
            this.rebootCommand = rebootCommand;
            return this;
        }

        public Builder reconnectTimeout(Duration reconnectTimeout) {
            this.reconnectTimeout = reconnectTimeout;
            return this;
        }

        /** Optional; null means "no separate limit, only the reconnect timeout". */
        public Builder disconnectTimeout(Duration disconnectTimeout) {
            this.disconnectTimeout = disconnectTimeout;
            return this;
        }

        public Builder commandTimeout(Duration commandTimeout) {
            this.commandTimeout = commandTimeout;
            return this;
        }

        public Builder appliesTo(Set<BuildResult> results) {
            this.appliesTo = results == null ? null : (results.isEmpty() ? EnumSet.noneOf(BuildResult.class) : EnumSet.copyOf(results));
            return this;
        }

        public Builder appliesTo(BuildResult first, BuildResult... rest) {
            this.appliesTo = EnumSet.of(first, rest);
            return this;
        }

        /** Every problem with this configuration, as sentences; empty when it is valid. */
        public List<String> validate() {
            List<String> out = new ArrayList<>();
            problems().forEach(p -> out.add(p.message()));
            return out;
        }

        /**
         * Every problem with this configuration, each with the setting it is about (for a problem
         * between two settings, the one to change: the reconnect timeout), so a configuration file
         * can point at the line to fix. Empty when it is valid.
         */
        public List<Problem> problems() {
            List<Problem> errors = new ArrayList<>();
            if (mode == null) {
                errors.add(new Problem(Setting.MODE, "mode is required: REBOOT, OFFLINE, REPLACE or NONE"));
                return errors;
            }
            if (mode == RecycleMode.NONE) {
                return errors; // nothing else is used
            }
            if (appliesTo == null || appliesTo.isEmpty()) {
                errors.add(new Problem(Setting.APPLIES_TO, "the policy applies to no build result; list at least one of "
                        + BUILD_RESULTS + ", or use mode NONE to switch recycling off"));
            } else {
                for (BuildResult r : appliesTo) {
                    if (!r.isReportedByBuild()) {
                        // a build that ran on an agent ends with one of Jenkins' five results
                        errors.add(new Problem(Setting.APPLIES_TO, "the policy cannot apply to " + r
                                + ", which no build on an agent reports; use " + BUILD_RESULTS));
                    }
                }
            }
            if (mode == RecycleMode.OFFLINE) {
                return errors; // taken offline and left there: no command, no timeouts
            }
            if (!isPositive(reconnectTimeout)) {
                errors.add(new Problem(Setting.RECONNECT_TIMEOUT, "reconnect timeout must be a positive duration, got "
                        + reconnectTimeout));
            }
            if (mode == RecycleMode.REBOOT) {
                validateReboot(errors);
            }
            return errors;
        }

        private void validateReboot(List<Problem> errors) {
            if (rebootCommand == null || rebootCommand.isBlank()) {
                errors.add(new Problem(Setting.REBOOT_COMMAND, "reboot command is empty; set one (default: "
                        + DEFAULT_REBOOT_COMMAND + ") or use mode NONE"));
            } else if (rebootCommand.trim().chars().anyMatch(Character::isISOControl)) {
                errors.add(new Problem(Setting.REBOOT_COMMAND, "reboot command must be a single line without control characters"));
            }
            if (!isPositive(commandTimeout)) {
                errors.add(new Problem(Setting.COMMAND_TIMEOUT, "command timeout must be a positive duration, got "
                        + commandTimeout));
            }
            if (disconnectTimeout != null && !isPositive(disconnectTimeout)) {
                errors.add(new Problem(Setting.DISCONNECT_TIMEOUT, "disconnect timeout must be a positive duration (or unset), got "
                        + disconnectTimeout));
            }
            if (!isPositive(reconnectTimeout)) {
                return;
            }
            if (isPositive(commandTimeout) && commandTimeout.compareTo(reconnectTimeout) >= 0) {
                errors.add(new Problem(Setting.RECONNECT_TIMEOUT, "command timeout " + Texts.human(commandTimeout)
                        + " must be shorter than the reconnect timeout " + Texts.human(reconnectTimeout)));
            }
            if (disconnectTimeout != null && isPositive(disconnectTimeout) && disconnectTimeout.compareTo(reconnectTimeout) >= 0) {
                errors.add(new Problem(Setting.RECONNECT_TIMEOUT, "disconnect timeout " + Texts.human(disconnectTimeout)
                        + " must be shorter than the reconnect timeout " + Texts.human(reconnectTimeout)));
            }
            Optional<Duration> delay = shutdownDelay(rebootCommand);
            if (delay.isPresent()) {
                Duration minimum = delay.get().plus(MIN_BOOT);
                if (reconnectTimeout.compareTo(minimum) <= 0) {
                    errors.add(new Problem(Setting.RECONNECT_TIMEOUT, "reconnect timeout " + Texts.human(reconnectTimeout)
                            + " does not cover the reboot delay in the command (" + Texts.human(delay.get())
                            + ") plus boot time; use more than " + Texts.human(minimum) + " (default "
                            + Texts.human(DEFAULT_RECONNECT_TIMEOUT) + ")"));
                }
            }
        }

        private static boolean isPositive(Duration d) {
            return d != null && !d.isNegative() && !d.isZero();
        }

        /** @throws InvalidPolicyException listing every problem */
        public RecyclePolicy build() {
            List<String> errors = validate();
            if (!errors.isEmpty()) {
                throw new InvalidPolicyException(errors);
            }
            return new RecyclePolicy(this);
        }
    }
}
