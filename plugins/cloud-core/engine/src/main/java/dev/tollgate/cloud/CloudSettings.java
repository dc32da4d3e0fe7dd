package dev.tollgate.cloud;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One cloud's settings as the engine needs them.
 *
 * @param cloudName          unique per controller; goes into the fingerprint
 * @param controllerId       identifies this controller in fingerprints (e.g. a hash of its identity key)
 * @param instanceCap        most instances alive at once in this cloud (default unlimited)
 * @param requestsPerSecond  steady create-request rate (token bucket refill), default 2/s
 * @param requestBurst       token bucket size: creates allowed at once, default 20
 * @param maxStarting        most agents starting at once in this cloud: asked for and not yet connected
 *                           (the create in flight, the instance booting, or running while its agent
 *                           connects); further demand waits for one to connect or fail. Bounds boot
 *                           storms where the token bucket only spaces the requests; default unlimited
 * @param templates          in order of preference (the planner and CAPACITY fallback follow it); each
 *                           carries its driver's options, which are validated here too
 * @param reaperGrace        how long an instance may be missing from listings, or listed without a record,
 *                           before the reaper acts (eventual consistency, creates in flight); default 5 min
 * @param describeInterval   instances not yet connected this long are described (batched), at most once per
 *                           interval; default 2 min, so an agent that connects promptly costs no describe
 * @param reaperInterval     how often {@link CloudEngine#tick()} runs a reaper cycle; default 5 min
 * @param interruptionCheckInterval how often {@link CloudEngine#tick()} asks the driver for interruption
 *                           notices while connected agents exist whose side does not report them; default
 *                           1 min, inside EC2's two minutes and one batched call for the whole cloud; zero
 *                           turns the check off
 * @param capacityCooldown   a template that failed with CAPACITY (or a permanent error) is skipped this long; default 2 min
 * @param throttleBackoff    first pause after a THROTTLED error, doubled per repeat up to {@code maxBackoff}, ±50% jitter; default 1 s
 * @param terminateBackoff   first pause after a failed terminate, doubled per repeat up to {@code maxBackoff}; default 5 s
 * @param maxBackoff         longest pause; default 5 min
 * @param recordRetention    ended records are kept this long (so late spot fulfilments are recognised); default 1 h
 * @param agentReportWindow  a connected agent whose side has reported (an interruption notice, or
 *                           {@link CloudEngine#interruptionWatchReport} saying it watches and sees none)
 *                           within this long, or connected less than this long ago, is left out of the
 *                           driver's interruption check; default 2 min. Only agents not covered so are
 *                           asked about, in one batched call, so a cloud whose agents all report makes none
 */
public record CloudSettings(String cloudName, String controllerId, int instanceCap, double requestsPerSecond,
                            int requestBurst, int maxStarting, List<AgentTemplate<?>> templates, Duration reaperGrace,
                            Duration describeInterval, Duration reaperInterval,
                            Duration interruptionCheckInterval, Duration capacityCooldown,
                            Duration throttleBackoff, Duration terminateBackoff, Duration maxBackoff,
                            Duration recordRetention, Duration agentReportWindow) {

    public CloudSettings {
        Objects.requireNonNull(templates, "templates");
        templates = List.copyOf(templates);
        List<String> p = new ArrayList<>();
        if (cloudName == null || !AgentTemplate.NAME.matcher(cloudName).matches()) {
            p.add("cloudName must be 1-40 characters of letters, digits, '.', '_' or '-', was '" + cloudName + "'");
        }
        if (controllerId == null || controllerId.isBlank() || controllerId.length() > 128) {
            p.add("controllerId must be 1-128 characters");
        }
        if (instanceCap < 0) {
            p.add("instanceCap must be 0 or more, was " + instanceCap);
        }
        if (!(requestsPerSecond > 0) || Double.isInfinite(requestsPerSecond)) {
            p.add("requestsPerSecond must be a positive number, was " + requestsPerSecond);
        }
        if (requestBurst < 1) {
            p.add("requestBurst must be at least 1, was " + requestBurst);
        }
        if (maxStarting < 1 && maxStarting != AgentTemplate.UNLIMITED) {
            p.add("maxStarting must be at least 1 (or unlimited), was " + maxStarting);
        }
        if (templates.isEmpty()) {
            p.add("at least one template is required");
        }
        Set<String> names = new HashSet<>();
        for (AgentTemplate<?> t : templates) {
            if (!names.add(t.name())) {
                p.add("template name '" + t.name() + "' is used twice");
            }
            p.addAll(t.options().problems("template '" + t.name() + "'"));
        }
        positive(p, "reaperGrace", reaperGrace);
        positive(p, "describeInterval", describeInterval);
        positive(p, "reaperInterval", reaperInterval);
        positive(p, "interruptionCheckInterval", interruptionCheckInterval);
        positive(p, "capacityCooldown", capacityCooldown);
        positive(p, "throttleBackoff", throttleBackoff);
        positive(p, "terminateBackoff", terminateBackoff);
        positive(p, "maxBackoff", maxBackoff);
        positive(p, "recordRetention", recordRetention);
        positive(p, "agentReportWindow", agentReportWindow);
        if (!p.isEmpty()) {
            throw new IllegalArgumentException("cloud '" + cloudName + "': " + String.join("; ", p));
        }
    }

    private static void positive(List<String> p, String what, Duration d) {
        if (d == null || d.isNegative()) {
            p.add(what + " must be zero or positive, was " + d);
        }
    }

    public static Builder builder(String cloudName, String controllerId) {
        return new Builder(cloudName, controllerId);
    }

    public Optional<AgentTemplate<?>> template(String name) {
        return templates.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    public static final class Builder {
        private final String cloudName, controllerId;
        private int instanceCap = AgentTemplate.UNLIMITED;
        private double requestsPerSecond = 2.0;
        private int requestBurst = 20;
        private int maxStarting = AgentTemplate.UNLIMITED;
        private final List<AgentTemplate<?>> templates = new ArrayList<>();
        private Duration reaperGrace = Duration.ofMinutes(5);
        private Duration describeInterval = Duration.ofMinutes(2);
        private Duration reaperInterval = Duration.ofMinutes(5);
        private Duration interruptionCheckInterval = Duration.ofMinutes(1);
        private Duration capacityCooldown = Duration.ofMinutes(2);
        private Duration throttleBackoff = Duration.ofSeconds(1);
        private Duration terminateBackoff = Duration.ofSeconds(5);
        private Duration maxBackoff = Duration.ofMinutes(5);
        private Duration recordRetention = Duration.ofHours(1);
        private Duration agentReportWindow = Duration.ofMinutes(2);

        private Builder(String cloudName, String controllerId) {
            this.cloudName = cloudName;
            this.controllerId = controllerId;
        }

        public Builder instanceCap(int v) { instanceCap = v; return this; }
        public Builder requestRate(double perSecond, int burst) { requestsPerSecond = perSecond; requestBurst = burst; return this; }
        public Builder maxStarting(int v) { maxStarting = v; return this; }
        public Builder template(AgentTemplate<?> t) { templates.add(t); return this; }
        public Builder templates(List<? extends AgentTemplate<?>> t) { templates.addAll(t); return this; }
        public Builder reaperGrace(Duration v) { reaperGrace = v; return this; }
        public Builder describeInterval(Duration v) { describeInterval = v; return this; }
        public Builder reaperInterval(Duration v) { reaperInterval = v; return this; }
        public Builder interruptionCheckInterval(Duration v) { interruptionCheckInterval = v; return this; }
        public Builder capacityCooldown(Duration v) { capacityCooldown = v; return this; }
        public Builder throttleBackoff(Duration v) { throttleBackoff = v; return this; }
        public Builder terminateBackoff(Duration v) { terminateBackoff = v; return this; }
        public Builder maxBackoff(Duration v) { maxBackoff = v; return this; }
        public Builder recordRetention(Duration v) { recordRetention = v; return this; }
        public Builder agentReportWindow(Duration v) { agentReportWindow = v; return this; }

        public CloudSettings build() {
            return new CloudSettings(cloudName, controllerId, instanceCap, requestsPerSecond, requestBurst, maxStarting,
                    templates, reaperGrace, describeInterval, reaperInterval, interruptionCheckInterval, capacityCooldown, throttleBackoff, terminateBackoff,
                    maxBackoff, recordRetention, agentReportWindow);
        }
    }
}
