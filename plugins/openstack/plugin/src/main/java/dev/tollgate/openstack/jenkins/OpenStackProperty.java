package dev.tollgate.openstack.jenkins;

import dev.tollgate.openstack.config.OpenStackPropertySpec;
import hudson.Extension;
import hudson.model.Describable;
import hudson.model.Descriptor;
import hudson.util.FormValidation;
import jenkins.model.Jenkins;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.QueryParameter;

/**
 * A key and its value: an image property a rule requires, or a metadata item of the servers.
 * Mirrors {@link OpenStackPropertySpec}. Immutable.
 */
public final class OpenStackProperty implements Describable<OpenStackProperty> {
    private final String key;
    private final String value;

    @DataBoundConstructor
    public OpenStackProperty(String key, String value) {
        this.key = key;
        this.value = value;
    }

    public String getKey() {
        return key;
    }

    public String getValue() {
        return value;
    }

    public OpenStackPropertySpec toRecord() {
        return new OpenStackPropertySpec(key, value);
    }

    @Override
    public Descriptor<OpenStackProperty> getDescriptor() {
        return Jenkins.get().getDescriptorByType(DescriptorImpl.class);
    }

    @Extension
    @Symbol("openStackProperty")
    public static final class DescriptorImpl extends Descriptor<OpenStackProperty> {
        @Override
        public String getDisplayName() {
            return "Key and value";
        }

        /** Checked as a metadata key, the stricter of the two uses (Nova's characters, tollgate: reserved). */
        public FormValidation doCheckKey(@QueryParameter String value) {
            return FieldChecks.metadata("key", value);
        }

        public FormValidation doCheckValue(@QueryParameter String value) {
            return FieldChecks.metadata("value", value);
        }
    }
}
