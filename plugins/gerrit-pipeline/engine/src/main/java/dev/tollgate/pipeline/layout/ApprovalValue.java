package dev.tollgate.pipeline.layout;

import dev.tollgate.common.config.Schema;

/** A vote an event must carry: category normalised (lower case, spaces to dashes), e.g. code-review=2. */
public record ApprovalValue(@Schema.Required String category, @Schema.Required int value) {
    public ApprovalValue {
        category = Labels.normalizeCategory(category);
    }
}
