package dev.tollgate.pipeline.event;

import java.util.List;
import java.util.Objects;

/**
 * One Gerrit event, immutable. Built by {@link EventParser} from stream-events JSON, or by anyone
 * (e.g. the Jenkins plugin mapping gerrit-events DTOs) through the canonical constructor or the
 * factories below.
 *
 * @param type           the kind of event
 * @param typeName       the type exactly as Gerrit sent it (useful for UNKNOWN)
 * @param change         the change (null for ref-updated and unknown events)
 * @param patchSet       the patchset (null when the event has none)
 * @param account        who caused it: uploader, author, abandoner, restorer or submitter
 * @param comment        the comment of comment-added (null otherwise)
 * @param approvals      votes carried by the event (never null)
 * @param refUpdate      the ref update of ref-updated (null otherwise)
 * @param eventCreatedOn seconds since the epoch (0 when Gerrit did not say)
 */
public record GerritEvent(EventType type, String typeName, Change change, PatchSet patchSet, Account account,
                          String comment, List<Approval> approvals, RefUpdate refUpdate, long eventCreatedOn) {
    public GerritEvent {
        Objects.requireNonNull(type, "type");
        approvals = approvals == null ? List.of() : List.copyOf(approvals);
        if (typeName == null) {
            typeName = type.wireName();
        }
    }

    /** An event about a change (every known type except ref-updated). */
    public static GerritEvent ofChange(EventType type, Change change, PatchSet patchSet, Account account,
                                       String comment, List<Approval> approvals, long eventCreatedOn) {
        return new GerritEvent(type, type.wireName(), change, patchSet, account, comment, approvals, null,
                eventCreatedOn);
    }

    public static GerritEvent ofRefUpdate(RefUpdate refUpdate, Account submitter, long eventCreatedOn) {
        return new GerritEvent(EventType.REF_UPDATED, EventType.REF_UPDATED.wireName(), null, null, submitter, null,
                List.of(), refUpdate, eventCreatedOn);
    }

    /** The project the event is about, or null. */
    public String project() {
        if (change != null) {
            return change.project();
        }
        return refUpdate == null ? null : refUpdate.project();
    }

    /** The change's branch; null for ref-updated (Zuul v2: branch filters match change events only). */
    public String branch() {
        return change == null ? null : change.branch();
    }

    /** The updated ref of ref-updated; null for change events (Zuul v2: ref filters match ref-updated only). */
    public String ref() {
        return refUpdate == null ? null : refUpdate.refName();
    }
}
