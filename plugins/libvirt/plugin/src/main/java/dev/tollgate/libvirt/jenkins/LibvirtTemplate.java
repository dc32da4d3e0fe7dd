package dev.tollgate.libvirt.jenkins;

import dev.tollgate.cloud.jenkins.FormLists;
import dev.tollgate.cloud.jenkins.TollgateTemplate;
import dev.tollgate.libvirt.config.LibvirtTemplateSpec;
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
 * One template of a libvirt cloud: the agents' labels, caps, Buildbot's timeouts and name pattern,
 * and what libvirt starts for them (a new domain per agent from an XML template, optionally on a
 * fresh overlay of a base image; or one of several predefined domains in turn). Mirrors
 * {@link LibvirtTemplateSpec} key for key, with its defaults; the required keys are the
 * constructor's. Lists are {@code ArrayList}s (XStream cannot restore {@code List.of()}).
 * Configuration only: the engine holds what runs.
 */
public final class LibvirtTemplate extends TollgateTemplate<LibvirtTemplate> {
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
        super(name, labels);
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
        this.existingDomains = FormLists.words(existingDomains);
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
        return new LibvirtTemplateSpec(getName(), getLabels(), getExecutors(), getInstanceCap(), getBuildWaitTimeoutSeconds(), getMissingTimeoutSeconds(),
                getMaxUses(), getNamePattern(), domainXml, existingDomains, baseImage, storagePool, diskSizeGib, memoryMib, vcpus,
                network, persistent, smbiosAgentEnv);
    }

    @Override
    public Descriptor<LibvirtTemplate> getDescriptor() {
        return Jenkins.get().getDescriptorByType(DescriptorImpl.class);
    }

    @Extension
    @Symbol("libvirtTemplate")
    public static final class DescriptorImpl extends TollgateTemplateDescriptor<LibvirtTemplate> {
        @Override
        protected FormValidation checkTemplateField(String key, String value) {
            return FieldChecks.template(key, value);
        }

        @Override
        public String getDisplayName() {
            return "libvirt template";
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
