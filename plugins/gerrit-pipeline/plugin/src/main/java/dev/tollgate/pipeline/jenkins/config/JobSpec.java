package dev.tollgate.pipeline.jenkins.config;

import dev.tollgate.pipeline.layout.JobConfig;
import hudson.Extension;
import hudson.model.Describable;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import java.util.ArrayList;
import java.util.List;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.verb.POST;

/**
 * Settings for a job, or for every job a regex matches (as Zuul's {@code jobs:} section).
 * Mirrors {@link JobConfig} key for key (JCasC, Job DSL and the form use the same names).
 */
public final class JobSpec implements Describable<JobSpec> {
    private String name;
    private Boolean voting;
    private List<String> branches = new ArrayList<>();
    private String successMessage;
    private String failureMessage;
    private List<SkipIfSpec> skipIf = new ArrayList<>();
    private Integer attempts;

    @DataBoundConstructor
    public JobSpec(String name) {
        this.name = name;
    }

    public String getName() {
        return name;
    }

    public Boolean getVoting() {
        return voting;
    }

    @DataBoundSetter
    public void setVoting(Boolean voting) {
        this.voting = voting;
    }

    public List<String> getBranches() {
        return branches;
    }

    @DataBoundSetter
    public void setBranches(List<String> branches) {
        this.branches = Specs.list(branches);
    }

    public String getSuccessMessage() {
        return successMessage;
    }

    @DataBoundSetter
    public void setSuccessMessage(String successMessage) {
        this.successMessage = Specs.text(successMessage);
    }

    public String getFailureMessage() {
        return failureMessage;
    }

    @DataBoundSetter
    public void setFailureMessage(String failureMessage) {
        this.failureMessage = Specs.text(failureMessage);
    }

    public List<SkipIfSpec> getSkipIf() {
        return skipIf;
    }

    @DataBoundSetter
    public void setSkipIf(List<SkipIfSpec> skipIf) {
        this.skipIf = Specs.list(skipIf);
    }

    public Integer getAttempts() {
        return attempts;
    }

    @DataBoundSetter
    public void setAttempts(Integer attempts) {
        this.attempts = attempts;
    }

    /** The engine's record; a bad regex or event name throws {@link Specs.SpecException} naming the key. */
    public JobConfig toRecord() {
        return new JobConfig(Specs.text(this.name),
                this.voting,
                Specs.patterns("branches", this.branches),
                Specs.text(this.successMessage),
                Specs.text(this.failureMessage),
                Specs.records(this.skipIf, SkipIfSpec::toRecord),
                this.attempts);
    }

    @Extension
    @Symbol("job")
    public static final class DescriptorImpl extends SpecDescriptor<JobSpec> {
        @Override
        public String getDisplayName() {
            return "Job settings";
        }

        @POST
        public ListBoxModel doFillVotingItems() {
            return unsetYesNo();
        }

        public FormValidation doCheckBranches(@QueryParameter String value) {
            return checkPatterns(value);
        }
    }
}
