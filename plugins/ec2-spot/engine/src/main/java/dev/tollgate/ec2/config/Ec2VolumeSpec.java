package dev.tollgate.ec2.config;

import dev.tollgate.common.config.Schema;

/**
 * An existing EBS volume attached once the instance runs (Buildbot's {@code volumes}); a volume
 * attaches to one instance at a time, so only for a template capped at one instance.
 *
 * @param volumeId e.g. {@code vol-0123456789abcdef0}
 * @param device   e.g. {@code /dev/sdf}
 */
public record Ec2VolumeSpec(@Schema.Required String volumeId, @Schema.Required String device) {
}
