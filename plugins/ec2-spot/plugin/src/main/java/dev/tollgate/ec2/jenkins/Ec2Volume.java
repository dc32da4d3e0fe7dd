package dev.tollgate.ec2.jenkins;

import dev.tollgate.ec2.config.Ec2VolumeSpec;
import hudson.Extension;
import hudson.model.Describable;
import hudson.model.Descriptor;
import hudson.util.FormValidation;
import jenkins.model.Jenkins;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.QueryParameter;

/** An existing EBS volume attached once the instance runs. Mirrors {@link Ec2VolumeSpec}. Immutable. */
public final class Ec2Volume implements Describable<Ec2Volume> {
    private final String volumeId;
    private final String device;

    @DataBoundConstructor
    public Ec2Volume(String volumeId, String device) {
        this.volumeId = volumeId;
        this.device = device;
    }

    public String getVolumeId() {
        return volumeId;
    }

    public String getDevice() {
        return device;
    }

    public Ec2VolumeSpec toRecord() {
        return new Ec2VolumeSpec(volumeId, device);
    }

    @Override
    public Descriptor<Ec2Volume> getDescriptor() {
        return Jenkins.get().getDescriptorByType(DescriptorImpl.class);
    }

    @Extension
    @Symbol("ec2Volume")
    public static final class DescriptorImpl extends Descriptor<Ec2Volume> {
        @Override
        public String getDisplayName() {
            return "Attached EBS volume";
        }

        public FormValidation doCheckVolumeId(@QueryParameter String value) {
            return FieldChecks.volume("volumeId", value);
        }

        public FormValidation doCheckDevice(@QueryParameter String value) {
            return FieldChecks.volume("device", value);
        }
    }
}
