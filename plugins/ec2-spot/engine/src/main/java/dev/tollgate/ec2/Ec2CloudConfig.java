package dev.tollgate.ec2;

import dev.tollgate.cloud.AgentTemplate;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One EC2 cloud: a region, its templates and the driver's caching. Construction validates everything
 * and throws {@link IllegalArgumentException} listing every problem found, so a bad configuration is
 * rejected at load time with a clear message rather than at the first launch.
 *
 * @param cloudName             the fingerprint's cloud name
 * @param region                e.g. {@code us-west-2}
 * @param templates             the cloud's templates, each with its EC2 options; the same list goes to the
 *                              engine's {@code CloudSettings}, so both see one set of templates
 * @param endpoint              null = the region's public endpoint; set for a VPC endpoint or a test server
 * @param priceCacheTtl         how long a 24-hour spot price average is reused before asking again
 * @param imageCacheTtl         how long a selected AMI is reused (a newly promoted image is picked up after this)
 * @param interruptionCheckInterval how often running spot instances are checked for an interruption
 *                              notice (one batched DescribeSpotInstanceRequests); EC2 gives two minutes
 * @param usePublicAddress      report the public IP (else the private one) as the agent's address
 * @param costRetention         how long the cost of an ended instance stays available
 */
public record Ec2CloudConfig(String cloudName, String region, URI endpoint, List<AgentTemplate<Ec2Options>> templates,
                             Duration priceCacheTtl, Duration imageCacheTtl, Duration interruptionCheckInterval,
                             boolean usePublicAddress, Duration costRetention) {
    public Ec2CloudConfig {
        templates = templates == null ? List.of() : List.copyOf(templates);
        priceCacheTtl = priceCacheTtl == null ? Duration.ofMinutes(10) : priceCacheTtl;
        imageCacheTtl = imageCacheTtl == null ? Duration.ofMinutes(5) : imageCacheTtl;
        interruptionCheckInterval = interruptionCheckInterval == null ? Duration.ofSeconds(30) : interruptionCheckInterval;
        costRetention = costRetention == null ? Duration.ofDays(1) : costRetention;
        List<String> p = new ArrayList<>();
        if (cloudName == null || cloudName.isBlank()) {
            p.add("the cloud needs a name");
        }
        if (region == null || !region.matches("[a-z]{2}(-[a-z]+)+-\\d+")) {
            p.add("region must look like us-west-2, got " + region);
        }
        if (endpoint != null && (endpoint.getScheme() == null || endpoint.getHost() == null)) {
            p.add("endpoint must be an absolute http(s) URL, got " + endpoint);
        }
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (AgentTemplate<Ec2Options> t : templates) {
            p.addAll(t.options().problems("template '" + t.name() + "'"));
            if (seen.merge(t.name(), 1, Integer::sum) == 2) {
                p.add("template '" + t.name() + "' is defined twice");
            }
        }
        for (Duration d : List.of(priceCacheTtl, imageCacheTtl, interruptionCheckInterval, costRetention)) {
            if (d.isNegative()) {
                p.add("durations must not be negative, got " + d);
            }
        }
        if (!p.isEmpty()) {
            throw new IllegalArgumentException("invalid EC2 cloud configuration:\n  - " + String.join("\n  - ", p));
        }
    }

    public static Ec2CloudConfig of(String cloudName, String region, List<AgentTemplate<Ec2Options>> templates) {
        return new Ec2CloudConfig(cloudName, region, null, templates, null, null, null, false, null);
    }

    public Ec2CloudConfig withEndpoint(URI uri) {
        return new Ec2CloudConfig(cloudName, region, uri, templates, priceCacheTtl, imageCacheTtl,
                interruptionCheckInterval, usePublicAddress, costRetention);
    }

    public Ec2CloudConfig withPriceCacheTtl(Duration d) {
        return new Ec2CloudConfig(cloudName, region, endpoint, templates, d, imageCacheTtl,
                interruptionCheckInterval, usePublicAddress, costRetention);
    }

    public Ec2CloudConfig withImageCacheTtl(Duration d) {
        return new Ec2CloudConfig(cloudName, region, endpoint, templates, priceCacheTtl, d,
                interruptionCheckInterval, usePublicAddress, costRetention);
    }

    public Ec2CloudConfig withInterruptionCheckInterval(Duration d) {
        return new Ec2CloudConfig(cloudName, region, endpoint, templates, priceCacheTtl, imageCacheTtl,
                d, usePublicAddress, costRetention);
    }

    public Ec2CloudConfig withUsePublicAddress(boolean b) {
        return new Ec2CloudConfig(cloudName, region, endpoint, templates, priceCacheTtl, imageCacheTtl,
                interruptionCheckInterval, b, costRetention);
    }

    public Optional<AgentTemplate<Ec2Options>> template(String name) {
        return templates.stream().filter(t -> t.name().equals(name)).findFirst();
    }
}
