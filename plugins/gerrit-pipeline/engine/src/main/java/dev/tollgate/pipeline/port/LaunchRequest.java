package dev.tollgate.pipeline.port;

import java.util.Map;
import java.util.Objects;

/**
 * One build to start.
 *
 * @param buildId    the engine's id for this build (also ZUUL_UUID); report the outcome with
 *                   {@code Scheduler.onJobCompleted(buildId, result, url)}
 * @param job        the job name, e.g. {@code check-tempest-dsvm-metaplugin}
 * @param pipeline   the pipeline it runs for
 * @param project    the Gerrit project
 * @param parameters ZUUL_* and GERRIT_* parameters, in a stable order
 */
public record LaunchRequest(String buildId, String job, String pipeline, String project,
                            Map<String, String> parameters) {
    public LaunchRequest {
        Objects.requireNonNull(buildId, "buildId");
        Objects.requireNonNull(job, "job");
        parameters = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parameters));
    }
}
