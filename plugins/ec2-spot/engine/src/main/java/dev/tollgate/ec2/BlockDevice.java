package dev.tollgate.ec2;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * An EBS volume created with the instance (a block device mapping), e.g. a bigger root disk or a
 * scratch disk. The volume carries the fingerprint tags too, so the reaper can account for it.
 *
 * @param deviceName          e.g. {@code /dev/xvda} (the AMI's root device to resize it)
 * @param sizeGiB             volume size
 * @param volumeType          gp3, gp2, io1, io2, st1, sc1 or standard
 * @param iops                for io1/io2/gp3, else null
 * @param deleteOnTermination normally true: a build disk must not outlive its instance (and cost money)
 * @param encrypted           EBS encryption
 */
public record BlockDevice(String deviceName, int sizeGiB, String volumeType, Integer iops,
                          boolean deleteOnTermination, boolean encrypted) {
    private static final Set<String> TYPES = Set.of("gp2", "gp3", "io1", "io2", "st1", "sc1", "standard");

    public static BlockDevice gp3(String deviceName, int sizeGiB) {
        return new BlockDevice(deviceName, sizeGiB, "gp3", null, true, false);
    }

    List<String> problems(String where) {
        List<String> p = new ArrayList<>();
        if (deviceName == null || !deviceName.matches("/dev/[a-z0-9]+|xvd[a-z]+|sd[a-z][0-9]*")) {
            p.add(where + ".deviceName must look like /dev/xvdb, got " + deviceName);
        }
        if (sizeGiB < 1 || sizeGiB > 65536) {
            p.add(where + ".sizeGiB must be 1..65536, got " + sizeGiB);
        }
        if (volumeType == null || !TYPES.contains(volumeType)) {
            p.add(where + ".volumeType must be one of " + TYPES + ", got " + volumeType);
        }
        if (iops != null && iops < 100) {
            p.add(where + ".iops must be at least 100, got " + iops);
        }
        return p;
    }
}
