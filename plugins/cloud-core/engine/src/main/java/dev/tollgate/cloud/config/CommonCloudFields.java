package dev.tollgate.cloud.config;

import dev.tollgate.cloud.AgentNamePattern;
import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.CloudSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cloud-wide keys every cloud record has, in the same words, units and rules (a cloud record
 * keeps them as its own flat components and hands them here): their checks ({@link #problems}) and
 * their mapping to cloud-core's {@link CloudSettings.Builder} ({@link #configure}). Immutable.
 *
 * @param instanceCap             most agents of the cloud at once; null = no cap
 * @param requestsPerSecond       steady rate of creates, a decimal as text
 * @param requestBurst            creates allowed at once
 * @param reaperGraceSeconds      an instance missing from a listing, or listed without a record, is
 *                                acted on after this long
 * @param describeIntervalSeconds instances not connected this long are looked at, at most this often
 * @param reaperIntervalSeconds   how often the reaper compares the cloud with the records
 * @param capacityCooldownSeconds a template out of capacity is skipped this long
 * @param throttleBackoffSeconds  first pause after the cloud throttles, doubled up to maxBackoffSeconds
 * @param terminateBackoffSeconds first pause after a failed terminate, doubled up to maxBackoffSeconds
 * @param maxBackoffSeconds       longest pause
 * @param recordRetentionMinutes  ended agents' records are kept this long
 */
public record CommonCloudFields(Integer instanceCap, String requestsPerSecond, int requestBurst,
                                int reaperGraceSeconds, int describeIntervalSeconds, int reaperIntervalSeconds,
                                int capacityCooldownSeconds, int throttleBackoffSeconds,
                                int terminateBackoffSeconds, int maxBackoffSeconds, int recordRetentionMinutes) {

    /** The problem of a cloud's name, if any: required, and cloud-core's rules for the engine's name. */
    public static List<CloudProblem> nameProblems(Record cloud, String symbol, String name) {
        List<CloudProblem> p = new ArrayList<>();
        if (name == null || name.isBlank()) {
            p.add(new CloudProblem(cloud, symbol, "name", "a name is required"));
        } else {
            try {
                CloudSettings.builder(AgentNamePattern.nodeSafe(name), "check")
                        .template(AgentTemplate.builder("t").build()).build();
            } catch (IllegalArgumentException e) {
                p.add(new CloudProblem(cloud, symbol, "name", JcascVars.afterColon(e.getMessage())));
            }
        }
        return p;
    }

    /**
     * The problems of these keys, at the cloud's record: the cap, the rate, then every whole number
     * that must be at least 1, these and the cloud's own {@code morePositive} ones.
     */
    public List<CloudProblem> problems(Record cloud, String symbol, JcascVars v, Map<String, Integer> morePositive) {
        List<CloudProblem> p = new ArrayList<>();
        if (instanceCap != null && instanceCap < 0) {
            p.add(new CloudProblem(cloud, symbol, "instanceCap",
                    "must be 0 or more (leave it out for no cap), got " + instanceCap));
        }
        Double rate = JcascVars.decimal(v.or(requestsPerSecond, "2"));
        if (rate == null || !(rate > 0)) {
            p.add(new CloudProblem(cloud, symbol, "requestsPerSecond", "must be a positive number, got " + requestsPerSecond));
        }
        Map<String, Integer> positive = new LinkedHashMap<>();
        positive.put("requestBurst", requestBurst);
        positive.putAll(morePositive);
        positive.put("reaperGraceSeconds", reaperGraceSeconds);
        positive.put("describeIntervalSeconds", describeIntervalSeconds);
        positive.put("reaperIntervalSeconds", reaperIntervalSeconds);
        positive.put("capacityCooldownSeconds", capacityCooldownSeconds);
        positive.put("throttleBackoffSeconds", throttleBackoffSeconds);
        positive.put("terminateBackoffSeconds", terminateBackoffSeconds);
        positive.put("maxBackoffSeconds", maxBackoffSeconds);
        positive.put("recordRetentionMinutes", recordRetentionMinutes);
        positive.forEach((k, n) -> {
            if (n < 1) {
                p.add(new CloudProblem(cloud, symbol, k, "must be at least 1, got " + n));
            }
        });
        return p;
    }

    /** The rate as the engine takes it; NumberFormatException when it is not a number (see {@link #problems}). */
    public double requestRate() {
        return Double.parseDouble(requestsPerSecond.trim());
    }

    /** These keys on cloud-core's settings builder, with the create rate as the cloud reads it. */
    public CloudSettings.Builder configure(CloudSettings.Builder b, double requestRate) {
        return b.instanceCap(instanceCap == null ? AgentTemplate.UNLIMITED : instanceCap)
                .requestRate(requestRate, requestBurst)
                .reaperGrace(Duration.ofSeconds(reaperGraceSeconds))
                .describeInterval(Duration.ofSeconds(describeIntervalSeconds))
                .reaperInterval(Duration.ofSeconds(reaperIntervalSeconds))
                .capacityCooldown(Duration.ofSeconds(capacityCooldownSeconds))
                .throttleBackoff(Duration.ofSeconds(throttleBackoffSeconds))
                .terminateBackoff(Duration.ofSeconds(terminateBackoffSeconds))
                .maxBackoff(Duration.ofSeconds(maxBackoffSeconds))
                .recordRetention(Duration.ofMinutes(recordRetentionMinutes));
    }
}
