package dev.tollgate.pipeline.layout;

import dev.tollgate.common.config.Schema;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The jobs a project runs in the pipeline {@code name}, in order. A job named twice (by a template
 * and by the project, say) is kept once, where it first appears, as Zuul 2.5's JobTree.addJob does:
 * it runs and is reported once. {@code noop} succeeds without launching.
 */
public record PipelineJobs(@Schema.Required String name, List<String> jobs) {
    public static final String NOOP = "noop";

    public PipelineJobs {
        jobs = List.copyOf(new LinkedHashSet<>(jobs));
    }
}
