package dev.tollgate.lxd.jenkins;

import dev.tollgate.lxd.config.LxdImageRemoteSpec;
import hudson.Extension;
import hudson.Util;
import hudson.model.Describable;
import hudson.model.Descriptor;
import hudson.util.FormValidation;
import jenkins.model.Jenkins;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;

/** An image server templates may take their image from. Mirrors {@link LxdImageRemoteSpec}. Configuration only. */
public final class LxdImageRemote implements Describable<LxdImageRemote> {
    private final String name;
    private final String url;
    private String protocol = "simplestreams";

    @DataBoundConstructor
    public LxdImageRemote(String name, String url) {
        this.name = Util.fixEmptyAndTrim(name);
        this.url = Util.fixEmptyAndTrim(url);
    }

    public String getName() {
        return name;
    }

    public String getUrl() {
        return url;
    }

    public String getProtocol() {
        return protocol;
    }

    @DataBoundSetter
    public void setProtocol(String protocol) {
        String p = Util.fixEmptyAndTrim(protocol);
        this.protocol = p == null ? "simplestreams" : p;
    }

    public LxdImageRemoteSpec toRecord() {
        return new LxdImageRemoteSpec(name, url, protocol);
    }

    @Override
    public Descriptor<LxdImageRemote> getDescriptor() {
        return Jenkins.get().getDescriptorByType(DescriptorImpl.class);
    }

    @Extension
    @Symbol("lxdImageRemote")
    public static final class DescriptorImpl extends Descriptor<LxdImageRemote> {
        @Override
        public String getDisplayName() {
            return "Image server";
        }

        public FormValidation doCheckName(@QueryParameter String value) {
            return FieldChecks.imageRemote("name", value);
        }

        public FormValidation doCheckUrl(@QueryParameter String value) {
            return FieldChecks.imageRemote("url", value);
        }

        public FormValidation doCheckProtocol(@QueryParameter String value) {
            return FieldChecks.imageRemote("protocol", value);
        }
    }
}
