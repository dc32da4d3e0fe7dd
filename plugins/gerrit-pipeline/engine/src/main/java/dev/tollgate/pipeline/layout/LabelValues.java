package dev.tollgate.pipeline.layout;

import java.util.List;

/** A label (normalised category) and the votes that satisfy a requirement. */
public record LabelValues(String category, List<Integer> values) {
    public LabelValues {
        values = List.copyOf(values);
    }
}
