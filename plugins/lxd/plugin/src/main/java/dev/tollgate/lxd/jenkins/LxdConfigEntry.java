package dev.tollgate.lxd.jenkins;

import dev.tollgate.lxd.config.LxdConfigSpec;
import hudson.Extension;
import hudson.Util;
import hudson.model.Describable;
import hudson.model.Descriptor;
import hudson.util.FormValidation;
import jenkins.model.Jenkins;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.QueryParameter;

/**
 * One LXD key and value: an instance config key of a template, or a key of a device. Mirrors
 * {@link LxdConfigSpec}. Immutable.
 */
public final class LxdConfigEntry implements Describable<LxdConfigEntry> {
    private final String key;
    private final String value;

    @DataBoundConstructor
    public LxdConfigEntry(String key, String value) {
        this.key = Util.fixEmptyAndTrim(key);
        this.value = value;
    }

    public String getKey() {
        return key;
    }

    public String getValue() {
        return value;
    }

    public LxdConfigSpec toRecord() {
        return new LxdConfigSpec(key, value);
    }

    @Override
    public Descriptor<LxdConfigEntry> getDescriptor() {
        return Jenkins.get().getDescriptorByType(DescriptorImpl.class);
    }

    @Extension
    @Symbol("lxdConfig")
    public static final class DescriptorImpl extends Descriptor<LxdConfigEntry> {
        @Override
        public String getDisplayName() {
            return "LXD key";
        }

        /** As an instance config key: the driver's rules (reserved and refused keys). */
        public FormValidation doCheckKey(@QueryParameter String value) {
            return FieldChecks.configEntry("key", value);
        }
    }
}
