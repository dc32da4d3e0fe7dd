package dev.tollgate.pipeline.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses one Gerrit {@code stream-events} JSON line into a {@link GerritEvent}.
 *
 * <p>Jackson's streaming parser reads straight into the record (no tree, no data binding): this is
 * the hot path of the engine. Numbers are accepted as JSON numbers or as strings holding one,
 * because Gerrit versions differ ("number":"1001" in 2.x, "number":1001 in 3.x, approval values
 * "1"). Unknown fields are skipped. Thread-safe.
 */
public final class EventParser {
    /**
     * The largest event line accepted, in UTF-8 bytes (1 MiB). Gerrit caps a review comment at 16 KiB
     * by default ({@code change.commentSizeLimit}); commit messages and inline-comment summaries make
     * real events larger, never close to this. Readers of an event stream should refuse longer lines
     * as they read them, before holding them in memory, with this same limit.
     */
    public static final int MAX_EVENT_BYTES = 1024 * 1024;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            // no string in an event can be longer than the event
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(MAX_EVENT_BYTES).build())
            .build();

    /** Parses a line; an EventParseException names the field and what is wrong with it. */
    public GerritEvent parse(String line) throws EventParseException {
        if (line == null || line.isBlank()) {
            throw new EventParseException("empty line");
        }
        if (tooLarge(line)) {
            throw new EventParseException("event too large: more than " + MAX_EVENT_BYTES + " bytes");
        }
        try (JsonParser p = FACTORY.createParser(line)) {
            GerritEvent e = readEvent(p);
            if (p.nextToken() != null) {
                throw new EventParseException("trailing content after the JSON object");
            }
            return e;
        } catch (JsonProcessingException e) {
            throw new EventParseException("invalid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new EventParseException("unreadable line: " + e.getMessage(), e);
        }
    }

    private GerritEvent readEvent(JsonParser p) throws IOException, EventParseException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new EventParseException("not a JSON object");
        }
        String typeName = null;
        long createdOn = 0;
        Change change = null;
        PatchSet patchSet = null;
        String comment = null;
        List<Approval> approvals = null;
        RefUpdate refUpdate = null;
        Account uploader = null;
        Account author = null;
        Account abandoner = null;
        Account restorer = null;
        Account submitter = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            switch (field) {
                case "type" -> typeName = string(p, t, "type");
                case "eventCreatedOn" -> createdOn = longValue(p, t, "eventCreatedOn");
                case "change" -> change = readChange(p, t);
                case "patchSet" -> patchSet = readPatchSet(p, t);
                case "comment" -> comment = string(p, t, "comment");
                case "approvals" -> approvals = readApprovals(p, t);
                case "refUpdate" -> refUpdate = readRefUpdate(p, t);
                case "uploader" -> uploader = readAccount(p, t, field);
                case "author" -> author = readAccount(p, t, field);
                case "abandoner" -> abandoner = readAccount(p, t, field);
                case "restorer" -> restorer = readAccount(p, t, field);
                case "submitter" -> submitter = readAccount(p, t, field);
                default -> p.skipChildren();
            }
        }
        if (typeName == null) {
            throw new EventParseException("missing \"type\"");
        }
        EventType type = EventType.fromWire(typeName);
        Account account = switch (type) {
            case PATCHSET_CREATED, DRAFT_PUBLISHED -> uploader;
            case COMMENT_ADDED -> author;
            case CHANGE_ABANDONED -> abandoner;
            case CHANGE_RESTORED -> restorer;
            case CHANGE_MERGED, REF_UPDATED -> submitter;
            case UNKNOWN -> null;
        };
        if (type == EventType.UNKNOWN) {
            return new GerritEvent(type, typeName, change, patchSet, account, comment, approvals, refUpdate, createdOn);
        }
        if (type == EventType.REF_UPDATED) {
            if (refUpdate == null) {
                throw new EventParseException("ref-updated without \"refUpdate\"");
            }
            require(refUpdate.project(), "refUpdate.project");
            require(refUpdate.refName(), "refUpdate.refName");
            require(refUpdate.newRev(), "refUpdate.newRev");
            return new GerritEvent(type, typeName, null, null, account, null, approvals, refUpdate, createdOn);
        }
        if (change == null) {
            throw new EventParseException(typeName + " without \"change\"");
        }
        require(change.project(), "change.project");
        require(change.branch(), "change.branch");
        if (change.number() <= 0) {
            throw new EventParseException("change.number missing or not positive");
        }
        if (type != EventType.CHANGE_ABANDONED) {
            if (patchSet == null) {
                throw new EventParseException(typeName + " without \"patchSet\"");
            }
            if (patchSet.number() <= 0) {
                throw new EventParseException("patchSet.number missing or not positive");
            }
        }
        return new GerritEvent(type, typeName, change, patchSet, account, comment, approvals, null, createdOn);
    }

    private static void require(String value, String field) throws EventParseException {
        if (value == null || value.isEmpty()) {
            throw new EventParseException("missing \"" + field + "\"");
        }
    }

    private Change readChange(JsonParser p, JsonToken t) throws IOException, EventParseException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        expectObject(t, "change");
        String project = null;
        String branch = null;
        int number = 0;
        String id = null;
        String url = null;
        String subject = null;
        Account owner = null;
        String status = null;
        String topic = null;
        String commitMessage = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            switch (f) {
                case "project" -> project = projectName(p, v, "change.project");
                case "branch" -> branch = string(p, v, "change.branch");
                case "number" -> number = intValue(p, v, "change.number");
                case "id" -> id = string(p, v, "change.id");
                case "url" -> url = string(p, v, "change.url");
                case "subject" -> subject = string(p, v, "change.subject");
                case "owner" -> owner = readAccount(p, v, "change.owner");
                case "status" -> status = string(p, v, "change.status");
                case "topic" -> topic = string(p, v, "change.topic");
                case "commitMessage" -> commitMessage = string(p, v, "change.commitMessage");
                default -> p.skipChildren();
            }
        }
        return new Change(project, branch, number, id, url, subject, owner, status, topic, commitMessage);
    }

    private PatchSet readPatchSet(JsonParser p, JsonToken t) throws IOException, EventParseException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        expectObject(t, "patchSet");
        int number = 0;
        String revision = null;
        String ref = null;
        Account uploader = null;
        Account author = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            switch (f) {
                case "number" -> number = intValue(p, v, "patchSet.number");
                case "revision" -> revision = string(p, v, "patchSet.revision");
                case "ref" -> ref = string(p, v, "patchSet.ref");
                case "uploader" -> uploader = readAccount(p, v, "patchSet.uploader");
                case "author" -> author = readAccount(p, v, "patchSet.author");
                default -> p.skipChildren();
            }
        }
        return new PatchSet(number, revision, ref, uploader, author);
    }

    private RefUpdate readRefUpdate(JsonParser p, JsonToken t) throws IOException, EventParseException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        expectObject(t, "refUpdate");
        String project = null;
        String refName = null;
        String oldRev = null;
        String newRev = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            switch (f) {
                case "project" -> project = projectName(p, v, "refUpdate.project");
                case "refName" -> refName = string(p, v, "refUpdate.refName");
                case "oldRev" -> oldRev = string(p, v, "refUpdate.oldRev");
                case "newRev" -> newRev = string(p, v, "refUpdate.newRev");
                default -> p.skipChildren();
            }
        }
        return new RefUpdate(project, refName, oldRev, newRev);
    }

    private List<Approval> readApprovals(JsonParser p, JsonToken t) throws IOException, EventParseException {
        if (t == JsonToken.VALUE_NULL) {
            return List.of();
        }
        if (t != JsonToken.START_ARRAY) {
            throw new EventParseException("approvals: expected an array, got " + describe(t));
        }
        List<Approval> out = new ArrayList<>(2);
        JsonToken e;
        while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
            expectObject(e, "approvals[" + out.size() + "]");
            String type = null;
            String description = null;
            Integer value = null;
            Integer oldValue = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken v = p.nextToken();
                switch (f) {
                    case "type" -> type = string(p, v, "approvals.type");
                    case "description" -> description = string(p, v, "approvals.description");
                    case "value" -> value = v == JsonToken.VALUE_NULL ? null : intValue(p, v, "approvals.value");
                    case "oldValue" -> oldValue = v == JsonToken.VALUE_NULL ? null : intValue(p, v, "approvals.oldValue");
                    default -> p.skipChildren();
                }
            }
            if (value == null) {
                throw new EventParseException("approvals[" + out.size() + "].value missing");
            }
            out.add(new Approval(type, description, value, oldValue));
        }
        return out;
    }

    private Account readAccount(JsonParser p, JsonToken t, String field) throws IOException, EventParseException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        expectObject(t, field);
        String username = null;
        String email = null;
        String name = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            switch (f) {
                case "username" -> username = string(p, v, field + ".username");
                case "email" -> email = string(p, v, field + ".email");
                case "name" -> name = string(p, v, field + ".name");
                default -> p.skipChildren();
            }
        }
        return new Account(username, email, name);
    }

    /** Gerrit 2.x sends project names as strings; some builds serialise the name key as {"name": ...}. */
    private String projectName(JsonParser p, JsonToken t, String field) throws IOException, EventParseException {
        if (t == JsonToken.START_OBJECT) {
            String name = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken v = p.nextToken();
                if (f.equals("name")) {
                    name = string(p, v, field + ".name");
                } else {
                    p.skipChildren();
                }
            }
            return name;
        }
        return string(p, t, field);
    }

    private static void expectObject(JsonToken t, String field) throws EventParseException {
        if (t != JsonToken.START_OBJECT) {
            throw new EventParseException(field + ": expected an object, got " + describe(t));
        }
    }

    private static String string(JsonParser p, JsonToken t, String field) throws IOException, EventParseException {
        return switch (t) {
            case VALUE_STRING, VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE -> p.getText();
            case VALUE_NULL -> null;
            default -> throw new EventParseException(field + ": expected a string, got " + describe(t));
        };
    }

    private static int intValue(JsonParser p, JsonToken t, String field) throws IOException, EventParseException {
        long v = longValue(p, t, field);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new EventParseException(field + ": number out of range: " + v);
        }
        return (int) v;
    }

    private static long longValue(JsonParser p, JsonToken t, String field) throws IOException, EventParseException {
        if (t == JsonToken.VALUE_NUMBER_INT) {
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw new EventParseException(field + ": number out of range: " + p.getText());
            }
            return p.getLongValue();
        }
        if (t == JsonToken.VALUE_STRING) {
            String s = p.getText().trim();
            try {
                // "+1" is how some tools write a positive vote
                return Long.parseLong(s.startsWith("+") ? s.substring(1) : s);
            } catch (NumberFormatException e) {
                throw new EventParseException(field + ": expected a number, got \"" + abbreviate(s) + "\"");
            }
        }
        if (t == JsonToken.VALUE_NUMBER_FLOAT) {
            throw new EventParseException(field + ": expected a whole number, got " + p.getText());
        }
        throw new EventParseException(field + ": expected a number, got " + describe(t));
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "end of input";
        }
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.toString();
        };
    }

    /** Is the UTF-8 form of the line longer than {@link #MAX_EVENT_BYTES}? Counts no further than needed. */
    private static boolean tooLarge(String s) {
        if ((long) s.length() * 3 <= MAX_EVENT_BYTES) {
            return false; // a char is at most 3 bytes (a surrogate pair, 2 chars, is 4)
        }
        long n = 0;
        for (int k = 0; k < s.length() && n <= MAX_EVENT_BYTES; k++) {
            char c = s.charAt(k);
            n += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
        }
        return n > MAX_EVENT_BYTES;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
