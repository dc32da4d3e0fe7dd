package dev.tollgate.pipeline.jenkins.config;

import dev.tollgate.pipeline.layout.ChangeRequirement;
import hudson.Extension;
import hudson.model.Describable;
import hudson.util.ListBoxModel;
import java.util.ArrayList;
import java.util.List;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.verb.POST;

/**
 * Conditions on the change itself.
 * Mirrors {@link ChangeRequirement} key for key (JCasC, Job DSL and the form use the same names).
 */
public final class ChangeRequirementSpec implements Describable<ChangeRequirementSpec> {
    private Boolean open;
    private Boolean currentPatchset;
    private List<String> statuses = new ArrayList<>();
    private List<ApprovalRequirementSpec> approvals = new ArrayList<>();

    @DataBoundConstructor
    public ChangeRequirementSpec() {
    }

    public Boolean getOpen() {
        return open;
    }

    @DataBoundSetter
    public void setOpen(Boolean open) {
        this.open = open;
    }

    public Boolean getCurrentPatchset() {
        return currentPatchset;
    }

    @DataBoundSetter
    public void setCurrentPatchset(Boolean currentPatchset) {
        this.currentPatchset = currentPatchset;
    }

    public List<String> getStatuses() {
        return statuses;
    }

    @DataBoundSetter
    public void setStatuses(List<String> statuses) {
        this.statuses = Specs.list(statuses);
    }

    public List<ApprovalRequirementSpec> getApprovals() {
        return approvals;
    }

    @DataBoundSetter
    public void setApprovals(List<ApprovalRequirementSpec> approvals) {
        this.approvals = Specs.list(approvals);
    }

    /** The engine's record; a bad regex or event name throws {@link Specs.SpecException} naming the key. */
    public ChangeRequirement toRecord() {
        return new ChangeRequirement(this.open,
                this.currentPatchset,
                List.copyOf(this.statuses),
                Specs.records(this.approvals, ApprovalRequirementSpec::toRecord));
    }

    @Extension
    @Symbol("changeRequirement")
    public static final class DescriptorImpl extends SpecDescriptor<ChangeRequirementSpec> {
        @Override
        public String getDisplayName() {
            return "Change requirement";
        }

        @POST
        public ListBoxModel doFillOpenItems() {
            return unsetYesNo();
        }

        @POST
        public ListBoxModel doFillCurrentPatchsetItems() {
            return unsetYesNo();
        }
    }
}
