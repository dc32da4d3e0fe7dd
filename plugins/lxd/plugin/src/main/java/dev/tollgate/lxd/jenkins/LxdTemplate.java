package dev.tollgate.lxd.jenkins;

import dev.tollgate.cloud.jenkins.FormLists;
import dev.tollgate.cloud.jenkins.TollgateTemplate;
import dev.tollgate.lxd.config.LxdTemplateSpec;
import hudson.Extension;
import hudson.Util;
import hudson.model.Descriptor;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import jenkins.model.Jenkins;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;

/**
 * One template of an LXD cloud: the agents' labels, caps, Buildbot's timeouts and name pattern, and
 * the instance LXD makes for each (image, type, profiles, config, devices, ephemeral) with how its
 * agent starts (exec, or cloud-init). Mirrors {@link LxdTemplateSpec} key for key, with its defaults;
 * the required keys are the constructor's. Lists are {@code ArrayList}s (XStream cannot restore
 * {@code List.of()}). Configuration only: the engine holds what runs.
 */
public final class LxdTemplate extends TollgateTemplate<LxdTemplate> {
    private final String image;
    private String imageRemote;
    private String type = "container";
    private ArrayList<String> profiles = new ArrayList<>();
    private ArrayList<LxdConfigEntry> config = new ArrayList<>();
    private ArrayList<LxdDevice> devices = new ArrayList<>();
    private boolean ephemeral = true;
    private ArrayList<String> agentCommand = new ArrayList<>();
    private int agentUser;
    private String agentCwd;
    private String cloudInitUserData;
    private String remoteFs = "/home/jenkins/agent";

    @DataBoundConstructor
    public LxdTemplate(String name, String labels, String image) {
        super(name, labels, 0, 600);
        this.image = Util.fixEmptyAndTrim(image);
    }

    public String getImage() {
        return image;
    }

    public String getImageRemote() {
        return imageRemote;
    }

    @DataBoundSetter
    public void setImageRemote(String imageRemote) {
        this.imageRemote = Util.fixEmptyAndTrim(imageRemote);
    }

    public String getType() {
        return type;
    }

    @DataBoundSetter
    public void setType(String type) {
        String t = Util.fixEmptyAndTrim(type);
        this.type = t == null ? "container" : t;
    }

    public List<String> getProfiles() {
        return profiles;
    }

    @DataBoundSetter
    public void setProfiles(List<String> profiles) {
        this.profiles = FormLists.words(profiles);
    }

    public List<LxdConfigEntry> getConfig() {
        return config;
    }

    @DataBoundSetter
    public void setConfig(List<LxdConfigEntry> config) {
        this.config = config == null ? new ArrayList<>() : new ArrayList<>(config);
    }

    public List<LxdDevice> getDevices() {
        return devices;
    }

    @DataBoundSetter
    public void setDevices(List<LxdDevice> devices) {
        this.devices = devices == null ? new ArrayList<>() : new ArrayList<>(devices);
    }

    public boolean isEphemeral() {
        return ephemeral;
    }

    @DataBoundSetter
    public void setEphemeral(boolean ephemeral) {
        this.ephemeral = ephemeral;
    }

    public List<String> getAgentCommand() {
        return agentCommand;
    }

    /** One argument per entry; arguments may hold spaces (the command runs without a shell). */
    @DataBoundSetter
    public void setAgentCommand(List<String> agentCommand) {
        this.agentCommand = FormLists.arguments(agentCommand);
    }

    public int getAgentUser() {
        return agentUser;
    }

    @DataBoundSetter
    public void setAgentUser(int agentUser) {
        this.agentUser = agentUser;
    }

    public String getAgentCwd() {
        return agentCwd;
    }

    @DataBoundSetter
    public void setAgentCwd(String agentCwd) {
        this.agentCwd = Util.fixEmptyAndTrim(agentCwd);
    }

    public String getCloudInitUserData() {
        return cloudInitUserData;
    }

    @DataBoundSetter
    public void setCloudInitUserData(String cloudInitUserData) {
        this.cloudInitUserData = Util.fixEmpty(cloudInitUserData);
    }

    public String getRemoteFs() {
        return remoteFs;
    }

    @DataBoundSetter
    public void setRemoteFs(String remoteFs) {
        String r = Util.fixEmptyAndTrim(remoteFs);
        this.remoteFs = r == null ? "/home/jenkins/agent" : r;
    }

    /** A configuration saved before a key existed gets the key's default, not Java's. */
    private Object readResolve() {
        if (type == null) {
            type = "container";
        }
        if (remoteFs == null) {
            remoteFs = "/home/jenkins/agent";
        }
        profiles = profiles == null ? new ArrayList<>() : profiles;
        config = config == null ? new ArrayList<>() : config;
        devices = devices == null ? new ArrayList<>() : devices;
        agentCommand = agentCommand == null ? new ArrayList<>() : agentCommand;
        return this;
    }

    public LxdTemplateSpec toRecord() {
        return new LxdTemplateSpec(getName(), getLabels(), getExecutors(), getInstanceCap(), getBuildWaitTimeoutSeconds(), getMissingTimeoutSeconds(),
                getMaxUses(), getNamePattern(), image, imageRemote, type, profiles,
                config.stream().map(LxdConfigEntry::toRecord).toList(),
                devices.stream().map(LxdDevice::toRecord).toList(), ephemeral, agentCommand, agentUser, agentCwd,
                cloudInitUserData, remoteFs);
    }

    @Override
    public Descriptor<LxdTemplate> getDescriptor() {
        return Jenkins.get().getDescriptorByType(DescriptorImpl.class);
    }

    @Extension
    @Symbol("lxdTemplate")
    public static final class DescriptorImpl extends TollgateTemplateDescriptor<LxdTemplate> {
        @Override
        protected FormValidation checkTemplateField(String key, String value) {
            return FieldChecks.template(key, value);
        }

        @Override
        protected Set<String> argumentLists() {
            return Set.of("agentCommand"); // exec runs it without a shell: an argument may hold spaces
        }

        @Override
        public int getDefaultBuildWaitTimeoutSeconds() {
            return 0;
        }

        @Override
        public int getDefaultMissingTimeoutSeconds() {
            return 600;
        }

        @Override
        public String getDisplayName() {
            return "LXD template";
        }

        public ListBoxModel doFillTypeItems() {
            ListBoxModel m = new ListBoxModel();
            m.add("Container", "container");
            m.add("Virtual machine", "virtual-machine");
            return m;
        }

        public FormValidation doCheckImage(@QueryParameter String value) {
            return FieldChecks.template("image", value);
        }

        public FormValidation doCheckBuildWaitTimeoutSeconds(@QueryParameter String value) {
            FormValidation v = FieldChecks.template("buildWaitTimeoutSeconds", value);
            if (v.kind == FormValidation.Kind.OK && "0".equals(Util.fixEmptyAndTrim(value))) {
                return FormValidation.ok("One build per instance: every build gets a fresh one");
            }
            return v;
        }

        /** The name's form; whether the cloud has this image server is checked when the cloud is saved. */
        public FormValidation doCheckImageRemote(@QueryParameter String value) {
            String r = Util.fixEmptyAndTrim(value);
            if (r == null) {
                return FormValidation.ok("The daemon's own images");
            }
            return FieldChecks.imageRemote("name", r);
        }

        public FormValidation doCheckType(@QueryParameter String value) {
            return FieldChecks.template("type", value);
        }

        public FormValidation doCheckProfiles(@QueryParameter String value) {
            return FieldChecks.template("profiles", value);
        }

        public FormValidation doCheckAgentCommand(@QueryParameter String value,
                                                  @QueryParameter String cloudInitUserData) {
            return FieldChecks.agentStart("agentCommand", value, cloudInitUserData);
        }

        public FormValidation doCheckAgentUser(@QueryParameter String value) {
            return FieldChecks.template("agentUser", value);
        }

        public FormValidation doCheckAgentCwd(@QueryParameter String value) {
            String cwd = Util.fixEmptyAndTrim(value);
            return cwd == null || cwd.startsWith("/") ? FormValidation.ok() : FormValidation.error("must be an absolute path");
        }

        public FormValidation doCheckCloudInitUserData(@QueryParameter String value,
                                                       @QueryParameter String agentCommand) {
            FormValidation v = FieldChecks.agentStart("cloudInitUserData", agentCommand, value);
            if (v.kind == FormValidation.Kind.OK && Util.fixEmpty(value) != null) {
                return FormValidation.warning("Cloud-init user data is stored in the instance's config, where whoever "
                        + "can read the config sees the agent's secret; the agent command keeps it in the agent's environment");
            }
            return v;
        }

        public FormValidation doCheckRemoteFs(@QueryParameter String value) {
            return FieldChecks.template("remoteFs", value);
        }
    }
}
