package dev.tollgate.ec2.jenkins;

import dev.tollgate.cloud.jenkins.FormLists;
import dev.tollgate.ec2.config.Ec2BlockDeviceSpec;
import hudson.Extension;
import hudson.model.Describable;
import hudson.model.Descriptor;
import hudson.util.FormValidation;
import jenkins.model.Jenkins;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;

/** An EBS volume created with each instance. Mirrors {@link Ec2BlockDeviceSpec}; defaults are the record's. */
public final class Ec2BlockDevice implements Describable<Ec2BlockDevice> {
    private final String deviceName;
    private final int sizeGiB;
    private String volumeType = "gp3";
    private Integer iops;
    private boolean deleteOnTermination = true;
    private boolean encrypted;

    @DataBoundConstructor
    public Ec2BlockDevice(String deviceName, int sizeGiB) {
        this.deviceName = deviceName;
        this.sizeGiB = sizeGiB;
    }

    public String getDeviceName() {
        return deviceName;
    }

    public int getSizeGiB() {
        return sizeGiB;
    }

    public String getVolumeType() {
        return volumeType;
    }

    @DataBoundSetter
    public void setVolumeType(String volumeType) {
        this.volumeType = FormLists.blankToNull(volumeType) == null ? "gp3" : volumeType.trim();
    }

    public Integer getIops() {
        return iops;
    }

    @DataBoundSetter
    public void setIops(Integer iops) {
        this.iops = iops;
    }

    public boolean isDeleteOnTermination() {
        return deleteOnTermination;
    }

    @DataBoundSetter
    public void setDeleteOnTermination(boolean deleteOnTermination) {
        this.deleteOnTermination = deleteOnTermination;
    }

    public boolean isEncrypted() {
        return encrypted;
    }

    @DataBoundSetter
    public void setEncrypted(boolean encrypted) {
        this.encrypted = encrypted;
    }

    public Ec2BlockDeviceSpec toRecord() {
        return new Ec2BlockDeviceSpec(deviceName, sizeGiB, volumeType, iops, deleteOnTermination, encrypted);
    }

    @Override
    public Descriptor<Ec2BlockDevice> getDescriptor() {
        return Jenkins.get().getDescriptorByType(DescriptorImpl.class);
    }

    @Extension
    @Symbol("ec2BlockDevice")
    public static final class DescriptorImpl extends Descriptor<Ec2BlockDevice> {
        @Override
        public String getDisplayName() {
            return "EBS volume";
        }

        public FormValidation doCheckDeviceName(@QueryParameter String value) {
            return FieldChecks.blockDevice("deviceName", value);
        }

        public FormValidation doCheckSizeGiB(@QueryParameter String value) {
            return FieldChecks.blockDevice("sizeGiB", value);
        }

        public FormValidation doCheckIops(@QueryParameter String value) {
            return FieldChecks.blockDevice("iops", value);
        }

        public FormValidation doCheckVolumeType(@QueryParameter String value) {
            return FieldChecks.blockDevice("volumeType", value);
        }
    }
}
