package dev.tollgate.pipeline.layout;

import dev.tollgate.common.config.Schema;
import java.util.List;

/**
 * One pipeline. Reporters are null when the pipeline does not report that action; a reporter with
 * no labels posts the message only. Messages hold Zuul v2's defaults when the layout sets none.
 */
public record PipelineConfig(@Schema.Required String name, String description, @Schema.Required String manager,
                             List<TriggerConfig> triggers, ReporterConfig start, ReporterConfig success,
                             ReporterConfig failure, ReporterConfig mergeFailure,
                             @Schema.Default(DEFAULT_START_MESSAGE) String startMessage,
                             @Schema.Default(DEFAULT_SUCCESS_MESSAGE) String successMessage,
                             @Schema.Default(DEFAULT_FAILURE_MESSAGE) String failureMessage,
                             @Schema.Default(DEFAULT_MERGE_FAILURE_MESSAGE) String mergeFailureMessage,
                             @Schema.Default("") String footerMessage,
                             @Schema.Default("true") boolean dequeueOnNewPatchset, ChangeRequirement require,
                             ChangeRequirement reject) {
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
