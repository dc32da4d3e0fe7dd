package dev.tollgate.openstack.jenkins;

import dev.tollgate.cloud.jenkins.FormLists;
import dev.tollgate.openstack.config.OpenStackImageSpec;
import hudson.Extension;
import hudson.Util;
import hudson.model.Describable;
import hudson.model.Descriptor;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
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
 * Which Glance image a template boots: a fixed id, a name (so the image can be uploaded again under
 * it), or a rule (a name regex and/or properties, the newest or oldest match). Mirrors
 * {@link OpenStackImageSpec}; every key is optional here, the engine requires exactly one way.
 */
public final class OpenStackImage implements Describable<OpenStackImage> {
    private String id;
    private String name;
    private String nameRegex;
    private ArrayList<OpenStackProperty> properties = new ArrayList<>();
    private String order;

    @DataBoundConstructor
    public OpenStackImage() {
    }

    public String getId() {
        return id;
    }

    @DataBoundSetter
    public void setId(String id) {
        this.id = Util.fixEmptyAndTrim(id);
    }

    public String getName() {
        return name;
    }

    @DataBoundSetter
    public void setName(String name) {
        this.name = Util.fixEmptyAndTrim(name);
    }

    public String getNameRegex() {
        return nameRegex;
    }

    @DataBoundSetter
    public void setNameRegex(String nameRegex) {
        this.nameRegex = Util.fixEmpty(nameRegex);
    }

    public List<OpenStackProperty> getProperties() {
        return properties;
    }

    @DataBoundSetter
    public void setProperties(List<OpenStackProperty> properties) {
        this.properties = properties == null ? new ArrayList<>() : new ArrayList<>(properties);
    }

    public String getOrder() {
        return order;
    }

    @DataBoundSetter
    public void setOrder(String order) {
        this.order = Util.fixEmptyAndTrim(order);
    }

    /** A configuration saved before a key existed gets the key's default, not Java's. */
    private Object readResolve() {
        properties = properties == null ? new ArrayList<>() : properties;
        return this;
    }

    public OpenStackImageSpec toRecord() {
        return new OpenStackImageSpec(id, name, nameRegex, properties.stream().map(OpenStackProperty::toRecord).toList(),
                order);
    }

    @Override
    public Descriptor<OpenStackImage> getDescriptor() {
        return Jenkins.get().getDescriptorByType(DescriptorImpl.class);
    }

    @Extension
    @Symbol("openStackImage")
    public static final class DescriptorImpl extends Descriptor<OpenStackImage> {
        @Override
        public String getDisplayName() {
            return "Image";
        }

        @Override
        public OpenStackImage newInstance(StaplerRequest2 req, JSONObject form) throws FormException {
            return super.newInstance(req, FormLists.fields(OpenStackImage.class, form));
        }

        public ListBoxModel doFillOrderItems() {
            ListBoxModel m = new ListBoxModel();
            m.add("(not a rule)", "");
            m.add("Newest match", "NEWEST");
            m.add("Oldest match", "OLDEST");
            return m;
        }

        public FormValidation doCheckId(@QueryParameter String value) {
            return FieldChecks.image("id", value);
        }

        public FormValidation doCheckName(@QueryParameter String value) {
            return FieldChecks.image("name", value);
        }

        public FormValidation doCheckNameRegex(@QueryParameter String value) {
            return FieldChecks.image("nameRegex", value);
        }
    }
}
