package dev.tollgate.pipeline.jenkins.config;

import dev.tollgate.pipeline.layout.PipelineConfig;
import hudson.Extension;
import hudson.model.Describable;
import java.util.ArrayList;
import java.util.List;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * One pipeline: which Gerrit events enqueue a change, and how results are reported (a Zuul v2 pipeline).
 * Mirrors {@link PipelineConfig} key for key (JCasC, Job DSL and the form use the same names).
 */
public final class PipelineSpec implements Describable<PipelineSpec> {
    private String name;
    private String description;
    private String manager = "IndependentPipelineManager";
    private List<TriggerSpec> triggers = new ArrayList<>();
    private ReporterSpec start;
    private ReporterSpec success;
    private ReporterSpec failure;
    private ReporterSpec mergeFailure;
    private String startMessage = PipelineConfig.DEFAULT_START_MESSAGE;
    private String successMessage = PipelineConfig.DEFAULT_SUCCESS_MESSAGE;
    private String failureMessage = PipelineConfig.DEFAULT_FAILURE_MESSAGE;
    private String mergeFailureMessage = PipelineConfig.DEFAULT_MERGE_FAILURE_MESSAGE;
    private String footerMessage = "";
    private boolean dequeueOnNewPatchset = true;
    private ChangeRequirementSpec require;
    private ChangeRequirementSpec reject;

    @DataBoundConstructor
    public PipelineSpec(String name, String manager) {
        this.name = name;
        this.manager = manager;
    }

    public String getName() {
        return name;
    }

    public String getDescription() {
        return description;
    }

    @DataBoundSetter
    public void setDescription(String description) {
        this.description = Specs.text(description);
    }

    public String getManager() {
        return manager;
    }

    public List<TriggerSpec> getTriggers() {
        return triggers;
    }

    @DataBoundSetter
    public void setTriggers(List<TriggerSpec> triggers) {
        this.triggers = Specs.list(triggers);
    }

    public ReporterSpec getStart() {
        return start;
    }

    @DataBoundSetter
    public void setStart(ReporterSpec start) {
        this.start = start;
    }

    public ReporterSpec getSuccess() {
        return success;
    }

    @DataBoundSetter
    public void setSuccess(ReporterSpec success) {
        this.success = success;
    }

    public ReporterSpec getFailure() {
        return failure;
    }

    @DataBoundSetter
    public void setFailure(ReporterSpec failure) {
        this.failure = failure;
    }

    public ReporterSpec getMergeFailure() {
        return mergeFailure;
    }

    @DataBoundSetter
    public void setMergeFailure(ReporterSpec mergeFailure) {
        this.mergeFailure = mergeFailure;
    }

    public String getStartMessage() {
        return startMessage;
    }

    @DataBoundSetter
    public void setStartMessage(String startMessage) {
        this.startMessage = startMessage;
    }

    public String getSuccessMessage() {
        return successMessage;
    }

    @DataBoundSetter
    public void setSuccessMessage(String successMessage) {
        this.successMessage = successMessage;
    }

    public String getFailureMessage() {
        return failureMessage;
    }

    @DataBoundSetter
    public void setFailureMessage(String failureMessage) {
        this.failureMessage = failureMessage;
    }

    public String getMergeFailureMessage() {
        return mergeFailureMessage;
    }

    @DataBoundSetter
    public void setMergeFailureMessage(String mergeFailureMessage) {
        this.mergeFailureMessage = mergeFailureMessage;
    }

    public String getFooterMessage() {
        return footerMessage;
    }

    @DataBoundSetter
    public void setFooterMessage(String footerMessage) {
        this.footerMessage = footerMessage;
    }

    public boolean getDequeueOnNewPatchset() {
        return dequeueOnNewPatchset;
    }

    @DataBoundSetter
    public void setDequeueOnNewPatchset(boolean dequeueOnNewPatchset) {
        this.dequeueOnNewPatchset = dequeueOnNewPatchset;
    }

    public ChangeRequirementSpec getRequire() {
        return require;
    }

    @DataBoundSetter
    public void setRequire(ChangeRequirementSpec require) {
        this.require = require;
    }

    public ChangeRequirementSpec getReject() {
        return reject;
    }

    @DataBoundSetter
    public void setReject(ChangeRequirementSpec reject) {
        this.reject = reject;
    }

    /** The engine's record; a bad regex or event name throws {@link Specs.SpecException} naming the key. */
    public PipelineConfig toRecord() {
        return new PipelineConfig(Specs.text(this.name),
                Specs.text(this.description),
                Specs.textOr(this.manager, "IndependentPipelineManager"),
                Specs.records(this.triggers, TriggerSpec::toRecord),
                this.start == null ? null : this.start.toRecord(),
                this.success == null ? null : this.success.toRecord(),
                this.failure == null ? null : this.failure.toRecord(),
                this.mergeFailure == null ? null : this.mergeFailure.toRecord(),
                Specs.textOr(this.startMessage, PipelineConfig.DEFAULT_START_MESSAGE),
                Specs.textOr(this.successMessage, PipelineConfig.DEFAULT_SUCCESS_MESSAGE),
                Specs.textOr(this.failureMessage, PipelineConfig.DEFAULT_FAILURE_MESSAGE),
                Specs.textOr(this.mergeFailureMessage, PipelineConfig.DEFAULT_MERGE_FAILURE_MESSAGE),
                Specs.textOr(this.footerMessage, ""),
                this.dequeueOnNewPatchset,
                this.require == null ? null : this.require.toRecord(),
                this.reject == null ? null : this.reject.toRecord());
    }

    @Extension
    @Symbol("pipeline")
    public static final class DescriptorImpl extends SpecDescriptor<PipelineSpec> {
        @Override
        public String getDisplayName() {
            return "Pipeline";
        }
    }
}
