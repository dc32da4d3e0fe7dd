package dev.tollgate.pipeline.layout;

import java.util.List;

/**
 * One pipeline. Reporters are null when the pipeline does not report that action; a reporter with
 * no labels posts the message only. Messages hold Zuul v2's defaults when the layout sets none.
 */
public record PipelineConfig(String name, String description, String manager, List<TriggerConfig> triggers,
                             ReporterConfig start, ReporterConfig success, ReporterConfig failure,
                             ReporterConfig mergeFailure, String startMessage, String successMessage,
                             String failureMessage, String mergeFailureMessage, String footerMessage,
                             boolean dequeueOnNewPatchset, ChangeRequirement require, ChangeRequirement reject) {
    public static final String INDEPENDENT = "IndependentPipelineManager";
    public static final String DEFAULT_START_MESSAGE = "Starting {pipeline.name} jobs.";
    public static final String DEFAULT_SUCCESS_MESSAGE = "Build succeeded.";
    public static final String DEFAULT_FAILURE_MESSAGE = "Build failed.";
    public static final String DEFAULT_MERGE_FAILURE_MESSAGE = "Merge Failed.\n\nThis change was unable to be "
            + "automatically merged with the current state of the repository. Please rebase your change and "
            + "upload a new patchset.";

    public PipelineConfig {
        triggers = List.copyOf(triggers);
    }
}
