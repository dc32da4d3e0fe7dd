package dev.tollgate.pipeline.layout;

import dev.tollgate.common.config.Schema;
import java.util.List;
import java.util.Optional;

/**
 * A project and, per pipeline, the jobs it runs (templates expanded, in Zuul's order), and how the
 * merger puts its changes onto their branch ({@code merge-mode}: {@code merge-resolve}, Zuul v2's
 * default, {@code merge} or {@code cherry-pick}).
 */
public record ProjectConfig(@Schema.Required String name, List<PipelineJobs> pipelines,
                            @Schema.Default(DEFAULT_MERGE_MODE) String mergeMode) {
    public static final String DEFAULT_MERGE_MODE = "merge-resolve";
    /** Zuul v2's merge modes, as the layout writes them. */
    public static final List<String> MERGE_MODES = List.of("merge-resolve", "merge", "cherry-pick");

    public ProjectConfig {
        pipelines = List.copyOf(pipelines);
        mergeMode = mergeMode == null ? DEFAULT_MERGE_MODE : mergeMode;
    }

    /** A project with the default merge mode. */
    public ProjectConfig(String name, List<PipelineJobs> pipelines) {
        this(name, pipelines, DEFAULT_MERGE_MODE);
    }

    public Optional<PipelineJobs> jobsFor(String pipeline) {
        return pipelines.stream().filter(p -> p.name().equals(pipeline)).findFirst();
    }
}
