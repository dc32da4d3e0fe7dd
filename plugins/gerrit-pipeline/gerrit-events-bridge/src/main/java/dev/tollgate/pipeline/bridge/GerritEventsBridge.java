package dev.tollgate.pipeline.bridge;

import com.sonymobile.tools.gerrit.gerritevents.dto.GerritChangeStatus;
import com.sonymobile.tools.gerrit.gerritevents.dto.GerritEventType;
import com.sonymobile.tools.gerrit.gerritevents.dto.attr.Provider;
import com.sonymobile.tools.gerrit.gerritevents.dto.events.ChangeAbandoned;
import com.sonymobile.tools.gerrit.gerritevents.dto.events.ChangeBasedEvent;
import com.sonymobile.tools.gerrit.gerritevents.dto.events.ChangeRestored;
import com.sonymobile.tools.gerrit.gerritevents.dto.events.CommentAdded;
import com.sonymobile.tools.gerrit.gerritevents.dto.events.GerritTriggeredEvent;
import com.sonymobile.tools.gerrit.gerritevents.dto.events.RefUpdated;
import dev.tollgate.pipeline.event.Account;
import dev.tollgate.pipeline.event.Approval;
import dev.tollgate.pipeline.event.Change;
import dev.tollgate.pipeline.event.EventType;
import dev.tollgate.pipeline.event.GerritEvent;
import dev.tollgate.pipeline.event.PatchSet;
import dev.tollgate.pipeline.event.RefUpdate;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * Maps gerrit-events DTOs (what the Gerrit Trigger plugin's handler delivers) onto the engine's
 * immutable {@link GerritEvent}.
 *
 * <p>It applies the same rules as the engine's {@code EventParser}, so an event means the same thing
 * whichever way it came in: numbers may be strings or integers (gerrit-events keeps them as
 * strings), a change event needs project, branch and a positive change number, every known type but
 * change-abandoned needs a patchset with a positive number, ref-updated needs project, ref and new
 * revision, every vote needs a value. Types the engine does not act on become
 * {@link EventType#UNKNOWN} events, which the pipeline ignores. gerrit-events leaves absent fields
 * null; nothing here dereferences one unchecked. Stateless and thread-safe.
 */
public final class GerritEventsBridge {

    /**
     * Converts one event.
     *
     * @throws UnconvertibleEventException when the object is not a stream event, or lacks what the
     *                                     engine needs; the message names the field
     */
    public BridgedEvent convert(com.sonymobile.tools.gerrit.gerritevents.dto.GerritEvent source)
            throws UnconvertibleEventException {
        if (source == null) {
            throw new UnconvertibleEventException("no event", null, null);
        }
        if (!(source instanceof GerritTriggeredEvent triggered)) {
            // gerrit-events' handler only posts stream events; anything else is somebody's own object
            throw new UnconvertibleEventException("not a Gerrit stream event: " + source.getClass().getName(),
                    null, null);
        }
        Provider provider = triggered.getProvider();
        String server = provider == null ? null : provider.getName();
        GerritEventType sourceType = source.getEventType();
        String typeName = sourceType == null ? null : sourceType.getTypeValue();
        if (typeName == null) {
            throw new UnconvertibleEventException("event without a type: " + source.getClass().getName(), null,
                    server);
        }
        try {
            return new BridgedEvent(toEngine(triggered, typeName), server);
        } catch (Invalid e) {
            String reason = e.getMessage().startsWith(typeName) ? e.getMessage() : typeName + ": " + e.getMessage();
            throw new UnconvertibleEventException(reason, typeName, server);
        }
    }

    private GerritEvent toEngine(GerritTriggeredEvent source, String typeName) throws Invalid {
        EventType type = EventType.fromWire(typeName);
        long createdOn = epochSeconds(source.getEventCreatedOn());
        ChangeBasedEvent changeEvent = source instanceof ChangeBasedEvent c ? c : null;
        Change change = changeEvent == null ? null : change(changeEvent.getChange());
        PatchSet patchSet = changeEvent == null ? null : patchSet(changeEvent.getPatchSet());

        if (type == EventType.UNKNOWN) {
            // kept only so the pipeline can log and ignore it; no validation, as in EventParser
            return new GerritEvent(type, typeName, change, patchSet, null, null, List.of(), null, createdOn);
        }
        Account account = account(actor(source, type));
        if (type == EventType.REF_UPDATED) {
            RefUpdate refUpdate = source instanceof RefUpdated r ? refUpdate(r.getRefUpdate()) : null;
            if (refUpdate == null) {
                throw new Invalid("ref-updated without \"refUpdate\"");
            }
            require(refUpdate.project(), "refUpdate.project");
            require(refUpdate.refName(), "refUpdate.refName");
            require(refUpdate.newRev(), "refUpdate.newRev");
            return new GerritEvent(type, typeName, null, null, account, null, List.of(), refUpdate, createdOn);
        }
        if (change == null) {
            throw new Invalid(typeName + " without \"change\"");
        }
        require(change.project(), "change.project");
        require(change.branch(), "change.branch");
        if (change.number() <= 0) {
            throw new Invalid("change.number missing or not positive");
        }
        if (type != EventType.CHANGE_ABANDONED) {
            if (patchSet == null) {
                throw new Invalid(typeName + " without \"patchSet\"");
            }
            if (patchSet.number() <= 0) {
                throw new Invalid("patchSet.number missing or not positive");
            }
        }
        String comment = null;
        List<Approval> approvals = List.of();
        if (source instanceof CommentAdded commentAdded) {
            comment = text(commentAdded.getComment());
            approvals = approvals(commentAdded.getApprovals());
        }
        return new GerritEvent(type, typeName, change, patchSet, account, comment, approvals, null, createdOn);
    }

    /**
     * Who caused the event, as Zuul v2 names it. gerrit-events keeps the abandoner and restorer in
     * fields of their own and leaves {@code getAccount()} null for those two types.
     */
    private static com.sonymobile.tools.gerrit.gerritevents.dto.attr.Account actor(GerritTriggeredEvent source,
                                                                                   EventType type) {
        if (type == EventType.CHANGE_ABANDONED && source instanceof ChangeAbandoned a && a.getAbandoner() != null) {
            return a.getAbandoner();
        }
        if (type == EventType.CHANGE_RESTORED && source instanceof ChangeRestored r && r.getRestorer() != null) {
            return r.getRestorer();
        }
        return source.getAccount();
    }

    private static Change change(com.sonymobile.tools.gerrit.gerritevents.dto.attr.Change c) throws Invalid {
        if (c == null) {
            return null;
        }
        String numberText = text(c.getNumber());
        int number = numberText == null ? 0 : intValue(numberText, "change.number");
        // gerrit-events maps an absent or unfamiliar status to UNKNOWN; the engine's "not said" is null
        GerritChangeStatus status = c.getStatus();
        String statusName = status == null || status == GerritChangeStatus.UNKNOWN ? null : status.name();
        return new Change(text(c.getProject()), text(c.getBranch()), number, text(c.getId()), text(c.getUrl()),
                text(c.getSubject()), account(c.getOwner()), statusName, text(c.getTopic()), text(c.getCommitMessage()));
    }

    private static PatchSet patchSet(com.sonymobile.tools.gerrit.gerritevents.dto.attr.PatchSet p) throws Invalid {
        if (p == null) {
            return null;
        }
        String numberText = text(p.getNumber());
        int number = numberText == null ? 0 : intValue(numberText, "patchSet.number");
        return new PatchSet(number, text(p.getRevision()), text(p.getRef()), account(p.getUploader()),
                account(p.getAuthor()));
    }

    private static RefUpdate refUpdate(com.sonymobile.tools.gerrit.gerritevents.dto.attr.RefUpdate r) {
        if (r == null) {
            return null;
        }
        // getRefName() strips "refs/heads/" (and throws when the name is absent); getRef() keeps the
        // full name, and completes the short branch names Gerrit before 2.12 sent
        String ref = r.getRef();
        if ("refs/heads/null".equals(ref)) {
            ref = null; // a JSON null, which json-lib reads as the text "null", completed as a branch
        }
        return new RefUpdate(text(r.getProject()), ref, text(r.getOldRev()), text(r.getNewRev()));
    }

    private static Account account(com.sonymobile.tools.gerrit.gerritevents.dto.attr.Account a) {
        if (a == null) {
            return null;
        }
        String username = text(a.getUsername());
        String email = text(a.getEmail());
        String name = text(a.getName());
        if (username == null && email == null && name == null) {
            // json-lib turns "owner": null (and {}) into an account with every field null: nobody
            return null;
        }
        return new Account(username, email, name);
    }

    private static List<Approval> approvals(List<com.sonymobile.tools.gerrit.gerritevents.dto.attr.Approval> list)
            throws Invalid {
        if (list == null || list.isEmpty()) {
            return List.of();
        }
        List<Approval> out = new ArrayList<>(list.size());
        for (com.sonymobile.tools.gerrit.gerritevents.dto.attr.Approval a : list) {
            String field = "approvals[" + out.size() + "]";
            if (a == null || text(a.getValue()) == null) {
                // gerrit-events drops type and value together when either is missing
                throw new Invalid(field + ".value missing");
            }
            int value = intValue(a.getValue(), field + ".value");
            Integer oldValue = text(a.getOldValue()) == null ? null : intValue(a.getOldValue(), field + ".oldValue");
            // gerrit-events does not keep the description; Gerrit 2.13+ sends the label name there
            out.add(new Approval(text(a.getType()), text(a.getType()), value, oldValue));
        }
        return out;
    }

    /**
     * A string as gerrit-events hands it over. json-lib reads a JSON {@code null} as the text
     * {@code null}, and quotes a real "null" string ({@code "null"} with the quotes), so the bare
     * text is always an absent value.
     */
    private static String text(String s) {
        return s == null || s.equals("null") ? null : s;
    }

    private static long epochSeconds(Date date) {
        return date == null ? 0 : Math.floorDiv(date.getTime(), 1000L);
    }

    private static void require(String value, String field) throws Invalid {
        if (value == null || value.isEmpty()) {
            throw new Invalid("missing \"" + field + "\"");
        }
    }

    /** Same reading as EventParser: an integer, optionally with a leading '+', surrounding blanks ignored. */
    private static int intValue(String text, String field) throws Invalid {
        String s = text.trim();
        long v;
        try {
            v = Long.parseLong(s.startsWith("+") ? s.substring(1) : s);
        } catch (NumberFormatException e) {
            throw new Invalid(field + ": expected a number, got \"" + abbreviate(s) + "\"");
        }
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new Invalid(field + ": number out of range: " + v);
        }
        return (int) v;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    /** Internal: why a DTO cannot become an engine event. */
    private static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }
}
