package dev.tollgate.pipeline.layout;

import dev.tollgate.common.config.Schema;
import java.util.List;

/** A label (category normalised as {@link Labels#normalizeCategory}) and the votes that satisfy a requirement. */
public record LabelValues(@Schema.Required String category, List<Integer> values) {
    public LabelValues {
        category = Labels.normalizeCategory(category);
        values = List.copyOf(values);
    }
}
