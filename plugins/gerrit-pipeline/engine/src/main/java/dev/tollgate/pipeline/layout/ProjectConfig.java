package dev.tollgate.pipeline.layout;

import dev.tollgate.common.config.Schema;
import java.util.List;
import java.util.Optional;

/** A project and, per pipeline, the jobs it runs (templates expanded, in Zuul's order). */
public record ProjectConfig(@Schema.Required String name, List<PipelineJobs> pipelines) {
    public ProjectConfig {
        pipelines = List.copyOf(pipelines);
    }

    public Optional<PipelineJobs> jobsFor(String pipeline) {
        return pipelines.stream().filter(p -> p.name().equals(pipeline)).findFirst();
    }
}
