package dev.tollgate.pipeline.jenkins.config;

import dev.tollgate.pipeline.layout.ApprovalRequirement;
import hudson.Extension;
import hudson.model.Describable;
import hudson.util.FormValidation;
import java.util.ArrayList;
import java.util.List;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;

/**
 * Votes a change has (or must not have): by whom, how old, which values.
 * Mirrors {@link ApprovalRequirement} key for key (JCasC, Job DSL and the form use the same names).
 */
public final class ApprovalRequirementSpec implements Describable<ApprovalRequirementSpec> {
    private String username;
    private String email;
    private String newerThan;
    private String olderThan;
    private List<LabelValuesSpec> labels = new ArrayList<>();

    @DataBoundConstructor
    public ApprovalRequirementSpec() {
    }

    public String getUsername() {
        return username;
    }

    @DataBoundSetter
    public void setUsername(String username) {
        this.username = Specs.text(username);
    }

    public String getEmail() {
        return email;
    }

    @DataBoundSetter
    public void setEmail(String email) {
        this.email = Specs.text(email);
    }

    public String getNewerThan() {
        return newerThan;
    }

    @DataBoundSetter
    public void setNewerThan(String newerThan) {
        this.newerThan = Specs.text(newerThan);
    }

    public String getOlderThan() {
        return olderThan;
    }

    @DataBoundSetter
    public void setOlderThan(String olderThan) {
        this.olderThan = Specs.text(olderThan);
    }

    public List<LabelValuesSpec> getLabels() {
        return labels;
    }

    @DataBoundSetter
    public void setLabels(List<LabelValuesSpec> labels) {
        this.labels = Specs.list(labels);
    }

    /** The engine's record; a bad regex or event name throws {@link Specs.SpecException} naming the key. */
    public ApprovalRequirement toRecord() {
        return new ApprovalRequirement(Specs.pattern("username", this.username),
                Specs.pattern("email", this.email),
                Specs.text(this.newerThan),
                Specs.text(this.olderThan),
                Specs.records(this.labels, LabelValuesSpec::toRecord));
    }

    @Extension
    @Symbol("approvalRequirement")
    public static final class DescriptorImpl extends SpecDescriptor<ApprovalRequirementSpec> {
        @Override
        public String getDisplayName() {
            return "Required votes";
        }

        public FormValidation doCheckUsername(@QueryParameter String value) {
            return checkPattern(value);
        }

        public FormValidation doCheckEmail(@QueryParameter String value) {
            return checkPattern(value);
        }
    }
}
