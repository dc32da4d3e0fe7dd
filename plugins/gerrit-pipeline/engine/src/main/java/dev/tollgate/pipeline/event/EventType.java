package dev.tollgate.pipeline.event;

import java.util.HashMap;
import java.util.Map;

/** The Gerrit event types the engine acts on; everything else parses to {@link #UNKNOWN}. */
public enum EventType {
    PATCHSET_CREATED("patchset-created", "uploader"),
    DRAFT_PUBLISHED("draft-published", "uploader"),
    CHANGE_ABANDONED("change-abandoned", "abandoner"),
    CHANGE_RESTORED("change-restored", "restorer"),
    CHANGE_MERGED("change-merged", "submitter"),
    COMMENT_ADDED("comment-added", "author"),
    REF_UPDATED("ref-updated", "submitter"),
    /** Any other type (reviewer-added, ref-replicated, ...): parsed, kept, ignored. */
    UNKNOWN(null, null);

    private static final Map<String, EventType> BY_WIRE = new HashMap<>();

    static {
        for (EventType t : values()) {
            if (t.wireName != null) {
                BY_WIRE.put(t.wireName, t);
            }
        }
    }

    private final String wireName;
    private final String accountField;

    EventType(String wireName, String accountField) {
        this.wireName = wireName;
        this.accountField = accountField;
    }

    /** The name Gerrit uses in {@code "type"}, e.g. {@code comment-added}; null for UNKNOWN. */
    public String wireName() {
        return wireName;
    }

    /** The JSON field that names the account who caused the event (Zuul v2's mapping). */
    public String accountField() {
        return accountField;
    }

    public boolean isChangeEvent() {
        return this != REF_UPDATED && this != UNKNOWN;
    }

    /** The type for a wire name; UNKNOWN for names the engine does not act on. */
    public static EventType fromWire(String name) {
        EventType t = BY_WIRE.get(name);
        return t == null ? UNKNOWN : t;
    }

    /** The type for a wire name, or null when it is not one of the known ones (for config checks). */
    public static EventType known(String name) {
        return BY_WIRE.get(name);
    }
}
