package dev.tollgate.pipeline.reporter;

import dev.tollgate.pipeline.event.ChangeRef;
import dev.tollgate.pipeline.layout.PipelineConfig;
import java.util.List;
import java.util.Objects;

/**
 * One report to make, taken under the scheduler's lock so that the reporter can work after it is
 * released. Immutable.
 *
 * @param itemUuid  the queue item's uuid; with the action it makes the report unique
 * @param pipeline  the configuration the item was enqueued with (its messages)
 * @param revision  the patchset's commit id when the event named it, else null
 * @param jobs      the item's jobs, in order
 * @param outcomes  for success and failure, every job's outcome in that order; empty for start
 */
public record Report(ReportAction action, String itemUuid, PipelineConfig pipeline, ChangeRef changeRef,
                     String revision, List<String> jobs, List<JobOutcome> outcomes) {
    public Report {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(changeRef, "changeRef");
        jobs = List.copyOf(jobs);
        outcomes = List.copyOf(outcomes);
    }

    /** The message Zuul v2 wrote for this action (see {@link ReportFormatter}). */
    public String message() {
        return switch (action) {
            case START -> ReportFormatter.start(pipeline);
            case SUCCESS -> ReportFormatter.success(pipeline, outcomes);
            case FAILURE -> ReportFormatter.failure(pipeline, outcomes);
            case MERGE_FAILURE -> ReportFormatter.mergeFailure(pipeline);
        };
    }
}
