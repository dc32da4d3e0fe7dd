package dev.tollgate.pipeline.jenkins.config;

import dev.tollgate.pipeline.layout.TriggerConfig;
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
 * Gerrit events that enqueue a change in the pipeline. Every filter given must match; within a list, any entry may match.
 * Mirrors {@link TriggerConfig} key for key (JCasC, Job DSL and the form use the same names).
 */
public final class TriggerSpec implements Describable<TriggerSpec> {
    private List<String> events = new ArrayList<>();
    private List<String> branches = new ArrayList<>();
    private List<String> refs = new ArrayList<>();
    private List<String> comments = new ArrayList<>();
    private List<String> usernames = new ArrayList<>();
    private List<String> emails = new ArrayList<>();
    private List<ApprovalValueSpec> approvals = new ArrayList<>();
    private List<ApprovalRequirementSpec> requireApprovals = new ArrayList<>();
    private List<ApprovalRequirementSpec> rejectApprovals = new ArrayList<>();
    private boolean ignoreDeletes = true;

    @DataBoundConstructor
    public TriggerSpec(List<String> events) {
        this.events = Specs.list(events);
    }

    public List<String> getEvents() {
        return events;
    }

    public List<String> getBranches() {
        return branches;
    }

    @DataBoundSetter
    public void setBranches(List<String> branches) {
        this.branches = Specs.list(branches);
    }

    public List<String> getRefs() {
        return refs;
    }

    @DataBoundSetter
    public void setRefs(List<String> refs) {
        this.refs = Specs.list(refs);
    }

    public List<String> getComments() {
        return comments;
    }

    @DataBoundSetter
    public void setComments(List<String> comments) {
        this.comments = Specs.list(comments);
    }

    public List<String> getUsernames() {
        return usernames;
    }

    @DataBoundSetter
    public void setUsernames(List<String> usernames) {
        this.usernames = Specs.list(usernames);
    }

    public List<String> getEmails() {
        return emails;
    }

    @DataBoundSetter
    public void setEmails(List<String> emails) {
        this.emails = Specs.list(emails);
    }

    public List<ApprovalValueSpec> getApprovals() {
        return approvals;
    }

    @DataBoundSetter
    public void setApprovals(List<ApprovalValueSpec> approvals) {
        this.approvals = Specs.list(approvals);
    }

    public List<ApprovalRequirementSpec> getRequireApprovals() {
        return requireApprovals;
    }

    @DataBoundSetter
    public void setRequireApprovals(List<ApprovalRequirementSpec> requireApprovals) {
        this.requireApprovals = Specs.list(requireApprovals);
    }

    public List<ApprovalRequirementSpec> getRejectApprovals() {
        return rejectApprovals;
    }

    @DataBoundSetter
    public void setRejectApprovals(List<ApprovalRequirementSpec> rejectApprovals) {
        this.rejectApprovals = Specs.list(rejectApprovals);
    }

    public boolean getIgnoreDeletes() {
        return ignoreDeletes;
    }

    @DataBoundSetter
    public void setIgnoreDeletes(boolean ignoreDeletes) {
        this.ignoreDeletes = ignoreDeletes;
    }

    /** The engine's record; a bad regex or event name throws {@link Specs.SpecException} naming the key. */
    public TriggerConfig toRecord() {
        return new TriggerConfig(Specs.events("events", this.events),
                Specs.patterns("branches", this.branches),
                Specs.patterns("refs", this.refs),
                Specs.patterns("comments", this.comments),
                Specs.patterns("usernames", this.usernames),
                Specs.patterns("emails", this.emails),
                Specs.records(this.approvals, ApprovalValueSpec::toRecord),
                Specs.records(this.requireApprovals, ApprovalRequirementSpec::toRecord),
                Specs.records(this.rejectApprovals, ApprovalRequirementSpec::toRecord),
                this.ignoreDeletes);
    }

    @Extension
    @Symbol("trigger")
    public static final class DescriptorImpl extends SpecDescriptor<TriggerSpec> {
        @Override
        public String getDisplayName() {
            return "Gerrit trigger";
        }

        public FormValidation doCheckEvents(@QueryParameter String value) {
            return checkEvents(value);
        }

        public FormValidation doCheckBranches(@QueryParameter String value) {
            return checkPatterns(value);
        }

        public FormValidation doCheckRefs(@QueryParameter String value) {
            return checkPatterns(value);
        }

        public FormValidation doCheckComments(@QueryParameter String value) {
            return checkPatterns(value);
        }

        public FormValidation doCheckUsernames(@QueryParameter String value) {
            return checkPatterns(value);
        }

        public FormValidation doCheckEmails(@QueryParameter String value) {
            return checkPatterns(value);
        }
    }
}
