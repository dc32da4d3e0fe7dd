package dev.tollgate.pipeline.simulate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.pipeline.event.ChangeRef;
import dev.tollgate.pipeline.port.Review;
import dev.tollgate.pipeline.scheduler.ItemView;
import dev.tollgate.pipeline.scheduler.SchedulerListener;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The scheduler's decisions as JSON lines, one per decision: {@code enqueue} (with the item's jobs),
 * {@code dequeue}, {@code relaunch} (job and attempt) and {@code report} (labels and message). Each
 * line starts with {@code event}, the number of the event that caused it, then the pipeline, the
 * project and the change and patchset (or ref and newrev). {@code tollgate simulate} (the event's
 * line in the file) and {@code tollgate watch} (the event's rank since the start) print these, so
 * their output compares line for line.
 *
 * <p>With merging on, an item's enqueue line carries {@code "merge": {"ref": ..., "commit": ...}} or
 * {@code "merge": {"failed": true}}: the enqueue line, and the item's lines that come before its
 * merge's result (its start report), are held until that result and then printed in order.
 *
 * <p>Called on whatever thread the scheduler decides on; each line is one {@link PrintStream#println}
 * call, so lines from several threads never mix, and the held lines are guarded by this object's
 * lock. {@code event} is read when a line is made, so a held line keeps the event that caused it.
 */
public final class DecisionLines implements SchedulerListener {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out;
    private final LongSupplier event;
    private final boolean merging;
    /** With merging: an item's enqueue line and the lines after it, until its merge's result. */
    private final Map<String, List<Map<String, Object>>> waiting = new HashMap<>();

    /** @param event the number of the event being handled, read for each line */
    public DecisionLines(PrintStream out, LongSupplier event) {
        this(out, event, false);
    }

    /**
     * @param event   the number of the event being handled, read for each line
     * @param merging the scheduler has a merger: enqueue lines wait for the merge's result
     */
    public DecisionLines(PrintStream out, LongSupplier event, boolean merging) {
        this.out = Objects.requireNonNull(out, "out");
        this.event = Objects.requireNonNull(event, "event");
        this.merging = merging;
    }

    @Override
    public synchronized void enqueued(ItemView item) {
        Map<String, Object> m = head("enqueue", item);
        m.put("jobs", item.jobs());
        if (merging) {
            List<Map<String, Object>> lines = new ArrayList<>();
            lines.add(m);
            waiting.put(item.uuid(), lines);
        } else {
            print(m);
        }
    }

    @Override
    public void merged(ItemView item, String ref, String commit) {
        Map<String, Object> merge = new LinkedHashMap<>();
        merge.put("ref", ref);
        merge.put("commit", commit);
        release(item, merge);
    }

    @Override
    public void mergeFailed(ItemView item, String why) {
        release(item, Map.of("failed", true));
    }

    private synchronized void release(ItemView item, Map<String, Object> merge) {
        List<Map<String, Object>> lines = waiting.remove(item.uuid());
        if (lines != null) {
            lines.get(0).put("merge", merge);
            lines.forEach(this::print);
        }
    }

    @Override
    public synchronized void dequeued(ItemView item, String reason) {
        List<Map<String, Object>> lines = waiting.remove(item.uuid()); // dequeued before its merge ended
        if (lines != null) {
            lines.forEach(this::print);
        }
        print(head("dequeue", item));
    }

    @Override
    public synchronized void relaunched(ItemView item, String job, int attempt, String reason) {
        Map<String, Object> m = head("relaunch", item);
        m.put("job", job);
        m.put("attempt", attempt);
        print(m);
    }

    @Override
    public synchronized void reporting(ItemView item, String action, Review review) {
        Map<String, Object> m = head("report", item);
        m.put("labels", new TreeMap<>(review.labels()));
        m.put("message", review.message());
        List<Map<String, Object>> lines = waiting.get(item.uuid());
        if (lines != null) {
            lines.add(m); // the start report comes before the merge's result
        } else {
            print(m);
        }
    }

    private Map<String, Object> head(String action, ItemView item) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", event.getAsLong());
        m.put("action", action);
        m.put("pipeline", item.pipeline());
        m.put("project", item.project());
        if (item.changeRef() instanceof ChangeRef.Patchset p) {
            m.put("change", p.change());
            m.put("patchset", p.patchset());
        } else if (item.changeRef() instanceof ChangeRef.Ref r) {
            m.put("ref", r.ref());
            m.put("newrev", r.newRev());
        }
        return m;
    }

    /** Prints one JSON object as a line in the same style (for lines a caller adds to these). */
    public void print(Map<String, Object> m) {
        try {
            out.println(JSON.writeValueAsString(m));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
