package dev.tollgate.ec2;

/**
 * An existing EBS volume attached once the instance runs (Buildbot's {@code volumes}:
 * (volume_id, mount_point)). A volume attaches to one instance at a time, so this only makes sense
 * for a template capped at one instance.
 */
public record VolumeAttachment(String volumeId, String device) {
    public VolumeAttachment {
        if (volumeId == null || !volumeId.startsWith("vol-")) {
            throw new IllegalArgumentException("volume id must start with vol-, got " + volumeId);
        }
        if (device == null || device.isBlank()) {
            throw new IllegalArgumentException("volume " + volumeId + " needs a device name such as /dev/sdf");
        }
    }
}
