package dev.tollgate.ec2.config;

import dev.tollgate.common.config.Schema;

/**
 * An EBS volume created with each instance (the engine's {@code BlockDevice}): a bigger root disk or
 * a scratch disk.
 *
 * @param deviceName          e.g. {@code /dev/xvda} (the image's root device, to resize it)
 * @param sizeGiB             1 to 65536
 * @param volumeType          gp3, gp2, io1, io2, st1, sc1 or standard
 * @param iops                io1, io2, gp3 only
 * @param deleteOnTermination a build disk must not outlive its instance and keep costing money
 * @param encrypted           EBS encryption
 */
public record Ec2BlockDeviceSpec(@Schema.Required String deviceName,
                                 @Schema.Required int sizeGiB,
                                 @Schema.Default("gp3") String volumeType,
                                 Integer iops,
                                 @Schema.Default("true") boolean deleteOnTermination,
                                 @Schema.Default("false") boolean encrypted) {
}
