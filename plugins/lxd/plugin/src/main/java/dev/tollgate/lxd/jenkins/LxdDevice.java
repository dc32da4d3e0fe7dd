package dev.tollgate.lxd.jenkins;

import dev.tollgate.lxd.config.LxdDeviceSpec;
import hudson.Extension;
import hudson.Util;
import hudson.model.Describable;
import hudson.model.Descriptor;
import hudson.util.FormValidation;
import java.util.ArrayList;
import java.util.List;
import jenkins.model.Jenkins;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;

/**
 * One device of a template's instances: its name, LXD type and the type's keys. Mirrors
 * {@link LxdDeviceSpec}. Configuration only.
 */
public final class LxdDevice implements Describable<LxdDevice> {
    private final String name;
    private final String type;
    private ArrayList<LxdConfigEntry> options = new ArrayList<>();

    @DataBoundConstructor
    public LxdDevice(String name, String type) {
        this.name = Util.fixEmptyAndTrim(name);
        this.type = Util.fixEmptyAndTrim(type);
    }

    public String getName() {
        return name;
    }

    public String getType() {
        return type;
    }

    public List<LxdConfigEntry> getOptions() {
        return options;
    }

    @DataBoundSetter
    public void setOptions(List<LxdConfigEntry> options) {
        this.options = options == null ? new ArrayList<>() : new ArrayList<>(options);
    }

    public LxdDeviceSpec toRecord() {
        return new LxdDeviceSpec(name, type, options.stream().map(LxdConfigEntry::toRecord).toList());
    }

    @Override
    public Descriptor<LxdDevice> getDescriptor() {
        return Jenkins.get().getDescriptorByType(DescriptorImpl.class);
    }

    @Extension
    @Symbol("lxdDevice")
    public static final class DescriptorImpl extends Descriptor<LxdDevice> {
        @Override
        public String getDisplayName() {
            return "LXD device";
        }

        public FormValidation doCheckName(@QueryParameter String value) {
            return FieldChecks.device("name", value);
        }

        public FormValidation doCheckType(@QueryParameter String value) {
            return FieldChecks.device("type", value);
        }
    }
}
