package dev.tollgate.pipeline.layout;

import java.util.List;

/** The jobs a project runs in one pipeline, in order. {@code noop} succeeds without launching. */
public record PipelineJobs(String pipeline, List<String> jobs) {
    public static final String NOOP = "noop";

    public PipelineJobs {
        jobs = List.copyOf(jobs);
    }
}
