package dev.tollgate.pipeline.layout;

import java.util.List;

/**
 * A pipeline's {@code require} (all must hold) or {@code reject} (none of the approvals may match).
 * Null fields are not checked.
 */
public record ChangeRequirement(Boolean open, Boolean currentPatchset, List<String> statuses,
                                List<ApprovalRequirement> approvals) {
    public ChangeRequirement {
        statuses = List.copyOf(statuses);
        approvals = List.copyOf(approvals);
    }
}
