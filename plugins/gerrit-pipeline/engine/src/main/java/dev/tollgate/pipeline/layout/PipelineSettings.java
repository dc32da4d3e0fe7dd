package dev.tollgate.pipeline.layout;

import dev.tollgate.common.config.Schema;
import java.util.List;

/**
 * The gerrit-pipeline plugin's whole global configuration, the JCasC section
 * {@code unclassified: tollgateGerritPipeline:}: the Gerrit servers, the comment-only switch, and the
 * pipeline layout. A layout written by {@code tollgate import-zuul} is a valid section on its own
 * (no servers, votes on). Like {@link Layout}, these records are the schema of the section
 * ({@link Schema}); {@link LayoutValidator} checks them.
 *
 * @param servers     where events come from and reviews go to; every event is matched against the
 *                    same pipelines, and its reviews go back to the server it came from
 * @param commentOnly report without votes (the message says which votes were left out): for running
 *                    the suite next to another CI without taking part in its votes
 * @param merger      test as merge (absent: builds test the patchset itself)
 */
public record PipelineSettings(List<GerritServerConfig> servers, @Schema.Default("false") boolean commentOnly,
                               @Schema.Required("at least one pipeline") List<PipelineConfig> pipelines,
                               List<JobConfig> jobs, List<ProjectConfig> projects, MergerConfig merger) {
    public PipelineSettings {
        servers = List.copyOf(servers);
        pipelines = List.copyOf(pipelines);
        jobs = List.copyOf(jobs);
        projects = List.copyOf(projects);
    }

    /** Settings without a merger. */
    public PipelineSettings(List<GerritServerConfig> servers, boolean commentOnly, List<PipelineConfig> pipelines,
                            List<JobConfig> jobs, List<ProjectConfig> projects) {
        this(servers, commentOnly, pipelines, jobs, projects, null);
    }

    /** The merger runs: configured and not switched off. */
    public boolean mergerOn() {
        return merger != null && merger.enabled();
    }

    /** Settings holding only a layout (no servers, votes on), as {@code tollgate import-zuul} writes them. */
    public static PipelineSettings of(Layout layout) {
        return new PipelineSettings(List.of(), false, layout.pipelines(), layout.jobs(), layout.projects());
    }

    public Layout layout() {
        return new Layout(pipelines, jobs, projects);
    }
}
