package dev.tollgate.openstack.jenkins;

import dev.tollgate.cloud.jenkins.FormLists;
import dev.tollgate.cloud.jenkins.TollgateTemplate;
import dev.tollgate.openstack.config.OpenStackTemplateSpec;
import hudson.Extension;
import hudson.Util;
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
 * One template of an OpenStack cloud: the agents' labels, caps, Buildbot's timeouts and name pattern,
 * and the server Nova boots for each (flavor, image, networks, security groups, key pair, zone,
 * config drive, user data that starts the agent, metadata, a floating IP, a boot volume). Mirrors
 * {@link OpenStackTemplateSpec} key for key, with its defaults; the required keys are the
 * constructor's. Lists are {@code ArrayList}s (XStream cannot restore {@code List.of()}).
 * Configuration only: the engine holds what runs.
 */
public final class OpenStackTemplate extends TollgateTemplate<OpenStackTemplate> {
    private final String flavor;
    private final OpenStackImage image;
    private ArrayList<String> networks = new ArrayList<>();
    private ArrayList<String> securityGroups = new ArrayList<>();
    private String keyPair;
    private String availabilityZone;
    private boolean configDrive;
    private String userData;
    private ArrayList<OpenStackProperty> metadata = new ArrayList<>();
    private String floatingIpPool;
    private Integer bootVolumeSizeGb;
    private String remoteFs = "/home/jenkins/agent";

    @DataBoundConstructor
    public OpenStackTemplate(String name, String labels, String flavor, OpenStackImage image) {
        super(name, labels, 0, 1200);
        this.flavor = Util.fixEmptyAndTrim(flavor);
        this.image = image;
    }

    public String getFlavor() {
        return flavor;
    }

    public OpenStackImage getImage() {
        return image;
    }

    public List<String> getNetworks() {
        return networks;
    }

    @DataBoundSetter
    public void setNetworks(List<String> networks) {
        this.networks = FormLists.words(networks);
    }

    public List<String> getSecurityGroups() {
        return securityGroups;
    }

    @DataBoundSetter
    public void setSecurityGroups(List<String> securityGroups) {
        this.securityGroups = FormLists.words(securityGroups);
    }

    public String getKeyPair() {
        return keyPair;
    }

    @DataBoundSetter
    public void setKeyPair(String keyPair) {
        this.keyPair = Util.fixEmptyAndTrim(keyPair);
    }

    public String getAvailabilityZone() {
        return availabilityZone;
    }

    @DataBoundSetter
    public void setAvailabilityZone(String availabilityZone) {
        this.availabilityZone = Util.fixEmptyAndTrim(availabilityZone);
    }

    public boolean isConfigDrive() {
        return configDrive;
    }

    @DataBoundSetter
    public void setConfigDrive(boolean configDrive) {
        this.configDrive = configDrive;
    }

    public String getUserData() {
        return userData;
    }

    @DataBoundSetter
    public void setUserData(String userData) {
        this.userData = Util.fixEmpty(userData);
    }

    public List<OpenStackProperty> getMetadata() {
        return metadata;
    }

    @DataBoundSetter
    public void setMetadata(List<OpenStackProperty> metadata) {
        this.metadata = metadata == null ? new ArrayList<>() : new ArrayList<>(metadata);
    }

    public String getFloatingIpPool() {
        return floatingIpPool;
    }

    @DataBoundSetter
    public void setFloatingIpPool(String floatingIpPool) {
        this.floatingIpPool = Util.fixEmptyAndTrim(floatingIpPool);
    }

    public Integer getBootVolumeSizeGb() {
        return bootVolumeSizeGb;
    }

    @DataBoundSetter
    public void setBootVolumeSizeGb(Integer bootVolumeSizeGb) {
        this.bootVolumeSizeGb = bootVolumeSizeGb;
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
        if (remoteFs == null) {
            remoteFs = "/home/jenkins/agent";
        }
        networks = networks == null ? new ArrayList<>() : networks;
        securityGroups = securityGroups == null ? new ArrayList<>() : securityGroups;
        metadata = metadata == null ? new ArrayList<>() : metadata;
        return this;
    }

    public OpenStackTemplateSpec toRecord() {
        return new OpenStackTemplateSpec(getName(), getLabels(), getExecutors(), getInstanceCap(),
                getBuildWaitTimeoutSeconds(), getMissingTimeoutSeconds(), getMaxUses(), getNamePattern(), flavor,
                image == null ? null : image.toRecord(), networks, securityGroups, keyPair, availabilityZone, configDrive,
                userData, metadata.stream().map(OpenStackProperty::toRecord).toList(), floatingIpPool, bootVolumeSizeGb,
                remoteFs);
    }

    @Override
    public Descriptor<OpenStackTemplate> getDescriptor() {
        return Jenkins.get().getDescriptorByType(DescriptorImpl.class);
    }

    @Extension
    @Symbol("openStackTemplate")
    public static final class DescriptorImpl extends TollgateTemplateDescriptor<OpenStackTemplate> {
        @Override
        protected FormValidation checkTemplateField(String key, String value) {
            return FieldChecks.template(key, value);
        }

        @Override
        public int getDefaultBuildWaitTimeoutSeconds() {
            return 0;
        }

        @Override
        public int getDefaultMissingTimeoutSeconds() {
            return 1200;
        }

        @Override
        public String getDisplayName() {
            return "OpenStack template";
        }

        public FormValidation doCheckFlavor(@QueryParameter String value) {
            return FieldChecks.template("flavor", value);
        }

        public FormValidation doCheckBuildWaitTimeoutSeconds(@QueryParameter String value) {
            FormValidation v = FieldChecks.template("buildWaitTimeoutSeconds", value);
            if (v.kind == FormValidation.Kind.OK && "0".equals(Util.fixEmptyAndTrim(value))) {
                return FormValidation.ok("One build per server: every build gets a fresh one");
            }
            return v;
        }

        public FormValidation doCheckNetworks(@QueryParameter String value) {
            return FieldChecks.template("networks", value);
        }

        public FormValidation doCheckSecurityGroups(@QueryParameter String value) {
            return FieldChecks.template("securityGroups", value);
        }

        public FormValidation doCheckFloatingIpPool(@QueryParameter String value, @QueryParameter String networks) {
            if (Util.fixEmptyAndTrim(value) == null) {
                return FormValidation.ok("No floating IP: the controller reaches the agents on their own network");
            }
            return FieldChecks.floatingIpPool(value, FormLists.words(List.of(networks == null ? "" : networks)));
        }

        public FormValidation doCheckBootVolumeSizeGb(@QueryParameter String value) {
            return FieldChecks.template("bootVolumeSizeGb", value);
        }

        public FormValidation doCheckUserData(@QueryParameter String value) {
            FormValidation v = FieldChecks.template("userData", value);
            if (v.kind == FormValidation.Kind.OK && Util.fixEmpty(value) == null) {
                return FormValidation.warning("Without user data nothing starts the agent, unless the image does it itself "
                        + "({{JENKINS_URL}}, {{JENKINS_SECRET}} and {{JENKINS_AGENT_NAME}} are filled in here)");
            }
            return v;
        }

        public FormValidation doCheckRemoteFs(@QueryParameter String value) {
            return FieldChecks.template("remoteFs", value);
        }
    }
}
