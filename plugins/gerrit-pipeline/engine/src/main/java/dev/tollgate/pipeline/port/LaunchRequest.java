package dev.tollgate.pipeline.port;

import java.util.Map;
import java.util.Objects;

/**
 * One build to start.
 *
 * @param buildId    the engine's id for this build (also ZUUL_UUID); report the outcome with
 *                   {@code Scheduler.onJobCompleted(buildId, result, url)}, or
 *                   {@code Scheduler.onJobEndedWithoutResult(buildId, why)} when the build ended
 *                   without one (its agent was lost)
 * @param job        the job name, e.g. {@code check-tempest-dsvm-metaplugin}
 * @param pipeline   the pipeline it runs for
 * @param project    the Gerrit project
 * @param parameters ZUUL_* and GERRIT_* parameters, in a stable order
 * @param attempt    1 for the first launch of the job for its item, 2 for the relaunch after a
 *                   build that ended without a result, and so on; each attempt has its own buildId
 */
public record LaunchRequest(String buildId, String job, String pipeline, String project,
                            Map<String, String> parameters, int attempt) {
    public LaunchRequest {
        Objects.requireNonNull(buildId, "buildId");
        Objects.requireNonNull(job, "job");
        parameters = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parameters));
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt " + attempt + " < 1");
        }
    }

    /** A first attempt. */
    public LaunchRequest(String buildId, String job, String pipeline, String project, Map<String, String> parameters) {
        this(buildId, job, pipeline, project, parameters, 1);
    }
}
