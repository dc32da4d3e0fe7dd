package dev.tollgate.pipeline.layout;

import dev.tollgate.common.config.Schema;
import java.util.List;
import java.util.Optional;

/**
 * A whole pipeline configuration: Zuul v2 layout semantics, with project templates already expanded
 * (so the Zuul layout and the JCasC form of the same configuration are equal values). This record
 * and those it holds are the schema of the JCasC form ({@link Schema}); {@link LayoutValidator}
 * holds the rules a layout must follow.
 */
public record Layout(@Schema.Required("at least one pipeline") List<PipelineConfig> pipelines, List<JobConfig> jobs,
                     List<ProjectConfig> projects) {
    public Layout {
        pipelines = List.copyOf(pipelines);
        jobs = List.copyOf(jobs);
        projects = List.copyOf(projects);
    }

    public Optional<PipelineConfig> pipeline(String name) {
        return pipelines.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    public Optional<ProjectConfig> project(String name) {
        return projects.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** One-line summary, e.g. for {@code tollgate validate}. */
    public String summary() {
        int jobRefs = projects.stream().flatMap(p -> p.pipelines().stream()).mapToInt(pj -> pj.jobs().size()).sum();
        return pipelines.size() + " pipeline(s), " + projects.size() + " project(s), " + jobs.size()
                + " job definition(s), " + jobRefs + " project job(s)";
    }
}
