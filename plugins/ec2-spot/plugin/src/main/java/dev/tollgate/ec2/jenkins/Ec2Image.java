package dev.tollgate.ec2.jenkins;

import dev.tollgate.cloud.jenkins.FormLists;
import dev.tollgate.ec2.config.Ec2ImageSpec;
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
import org.kohsuke.stapler.StaplerRequest2;
import net.sf.json.JSONObject;

/**
 * Which AMI a template starts: a fixed id, or the one selected among owners' images by tags and a
 * regex over the location or name (numeric sort on the regex's first group), or the newest.
 * Mirrors {@link Ec2ImageSpec}; every key is optional, the engine requires an id or a selector.
 */
public final class Ec2Image implements Describable<Ec2Image> {
    private String imageId;
    private ArrayList<String> owners = new ArrayList<>();
    private String regex;
    private String matchOn;
    private ArrayList<Ec2Tag> tagFilters = new ArrayList<>();
    private String order;

    @DataBoundConstructor
    public Ec2Image() {
    }

    public String getImageId() {
        return imageId;
    }

    @DataBoundSetter
    public void setImageId(String imageId) {
        this.imageId = Util.fixEmptyAndTrim(imageId);
    }

    public List<String> getOwners() {
        return owners;
    }

    @DataBoundSetter
    public void setOwners(List<String> owners) {
        this.owners = FormLists.words(owners);
    }

    public String getRegex() {
        return regex;
    }

    @DataBoundSetter
    public void setRegex(String regex) {
        this.regex = Util.fixEmpty(regex);
    }

    public String getMatchOn() {
        return matchOn;
    }

    @DataBoundSetter
    public void setMatchOn(String matchOn) {
        this.matchOn = Util.fixEmptyAndTrim(matchOn);
    }

    public List<Ec2Tag> getTagFilters() {
        return tagFilters;
    }

    @DataBoundSetter
    public void setTagFilters(List<Ec2Tag> tagFilters) {
        this.tagFilters = tagFilters == null ? new ArrayList<>() : new ArrayList<>(tagFilters);
    }

    public String getOrder() {
        return order;
    }

    @DataBoundSetter
    public void setOrder(String order) {
        this.order = Util.fixEmptyAndTrim(order);
    }

    public Ec2ImageSpec toRecord() {
        return new Ec2ImageSpec(imageId, owners, regex, matchOn, tagFilters.stream().map(Ec2Tag::toRecord).toList(), order);
    }

    @Override
    public Descriptor<Ec2Image> getDescriptor() {
        return Jenkins.get().getDescriptorByType(DescriptorImpl.class);
    }

    @Extension
    @Symbol("ec2Image")
    public static final class DescriptorImpl extends Descriptor<Ec2Image> {
        @Override
        public String getDisplayName() {
            return "AMI";
        }

        @Override
        public Ec2Image newInstance(StaplerRequest2 req, JSONObject form) throws FormException {
            return super.newInstance(req, FormLists.fields(Ec2Image.class, form));
        }

        /** The owners as the form's text area shows them. */
        public String lines(List<String> values) {
            return FormLists.lines(values);
        }

        public FormValidation doCheckImageId(@QueryParameter String value) {
            return FieldChecks.image("imageId", value);
        }

        public FormValidation doCheckOwners(@QueryParameter String value) {
            return FieldChecks.image("owners", value);
        }

        public FormValidation doCheckRegex(@QueryParameter String value) {
            return FieldChecks.image("regex", value);
        }

        public FormValidation doCheckMatchOn(@QueryParameter String value) {
            return FieldChecks.image("matchOn", value);
        }

        public FormValidation doCheckOrder(@QueryParameter String value) {
            return FieldChecks.image("order", value);
        }
    }
}
