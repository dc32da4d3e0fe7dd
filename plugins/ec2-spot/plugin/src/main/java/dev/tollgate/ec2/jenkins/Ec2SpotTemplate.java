package dev.tollgate.ec2.jenkins;

import dev.tollgate.cloud.jenkins.FormLists;
import dev.tollgate.cloud.jenkins.TollgateTemplate;
import dev.tollgate.ec2.config.Ec2TemplateSpec;
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
 * One template of an EC2 spot cloud: the agents' labels, caps, Buildbot's timeouts and name pattern,
 * and what EC2 starts for them. Mirrors {@link Ec2TemplateSpec} key for key, with its defaults; the
 * required keys are the constructor's. Lists are {@code ArrayList}s (XStream cannot restore
 * {@code List.of()}). Configuration only: the engine holds what runs.
 */
public final class Ec2SpotTemplate extends TollgateTemplate<Ec2SpotTemplate> {
    private final String instanceType;
    private final Ec2Image image;
    private ArrayList<String> subnetIds = new ArrayList<>();
    private String availabilityZone;
    private ArrayList<String> securityGroupIds = new ArrayList<>();
    private String keyName;
    private String iamInstanceProfile;
    private String userData;
    private ArrayList<Ec2BlockDevice> blockDevices = new ArrayList<>();
    private ArrayList<Ec2Volume> attachVolumes = new ArrayList<>();
    private String elasticIpAllocationId;
    private ArrayList<Ec2Tag> tags = new ArrayList<>();
    private Ec2SpotBid spot;
    private String onDemandHourlyPrice;

    @DataBoundConstructor
    public Ec2SpotTemplate(String name, String labels, String instanceType, Ec2Image image) {
        super(name, labels);
        this.instanceType = Util.fixEmptyAndTrim(instanceType);
        this.image = image;
    }

    public String getInstanceType() {
        return instanceType;
    }

    public Ec2Image getImage() {
        return image;
    }

    public List<String> getSubnetIds() {
        return subnetIds;
    }

    @DataBoundSetter
    public void setSubnetIds(List<String> subnetIds) {
        this.subnetIds = FormLists.words(subnetIds);
    }

    public String getAvailabilityZone() {
        return availabilityZone;
    }

    @DataBoundSetter
    public void setAvailabilityZone(String availabilityZone) {
        this.availabilityZone = Util.fixEmptyAndTrim(availabilityZone);
    }

    public List<String> getSecurityGroupIds() {
        return securityGroupIds;
    }

    @DataBoundSetter
    public void setSecurityGroupIds(List<String> securityGroupIds) {
        this.securityGroupIds = FormLists.words(securityGroupIds);
    }

    public String getKeyName() {
        return keyName;
    }

    @DataBoundSetter
    public void setKeyName(String keyName) {
        this.keyName = Util.fixEmptyAndTrim(keyName);
    }

    public String getIamInstanceProfile() {
        return iamInstanceProfile;
    }

    @DataBoundSetter
    public void setIamInstanceProfile(String iamInstanceProfile) {
        this.iamInstanceProfile = Util.fixEmptyAndTrim(iamInstanceProfile);
    }

    public String getUserData() {
        return userData;
    }

    @DataBoundSetter
    public void setUserData(String userData) {
        this.userData = Util.fixEmpty(userData);
    }

    public List<Ec2BlockDevice> getBlockDevices() {
        return blockDevices;
    }

    @DataBoundSetter
    public void setBlockDevices(List<Ec2BlockDevice> blockDevices) {
        this.blockDevices = blockDevices == null ? new ArrayList<>() : new ArrayList<>(blockDevices);
    }

    public List<Ec2Volume> getAttachVolumes() {
        return attachVolumes;
    }

    @DataBoundSetter
    public void setAttachVolumes(List<Ec2Volume> attachVolumes) {
        this.attachVolumes = attachVolumes == null ? new ArrayList<>() : new ArrayList<>(attachVolumes);
    }

    public String getElasticIpAllocationId() {
        return elasticIpAllocationId;
    }

    @DataBoundSetter
    public void setElasticIpAllocationId(String elasticIpAllocationId) {
        this.elasticIpAllocationId = Util.fixEmptyAndTrim(elasticIpAllocationId);
    }

    public List<Ec2Tag> getTags() {
        return tags;
    }

    @DataBoundSetter
    public void setTags(List<Ec2Tag> tags) {
        this.tags = tags == null ? new ArrayList<>() : new ArrayList<>(tags);
    }

    public Ec2SpotBid getSpot() {
        return spot;
    }

    @DataBoundSetter
    public void setSpot(Ec2SpotBid spot) {
        this.spot = spot;
    }

    public String getOnDemandHourlyPrice() {
        return onDemandHourlyPrice;
    }

    @DataBoundSetter
    public void setOnDemandHourlyPrice(String onDemandHourlyPrice) {
        this.onDemandHourlyPrice = Util.fixEmptyAndTrim(onDemandHourlyPrice);
    }

    public Ec2TemplateSpec toRecord() {
        return new Ec2TemplateSpec(getName(), getLabels(), getExecutors(), getInstanceCap(), getBuildWaitTimeoutSeconds(), getMissingTimeoutSeconds(),
                getMaxUses(), getNamePattern(), instanceType, image == null ? null : image.toRecord(), subnetIds, availabilityZone,
                securityGroupIds, keyName, iamInstanceProfile, userData,
                blockDevices.stream().map(Ec2BlockDevice::toRecord).toList(),
                attachVolumes.stream().map(Ec2Volume::toRecord).toList(), elasticIpAllocationId,
                tags.stream().map(Ec2Tag::toRecord).toList(), spot == null ? null : spot.toRecord(), onDemandHourlyPrice);
    }

    @Override
    public Descriptor<Ec2SpotTemplate> getDescriptor() {
        return Jenkins.get().getDescriptorByType(DescriptorImpl.class);
    }

    @Extension
    @Symbol("ec2SpotTemplate")
    public static final class DescriptorImpl extends TollgateTemplateDescriptor<Ec2SpotTemplate> {
        @Override
        protected FormValidation checkTemplateField(String key, String value) {
            return FieldChecks.template(key, value);
        }

        @Override
        public String getDisplayName() {
            return "EC2 template";
        }

        public FormValidation doCheckInstanceType(@QueryParameter String value) {
            return FieldChecks.template("instanceType", value);
        }

        public FormValidation doCheckSubnetIds(@QueryParameter String value) {
            return FieldChecks.template("subnetIds", value);
        }

        public FormValidation doCheckAvailabilityZone(@QueryParameter String value) {
            return FieldChecks.template("availabilityZone", value);
        }

        public FormValidation doCheckSecurityGroupIds(@QueryParameter String value) {
            return FieldChecks.template("securityGroupIds", value);
        }

        public FormValidation doCheckKeyName(@QueryParameter String value) {
            return FieldChecks.template("keyName", value);
        }

        public FormValidation doCheckIamInstanceProfile(@QueryParameter String value) {
            return FieldChecks.template("iamInstanceProfile", value);
        }

        public FormValidation doCheckUserData(@QueryParameter String value) {
            return FieldChecks.template("userData", value);
        }

        public FormValidation doCheckElasticIpAllocationId(@QueryParameter String value) {
            return FieldChecks.template("elasticIpAllocationId", value);
        }

        public FormValidation doCheckOnDemandHourlyPrice(@QueryParameter String value) {
            return FieldChecks.template("onDemandHourlyPrice", value);
        }
    }
}
