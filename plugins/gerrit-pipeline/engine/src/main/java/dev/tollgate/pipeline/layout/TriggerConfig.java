package dev.tollgate.pipeline.layout;

import dev.tollgate.common.config.Schema;
import dev.tollgate.pipeline.event.EventType;
import dev.tollgate.common.regex.SafePattern;
import java.util.List;

/**
 * One gerrit trigger item (Zuul v2's EventFilter). Within a list the entries are ORed; the kinds
 * are ANDed; approvals are ANDed (one value per label: a later entry for the same label replaces an
 * earlier one, as in Zuul's dict). Branch and ref patterns are anchored at the start (re.match),
 * comment, username and email patterns are searched (re.search), as Zuul v2 did. Every
 * {@code requireApprovals} entry must be met, no {@code rejectApprovals} entry may be. The gerrit
 * trigger ({@code dev.tollgate.pipeline.trigger.GerritTrigger}) matches it and owns its rules.
 */
public record TriggerConfig(@Schema.Required List<EventType> events, List<SafePattern> branches,
                            List<SafePattern> refs, List<SafePattern> comments, List<SafePattern> usernames,
                            List<SafePattern> emails, List<ApprovalValue> approvals,
                            List<ApprovalRequirement> requireApprovals, List<ApprovalRequirement> rejectApprovals,
                            @Schema.Default("true") boolean ignoreDeletes) {
    public TriggerConfig {
        events = List.copyOf(events);
        branches = List.copyOf(branches);
        refs = List.copyOf(refs);
        comments = List.copyOf(comments);
        usernames = List.copyOf(usernames);
        emails = List.copyOf(emails);
        approvals = List.copyOf(approvals);
        requireApprovals = List.copyOf(requireApprovals);
        rejectApprovals = List.copyOf(rejectApprovals);
    }
}
