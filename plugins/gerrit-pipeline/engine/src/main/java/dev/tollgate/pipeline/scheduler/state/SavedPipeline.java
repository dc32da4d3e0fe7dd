package dev.tollgate.pipeline.scheduler.state;

import dev.tollgate.pipeline.layout.ReporterConfig;
import java.util.Objects;

/**
 * What of a pipeline's configuration a queued item still needs: its manager, its reporters and
 * messages, and whether a new patchset retires it. Triggers, {@code require} and {@code reject} are
 * not saved: they decide what enters a pipeline, never what becomes of an item already in it.
 * Immutable.
 *
 * @param start   the start reporter, or null when the pipeline does not report its start; likewise
 *                {@code success} and {@code failure}
 */
public record SavedPipeline(String name, String manager, ReporterConfig start, ReporterConfig success,
                            ReporterConfig failure, String startMessage, String successMessage, String failureMessage,
                            String footerMessage, boolean dequeueOnNewPatchset) {
    public SavedPipeline {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(manager, "manager");
        Objects.requireNonNull(startMessage, "startMessage");
        Objects.requireNonNull(successMessage, "successMessage");
        Objects.requireNonNull(failureMessage, "failureMessage");
    }
}
