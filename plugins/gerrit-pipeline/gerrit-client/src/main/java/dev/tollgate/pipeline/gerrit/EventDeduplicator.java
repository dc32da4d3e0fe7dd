package dev.tollgate.pipeline.gerrit;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers the last events seen so that each is delivered once, whether it came from the live
 * stream, from recovery after a reconnect, or from both.
 *
 * <p>An event's identity is its meaning, not its bytes: a recovered event is synthesised from
 * Gerrit's REST answers and differs from the live line (fewer fields, and a time taken from the
 * change message, which can be a second or two earlier than the stream's {@code eventCreatedOn}).
 * So the key is type + project + change + patchset + actor + hash of the comment/reason, and for
 * events that can legitimately repeat (comments, abandon/restore) two events with the same key
 * count as one when their times are within {@code timeTolerance} seconds. Events that happen once
 * in a change's life (patchset-created, change-merged, ref-updated with its revisions) need no time.
 *
 * <p>Accepted limit: the same person posting the same comment on the same patchset twice within
 * the tolerance is delivered once. Memory is bounded: the least recently seen keys are forgotten
 * first (each keeps its last 8 times).
 */
public final class EventDeduplicator {
    private final int capacity;
    private final int timeTolerance;
    /** base key -> the times it was seen (newest last, at most {@link #TIMES_KEPT}); untimed: empty. */
    private final Map<String, long[]> seen;
    private static final int TIMES_KEPT = 8;
    private static final long[] UNTIMED = new long[0];

    public EventDeduplicator(int capacity, int timeToleranceSeconds) {
        if (capacity < 1 || timeToleranceSeconds < 0) {
            throw new IllegalArgumentException("capacity >= 1 and tolerance >= 0 required");
        }
        this.capacity = capacity;
        this.timeTolerance = timeToleranceSeconds;
        this.seen = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
                return size() > EventDeduplicator.this.capacity;
            }
        };
    }

    public EventDeduplicator() {
        this(50_000, 5);
    }

    /** True the first time an event is offered, false for any later copy of it. */
    public synchronized boolean firstTime(JsonNode event) {
        Key k = keyOf(event);
        long[] times = seen.get(k.base);
        if (!k.timed) {
            if (times != null) {
                return false;
            }
            seen.put(k.base, UNTIMED);
            return true;
        }
        if (times == null) {
            seen.put(k.base, new long[] {k.time});
            return true;
        }
        for (long t : times) {
            if (Math.abs(t - k.time) <= timeTolerance) {
                return false;
            }
        }
        int keep = Math.min(times.length, TIMES_KEPT - 1);
        long[] more = new long[keep + 1];
        System.arraycopy(times, times.length - keep, more, 0, keep);
        more[keep] = k.time;
        seen.put(k.base, more);
        return true;
    }

    public synchronized int size() {
        return seen.size();
    }

    record Key(String base, boolean timed, long time) {}

    static Key keyOf(JsonNode e) {
        String type = e.path("type").asText("");
        JsonNode change = e.path("change");
        String project = change.path("project").asText(e.path("project").asText(""));
        String number = change.path("number").asText("");
        String ps = e.path("patchSet").path("number").asText("");
        long time = e.path("eventCreatedOn").asLong(0);
        String where = type + "|" + project + "|" + number + "|" + ps;
        switch (type) {
            case "patchset-created":
            case "draft-published":
                return new Key(where, false, 0);
            case "change-merged":
                return new Key(type + "|" + project + "|" + number, false, 0);
            case "comment-added":
                return new Key(where + "|" + actor(e.path("author")) + "|" + hash(e.path("comment").asText("")),
                        true, time);
            case "change-abandoned":
                return new Key(where + "|" + actor(e.path("abandoner")) + "|" + hash(e.path("reason").asText("")),
                        true, time);
            case "change-restored":
                return new Key(where + "|" + actor(e.path("restorer")) + "|" + hash(e.path("reason").asText("")),
                        true, time);
            case "ref-updated": {
                JsonNode r = e.path("refUpdate");
                return new Key(type + "|" + r.path("project").asText("") + "|" + r.path("refName").asText("")
                        + "|" + r.path("oldRev").asText("") + "|" + r.path("newRev").asText(""), false, 0);
            }
            default:
                // unknown kinds: only byte-identical copies are duplicates
                return new Key("raw|" + hash(e.toString()), false, 0);
        }
    }

    /** The account behind an event; username first, as both the stream and REST carry it. */
    static String actor(JsonNode account) {
        for (String f : new String[] {"username", "email", "name"}) {
            String v = account.path(f).asText("");
            if (!v.isEmpty()) {
                return v;
            }
        }
        return "";
    }

    static String hash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.strip().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
