package dev.tollgate.cloud.jenkins;

import hudson.RelativePath;
import hudson.Util;
import hudson.model.Describable;
import hudson.model.Descriptor;
import hudson.util.FormValidation;
import java.util.List;
import java.util.Set;
import net.sf.json.JSONObject;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.StaplerRequest2;

/**
 * The base of every Tollgate cloud's template describable: the keys cloud-core's templates share
 * (cloud-core's {@code CloudTemplateSpec}): name and labels (the subclass's
 * {@code @DataBoundConstructor} takes them with its own required keys), executors, cap, Buildbot's
 * timeouts, uses and the agents' name pattern, with getters and {@code @DataBoundSetter}s here once
 * (Stapler, JCasC and Job DSL bind setters of superclasses). The form's fields other than name and
 * labels are in this class's {@code config-common.jelly}, their help files beside it (Jenkins looks
 * for a field's help in the describable's superclasses too). Configuration only.
 *
 * @param <T> the template class itself
 */
public abstract class TollgateTemplate<T extends TollgateTemplate<T>> implements Describable<T> {
    private final String name;
    private final String labels;
    private int executors = 1;
    private Integer instanceCap;
    private int buildWaitTimeoutSeconds;
    private int missingTimeoutSeconds;
    private int maxUses;
    private String namePattern;

    /** A template with cloud-core's usual timeouts: idle 600 s, missing after 1200 s. */
    protected TollgateTemplate(String name, String labels) {
        this(name, labels, 600, 1200);
    }

    /** A template whose cloud has timeouts of its own by default (the subclass's record has the same defaults). */
    protected TollgateTemplate(String name, String labels, int buildWaitTimeoutSeconds, int missingTimeoutSeconds) {
        this.name = Util.fixEmptyAndTrim(name);
        this.labels = Util.fixEmptyAndTrim(labels);
        this.buildWaitTimeoutSeconds = buildWaitTimeoutSeconds;
        this.missingTimeoutSeconds = missingTimeoutSeconds;
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

    /**
     * The base of such a template's descriptor: the form's lists read ({@link FormLists}), the form
     * checks of the common keys, each made by the
     * subclass's engine records ({@link #checkTemplateField}), and the name pattern's preview.
     *
     * @param <T> the template class
     */
    public abstract static class TollgateTemplateDescriptor<T extends TollgateTemplate<T>> extends Descriptor<T> {
        /** The records' verdict on the value of one template key, the rest of the cloud valid. */
        protected abstract FormValidation checkTemplateField(String key, String value);

        /** The template's lists of arguments (one per line of its text area) rather than of words. */
        protected Set<String> argumentLists() {
            return Set.of();
        }

        @Override
        public T newInstance(StaplerRequest2 req, JSONObject form) throws FormException {
            return super.newInstance(req, FormLists.fields(clazz, form, argumentLists()));
        }

        /** The form's default of the build wait timeout: the template record's. */
        public int getDefaultBuildWaitTimeoutSeconds() {
            return 600;
        }

        /** The form's default of the missing timeout: the template record's. */
        public int getDefaultMissingTimeoutSeconds() {
            return 1200;
        }

        /** A list as the form's text area shows it. */
        public String lines(List<String> values) {
            return FormLists.lines(values);
        }

        public FormValidation doCheckName(@QueryParameter String value) {
            return checkTemplateField("name", value);
        }

        public FormValidation doCheckLabels(@QueryParameter String value) {
            return checkTemplateField("labels", value);
        }

        public FormValidation doCheckExecutors(@QueryParameter String value) {
            return checkTemplateField("executors", value);
        }

        public FormValidation doCheckInstanceCap(@QueryParameter String value) {
            return checkTemplateField("instanceCap", value);
        }

        public FormValidation doCheckBuildWaitTimeoutSeconds(@QueryParameter String value) {
            return checkTemplateField("buildWaitTimeoutSeconds", value);
        }

        public FormValidation doCheckMissingTimeoutSeconds(@QueryParameter String value) {
            return checkTemplateField("missingTimeoutSeconds", value);
        }

        public FormValidation doCheckMaxUses(@QueryParameter String value) {
            return checkTemplateField("maxUses", value);
        }

        /** The name pattern, with the names it gives shown when it is good (the engine's rules). */
        public FormValidation doCheckNamePattern(@QueryParameter String value, @QueryParameter String name,
                                                 @RelativePath("..") @QueryParameter("name") String cloudName) {
            return AgentNames.checkNamePattern(cloudName, name, value);
        }
    }
}
