package dev.tollgate.libvirt.jenkins;

import dev.tollgate.libvirt.config.LibvirtTemplateSpec;
import hudson.Extension;
import hudson.RelativePath;
import hudson.Util;
import hudson.model.Describable;
import hudson.model.Descriptor;
import hudson.util.FormValidation;
import java.util.ArrayList;
import java.util.List;
import jenkins.model.Jenkins;
import net.sf.json.JSONObject;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.StaplerRequest2;

/**
 * One template of a libvirt cloud: the agents' labels, caps, Buildbot's timeouts and name pattern,
 * and what libvirt starts for them (a new domain per agent from an XML template, optionally on a
 * fresh overlay of a base image; or one of several predefined domains in turn). Mirrors
 * {@link LibvirtTemplateSpec} key for key, with its defaults; the required keys are the
 * constructor's. Lists are {@code ArrayList}s (XStream cannot restore {@code List.of()}).
 * Configuration only: the engine holds what runs.
 */
public final class LibvirtTemplate implements Describable<LibvirtTemplate> {
    private final String name;
    private final String labels;
    private int executors = 1;
    private Integer instanceCap;
    private int buildWaitTimeoutSeconds = 600;
    private int missingTimeoutSeconds = 1200;
    private int maxUses;
    private String namePattern;
    private String domainXml;
    private ArrayList<String> existingDomains = new ArrayList<>();
    private String baseImage;
    private String storagePool;
    private Integer diskSizeGib;
    private int memoryMib = 1024;
    private int vcpus = 1;
    private String network = "default";
    private boolean persistent;
    private boolean smbiosAgentEnv = true;

    @DataBoundConstructor
    public LibvirtTemplate(String name, String labels) {
        this.name = Util.fixEmptyAndTrim(name);
        this.labels = Util.fixEmptyAndTrim(labels);
    }

    public String getName() {
        return name;
    }

    public String getLabels() {
        return labels;
    }

    public int getExecutors() {
        return executors;
    }

    @DataBoundSetter
    public void setExecutors(int executors) {
        this.executors = executors;
    }

    public Integer getInstanceCap() {
        return instanceCap;
    }

    @DataBoundSetter
    public void setInstanceCap(Integer instanceCap) {
        this.instanceCap = instanceCap;
    }

    public int getBuildWaitTimeoutSeconds() {
        return buildWaitTimeoutSeconds;
    }

    @DataBoundSetter
    public void setBuildWaitTimeoutSeconds(int buildWaitTimeoutSeconds) {
        this.buildWaitTimeoutSeconds = buildWaitTimeoutSeconds;
    }

    public int getMissingTimeoutSeconds() {
        return missingTimeoutSeconds;
    }

    @DataBoundSetter
    public void setMissingTimeoutSeconds(int missingTimeoutSeconds) {
        this.missingTimeoutSeconds = missingTimeoutSeconds;
    }

    public int getMaxUses() {
        return maxUses;
    }

    @DataBoundSetter
    public void setMaxUses(int maxUses) {
        this.maxUses = maxUses;
    }

    public String getNamePattern() {
        return namePattern;
    }

    @DataBoundSetter
    public void setNamePattern(String namePattern) {
        this.namePattern = Util.fixEmptyAndTrim(namePattern);
    }

    public String getDomainXml() {
        return domainXml;
    }

    @DataBoundSetter
    public void setDomainXml(String domainXml) {
        this.domainXml = domainXml == null || domainXml.isBlank() ? null : domainXml;
    }

    public List<String> getExistingDomains() {
        return existingDomains;
    }

    @DataBoundSetter
    public void setExistingDomains(List<String> existingDomains) {
        this.existingDomains = FieldChecks.words(existingDomains);
    }

    public String getBaseImage() {
        return baseImage;
    }

    @DataBoundSetter
    public void setBaseImage(String baseImage) {
        this.baseImage = Util.fixEmptyAndTrim(baseImage);
    }

    public String getStoragePool() {
        return storagePool;
    }

    @DataBoundSetter
    public void setStoragePool(String storagePool) {
        this.storagePool = Util.fixEmptyAndTrim(storagePool);
    }

    public Integer getDiskSizeGib() {
        return diskSizeGib;
    }

    @DataBoundSetter
    public void setDiskSizeGib(Integer diskSizeGib) {
        this.diskSizeGib = diskSizeGib;
    }

    public int getMemoryMib() {
        return memoryMib;
    }

    @DataBoundSetter
    public void setMemoryMib(int memoryMib) {
        this.memoryMib = memoryMib;
    }

    public int getVcpus() {
        return vcpus;
    }

    @DataBoundSetter
    public void setVcpus(int vcpus) {
        this.vcpus = vcpus;
    }

    public String getNetwork() {
        return network;
    }

    @DataBoundSetter
    public void setNetwork(String network) {
        this.network = Util.fixEmptyAndTrim(network) == null ? "default" : Util.fixEmptyAndTrim(network);
    }

    public boolean isPersistent() {
        return persistent;
    }

    @DataBoundSetter
    public void setPersistent(boolean persistent) {
        this.persistent = persistent;
    }

    public boolean isSmbiosAgentEnv() {
        return smbiosAgentEnv;
    }

    @DataBoundSetter
    public void setSmbiosAgentEnv(boolean smbiosAgentEnv) {
        this.smbiosAgentEnv = smbiosAgentEnv;
    }

    /** A configuration saved before a key existed gets the key's default, not Java's. */
    private Object readResolve() {
        if (existingDomains == null) {
            existingDomains = new ArrayList<>();
        }
        if (network == null) {
            network = "default";
        }
        return this;
    }

    /** The engine's record of this template. */
    public LibvirtTemplateSpec toRecord() {
        return new LibvirtTemplateSpec(name, labels, executors, instanceCap, buildWaitTimeoutSeconds, missingTimeoutSeconds,
                maxUses, namePattern, domainXml, existingDomains, baseImage, storagePool, diskSizeGib, memoryMib, vcpus,
                network, persistent, smbiosAgentEnv);
    }

    @Override
    public Descriptor<LibvirtTemplate> getDescriptor() {
        return Jenkins.get().getDescriptorByType(DescriptorImpl.class);
    }

    @Extension
    @Symbol("libvirtTemplate")
    public static final class DescriptorImpl extends Descriptor<LibvirtTemplate> {
        @Override
        public String getDisplayName() {
            return "libvirt template";
        }

        @Override
        public LibvirtTemplate newInstance(StaplerRequest2 req, JSONObject form) throws FormException {
            return super.newInstance(req, FormLists.fields(LibvirtTemplate.class, form));
        }

        /** A list as the form's text area shows it. */
        public String lines(List<String> values) {
            return FormLists.lines(values);
        }

        public FormValidation doCheckName(@QueryParameter String value) {
            return FieldChecks.template("name", value);
        }

        public FormValidation doCheckLabels(@QueryParameter String value) {
            return FieldChecks.template("labels", value);
        }

        /** The two modes' keys, checked with the fields that decide the mode. */
        public FormValidation doCheckDomainXml(@QueryParameter String value, @QueryParameter String existingDomains,
                                               @QueryParameter String baseImage) {
            return FieldChecks.template("domainXml", value, value, existingDomains, baseImage);
        }

        public FormValidation doCheckExistingDomains(@QueryParameter String value, @QueryParameter String domainXml,
                                                     @QueryParameter String baseImage) {
            return FieldChecks.template("existingDomains", value, domainXml, value, baseImage);
        }

        public FormValidation doCheckBaseImage(@QueryParameter String value, @QueryParameter String domainXml,
                                               @QueryParameter String existingDomains) {
            return FieldChecks.template("baseImage", value, domainXml, existingDomains, value);
        }

        public FormValidation doCheckStoragePool(@QueryParameter String value, @QueryParameter String domainXml,
                                                 @QueryParameter String existingDomains, @QueryParameter String baseImage) {
            return FieldChecks.template("storagePool", value, domainXml, existingDomains, baseImage);
        }

        public FormValidation doCheckNamePattern(@QueryParameter String value, @QueryParameter String name,
                                                 @RelativePath("..") @QueryParameter("name") String cloudName) {
            return FieldChecks.namePattern(cloudName, name, value);
        }

        public FormValidation doCheckExecutors(@QueryParameter String value) {
            return FieldChecks.template("executors", value);
        }

        public FormValidation doCheckInstanceCap(@QueryParameter String value) {
            return FieldChecks.template("instanceCap", value);
        }

        public FormValidation doCheckBuildWaitTimeoutSeconds(@QueryParameter String value) {
            return FieldChecks.template("buildWaitTimeoutSeconds", value);
        }

        public FormValidation doCheckMissingTimeoutSeconds(@QueryParameter String value) {
            return FieldChecks.template("missingTimeoutSeconds", value);
        }

        public FormValidation doCheckMaxUses(@QueryParameter String value) {
            return FieldChecks.template("maxUses", value);
        }





        public FormValidation doCheckDiskSizeGib(@QueryParameter String value) {
            return FieldChecks.template("diskSizeGib", value);
        }

        public FormValidation doCheckMemoryMib(@QueryParameter String value) {
            return FieldChecks.template("memoryMib", value);
        }

        public FormValidation doCheckVcpus(@QueryParameter String value) {
            return FieldChecks.template("vcpus", value);
        }

        public FormValidation doCheckNetwork(@QueryParameter String value) {
            return FieldChecks.template("network", value);
        }
    }
}
