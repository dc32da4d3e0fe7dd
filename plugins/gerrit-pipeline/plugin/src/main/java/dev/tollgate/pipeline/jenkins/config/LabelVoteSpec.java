package dev.tollgate.pipeline.jenkins.config;

import dev.tollgate.pipeline.layout.LabelVote;
import hudson.Extension;
import hudson.model.Describable;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;

/**
 * One vote of a report.
 * Mirrors {@link LabelVote} key for key (JCasC, Job DSL and the form use the same names).
 */
public final class LabelVoteSpec implements Describable<LabelVoteSpec> {
    private String name;
    private int value;

    @DataBoundConstructor
    public LabelVoteSpec(String name, int value) {
        this.name = name;
        this.value = value;
    }

    public String getName() {
        return name;
    }

    public int getValue() {
        return value;
    }

    /** The engine's record; a bad regex or event name throws {@link Specs.SpecException} naming the key. */
    public LabelVote toRecord() {
        return new LabelVote(Specs.text(this.name),
                this.value);
    }

    @Extension
    @Symbol("labelVote")
    public static final class DescriptorImpl extends SpecDescriptor<LabelVoteSpec> {
        @Override
        public String getDisplayName() {
            return "Vote";
        }
    }
}
