package dev.tollgate.pipeline.jenkins.config;

import dev.tollgate.pipeline.layout.ReporterConfig;
import hudson.Extension;
import hudson.model.Describable;
import java.util.ArrayList;
import java.util.List;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * A review posted on the change: the pipeline's message and these votes.
 * Mirrors {@link ReporterConfig} key for key (JCasC, Job DSL and the form use the same names).
 */
public final class ReporterSpec implements Describable<ReporterSpec> {
    private List<LabelVoteSpec> labels = new ArrayList<>();

    @DataBoundConstructor
    public ReporterSpec() {
    }

    public List<LabelVoteSpec> getLabels() {
        return labels;
    }

    @DataBoundSetter
    public void setLabels(List<LabelVoteSpec> labels) {
        this.labels = Specs.list(labels);
    }

    /** The engine's record; a bad regex or event name throws {@link Specs.SpecException} naming the key. */
    public ReporterConfig toRecord() {
        return new ReporterConfig(Specs.records(this.labels, LabelVoteSpec::toRecord));
    }

    @Extension
    @Symbol("reporter")
    public static final class DescriptorImpl extends SpecDescriptor<ReporterSpec> {
        @Override
        public String getDisplayName() {
            return "Gerrit report";
        }
    }
}
