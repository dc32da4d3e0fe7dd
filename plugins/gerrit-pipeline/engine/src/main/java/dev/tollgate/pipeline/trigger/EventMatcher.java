package dev.tollgate.pipeline.trigger;

import dev.tollgate.pipeline.event.Account;
import dev.tollgate.pipeline.event.Approval;
import dev.tollgate.pipeline.event.GerritEvent;
import dev.tollgate.pipeline.event.RefUpdate;
import dev.tollgate.pipeline.layout.Ages;
import dev.tollgate.pipeline.layout.ApprovalRequirement;
import dev.tollgate.pipeline.layout.ApprovalValue;
import dev.tollgate.pipeline.layout.ChangeRequirement;
import dev.tollgate.pipeline.layout.LabelValues;
import dev.tollgate.pipeline.layout.Labels;
import dev.tollgate.pipeline.layout.TriggerConfig;
import dev.tollgate.common.regex.SafePattern;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Zuul v2's event and change filters, over an event. Stateless. */
public final class EventMatcher {
    private EventMatcher() {}

    /** Does the trigger item accept the event? (Zuul v2 EventFilter.matches.) */
    public static boolean matches(TriggerConfig t, GerritEvent e, Instant now) {
        if (!t.events().contains(e.type())) {
            return false;
        }
        if (!t.branches().isEmpty() && !anyMatch(t.branches(), e.branch())) {
            return false;
        }
        if (!t.refs().isEmpty() && !anyMatch(t.refs(), e.ref())) {
            return false;
        }
        if (t.ignoreDeletes() && e.refUpdate() != null && RefUpdate.NULL_REV.equals(e.refUpdate().newRev())) {
            return false;
        }
        if (!t.comments().isEmpty() && !anySearch(t.comments(), e.comment())) {
            return false;
        }
        // As in Zuul v2, account filters apply only when Gerrit named an account.
        Account a = e.account();
        if (a != null) {
            if (!t.emails().isEmpty() && !anySearch(t.emails(), a.email())) {
                return false;
            }
            if (!t.usernames().isEmpty() && !anySearch(t.usernames(), a.username())) {
                return false;
            }
        }
        for (ApprovalValue required : t.approvals()) { // ANDed
            boolean found = false;
            for (Approval given : e.approvals()) {
                if (given.value() == required.value() && required.category().equals(category(given))) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                return false;
            }
        }
        for (ApprovalRequirement r : t.requireApprovals()) {
            if (!hasApproval(r, e, now)) {
                return false;
            }
        }
        for (ApprovalRequirement r : t.rejectApprovals()) { // any one rejects
            if (hasApproval(r, e, now)) {
                return false;
            }
        }
        return true;
    }

    /** A pipeline's {@code require}: everything given must hold. Ref events have no change and pass. */
    public static boolean meetsRequire(ChangeRequirement req, GerritEvent e, Instant now) {
        if (req == null || e.change() == null) {
            return true;
        }
        String status = e.change().status();
        if (req.open() != null) {
            boolean open = status == null || status.equals("NEW") || status.equals("DRAFT");
            if (open != req.open()) {
                return false;
            }
        }
        // current-patchset: an event names the patchset it is about; the engine takes it as current
        // (it does not query Gerrit), see docs/gerrit-pipeline.md. So `current-patchset: false` never holds.
        if (Boolean.FALSE.equals(req.currentPatchset())) {
            return false;
        }
        if (!req.statuses().isEmpty() && (status == null || !req.statuses().contains(status))) {
            return false;
        }
        for (ApprovalRequirement r : req.approvals()) {
            if (!hasApproval(r, e, now)) {
                return false;
            }
        }
        return true;
    }

    /**
     * A pipeline's {@code reject}: any matching approval rejects the change. A change without
     * approvals is not rejected (Zuul 2.5 rejected it, a bug later Zuul fixed; see docs/gerrit-pipeline.md).
     */
    public static boolean rejected(ChangeRequirement rej, GerritEvent e, Instant now) {
        if (rej == null || e.change() == null) {
            return false;
        }
        for (ApprovalRequirement r : rej.approvals()) {
            if (hasApproval(r, e, now)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Does one of the event's approvals satisfy the requirement? The approvals an event carries were
     * given by the event's account at eventCreatedOn.
     */
    static boolean hasApproval(ApprovalRequirement r, GerritEvent e, Instant now) {
        if (e.approvals().isEmpty()) {
            return false; // Zuul: an entry is met by an approval, even one with only username or an age
        }
        Account by = e.account();
        if (r.username() != null && (by == null || !r.username().search(by.username()))) {
            return false;
        }
        if (r.email() != null && (by == null || !r.email().search(by.email()))) {
            return false;
        }
        Instant granted = Instant.ofEpochSecond(e.eventCreatedOn());
        // Zuul: newer-than fails when granted < now - age, older-than when granted >= now - age
        if (r.newerThan() != null) {
            Duration d = Ages.parse(r.newerThan());
            if (d != null && granted.isBefore(now.minus(d))) {
                return false;
            }
        }
        if (r.olderThan() != null) {
            Duration d = Ages.parse(r.olderThan());
            if (d != null && !granted.isBefore(now.minus(d))) {
                return false;
            }
        }
        if (r.labels().isEmpty()) {
            return true;
        }
        for (Approval a : e.approvals()) {
            boolean all = true;
            for (LabelValues lv : r.labels()) {
                if (!lv.category().equals(category(a)) || !lv.values().contains(a.value())) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    /** The normalised label of an event approval: its description (as Zuul v2 read it), else its type. */
    static String category(Approval a) {
        return Labels.normalizeCategory(a.description() != null ? a.description() : a.type());
    }

    private static boolean anyMatch(List<SafePattern> patterns, String text) {
        if (text == null) {
            return false;
        }
        for (SafePattern p : patterns) {
            if (p.match(text)) {
                return true;
            }
        }
        return false;
    }

    private static boolean anySearch(List<SafePattern> patterns, String text) {
        if (text == null) {
            return false;
        }
        for (SafePattern p : patterns) {
            if (p.search(text)) {
                return true;
            }
        }
        return false;
    }
}
