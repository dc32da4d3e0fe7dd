package dev.tollgate.pipeline.layout;

import java.util.List;

/** What one reporter action votes; an empty list posts the message only. */
public record ReporterConfig(List<LabelVote> labels) {
    public ReporterConfig {
        labels = List.copyOf(labels);
    }
}
