package dev.tollgate.ec2.jenkins;

import dev.tollgate.ec2.config.Ec2TagSpec;
import hudson.Extension;
import hudson.model.Describable;
import hudson.model.Descriptor;
import hudson.util.FormValidation;
import jenkins.model.Jenkins;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.QueryParameter;

/** One EC2 tag (instance tag, or a tag an image must carry). Mirrors {@link Ec2TagSpec}. Immutable. */
public final class Ec2Tag implements Describable<Ec2Tag> {
    private final String key;
    private final String value;

    @DataBoundConstructor
    public Ec2Tag(String key, String value) {
        this.key = key;
        this.value = value;
    }

    public String getKey() {
        return key;
    }

    public String getValue() {
        return value;
    }

    public Ec2TagSpec toRecord() {
        return new Ec2TagSpec(key, value);
    }

    @Override
    public Descriptor<Ec2Tag> getDescriptor() {
        return Jenkins.get().getDescriptorByType(DescriptorImpl.class);
    }

    @Extension
    @Symbol("ec2Tag")
    public static final class DescriptorImpl extends Descriptor<Ec2Tag> {
        @Override
        public String getDisplayName() {
            return "Tag";
        }

        public FormValidation doCheckKey(@QueryParameter String value) {
            return FieldChecks.instanceTag("key", value);
        }

        public FormValidation doCheckValue(@QueryParameter String value) {
            return FieldChecks.instanceTag("value", value);
        }
    }
}
