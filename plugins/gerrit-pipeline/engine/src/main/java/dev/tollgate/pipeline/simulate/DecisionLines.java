package dev.tollgate.pipeline.simulate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.pipeline.event.ChangeRef;
import dev.tollgate.pipeline.port.Review;
import dev.tollgate.pipeline.scheduler.ItemView;
import dev.tollgate.pipeline.scheduler.SchedulerListener;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
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
 * <p>Called on whatever thread the scheduler decides on; each line is one {@link PrintStream#println}
 * call, so lines from several threads never mix. {@code event} is read when a line is printed.
 */
public final class DecisionLines implements SchedulerListener {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out;
    private final LongSupplier event;

    /** @param event the number of the event being handled, read for each line */
    public DecisionLines(PrintStream out, LongSupplier event) {
        this.out = Objects.requireNonNull(out, "out");
        this.event = Objects.requireNonNull(event, "event");
    }

    @Override
    public void enqueued(ItemView item) {
        Map<String, Object> m = head("enqueue", item);
        m.put("jobs", item.jobs());
        print(m);
    }

    @Override
    public void dequeued(ItemView item, String reason) {
        print(head("dequeue", item));
    }

    @Override
    public void relaunched(ItemView item, String job, int attempt, String reason) {
        Map<String, Object> m = head("relaunch", item);
        m.put("job", job);
        m.put("attempt", attempt);
        print(m);
    }

    @Override
    public void reporting(ItemView item, String action, Review review) {
        Map<String, Object> m = head("report", item);
        m.put("labels", new TreeMap<>(review.labels()));
        m.put("message", review.message());
        print(m);
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
