package dev.tollgate.pipeline.jenkins.config;

import dev.tollgate.pipeline.layout.ApprovalValue;
import hudson.Extension;
import hudson.model.Describable;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;

/**
 * A vote the event must carry.
 * Mirrors {@link ApprovalValue} key for key (JCasC, Job DSL and the form use the same names).
 */
public final class ApprovalValueSpec implements Describable<ApprovalValueSpec> {
    private String category;
    private int value;

    @DataBoundConstructor
    public ApprovalValueSpec(String category, int value) {
        this.category = category;
        this.value = value;
    }

    public String getCategory() {
        return category;
    }

    public int getValue() {
        return value;
    }

    /** The engine's record; a bad regex or event name throws {@link Specs.SpecException} naming the key. */
    public ApprovalValue toRecord() {
        return new ApprovalValue(Specs.text(this.category),
                this.value);
    }

    @Extension
    @Symbol("approvalValue")
    public static final class DescriptorImpl extends SpecDescriptor<ApprovalValueSpec> {
        @Override
        public String getDisplayName() {
            return "Vote in the event";
        }
    }
}
