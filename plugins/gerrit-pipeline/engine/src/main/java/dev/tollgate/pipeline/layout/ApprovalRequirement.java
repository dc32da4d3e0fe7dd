package dev.tollgate.pipeline.layout;

import dev.tollgate.common.regex.SafePattern;
import java.util.List;

/**
 * One approval a change must (require) or must not (reject) carry. Null fields are not checked.
 * {@code newerThan}/{@code olderThan} keep Zuul's text form (e.g. {@code 48h}, {@code 2d}).
 */
public record ApprovalRequirement(SafePattern username, SafePattern email, String newerThan, String olderThan,
                                  List<LabelValues> labels) {
    public ApprovalRequirement {
        labels = List.copyOf(labels);
    }
}
