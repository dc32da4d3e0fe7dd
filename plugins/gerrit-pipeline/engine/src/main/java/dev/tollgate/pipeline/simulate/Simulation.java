package dev.tollgate.pipeline.simulate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.common.BuildResult;
import dev.tollgate.pipeline.event.ChangeRef;
import dev.tollgate.pipeline.event.EventParseException;
import dev.tollgate.pipeline.event.EventParser;
import dev.tollgate.pipeline.event.GerritEvent;
import dev.tollgate.pipeline.layout.Layout;
import dev.tollgate.pipeline.port.JobLauncher;
import dev.tollgate.pipeline.port.LaunchRequest;
import dev.tollgate.pipeline.port.Merger;
import dev.tollgate.pipeline.port.Review;
import dev.tollgate.pipeline.scheduler.ItemView;
import dev.tollgate.pipeline.scheduler.Scheduler;
import dev.tollgate.pipeline.scheduler.SchedulerListener;
import dev.tollgate.pipeline.event.EventLineReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A replay of recorded Gerrit events through the real {@link Scheduler} with a fake launcher whose
 * builds end as {@link Outcomes} say, a poster that posts nothing, a fixed clock and counting uuids,
 * so the output is the same on every run: one JSON line per decision ({@code enqueue},
 * {@code dequeue}, {@code relaunch}, {@code report}). {@code tollgate simulate} prints it; the
 * fidelity tests compare it with expected lines.
 *
 * <p>After each event, the builds it launched end in launch order (a relaunch joins the end of the
 * line) before the next event is read. Not thread-safe: one replay at a time, on one thread.
 *
 * <p>Event lines are read with {@link EventLineReader}: a line over {@link EventParser#MAX_EVENT_BYTES}
 * is reported and skipped without being held in memory, a malformed one is reported and skipped.
 */
public final class Simulation {
    /** The simulated clock: every build takes 0 s, and approval ages are measured from here. */
    public static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Outcomes outcomes;
    private final PrintStream out;
    private final ArrayDeque<LaunchRequest> launched = new ArrayDeque<>();
    private final Scheduler scheduler;
    private int line;
    private long ids;

    public Simulation(Layout layout, Outcomes outcomes, PrintStream out) {
        this(layout, outcomes, out, null);
    }

    /**
     * With a merger (null: none), every item is merged before its builds run, and its enqueue line
     * carries {@code "merge": {"ref": ..., "commit": ...}}, or {@code "merge": {"failed": true}}
     * followed by the merge-failure report. The merger must answer from inside {@code merge} (on the
     * replay's thread), so the output stays in decision order.
     */
    public Simulation(Layout layout, Outcomes outcomes, PrintStream out, Merger merger) {
        this.outcomes = outcomes;
        this.out = out;
        JobLauncher launcher = new JobLauncher() {
            @Override
            public void launch(LaunchRequest request) {
                launched.add(request);
            }

            @Override
            public void cancel(String buildId) {
                launched.removeIf(r -> r.buildId().equals(buildId));
            }
        };
        this.scheduler = Scheduler.builder(layout)
                .launcher(launcher)
                .reviewPoster(review -> { })
                .clock(Clock.fixed(NOW, ZoneOffset.UTC))
                .uuids(() -> String.format(Locale.ROOT, "%032x", ++ids))
                .listener(new Printer(merger != null))
                .merger(merger)
                .build();
    }

    /**
     * Replays a file of stream-events lines. Bytes that are not UTF-8 are replaced rather than
     * failing: one bad line in an old recording must not stop the replay (the parser then judges the
     * line like any other). Oversized and malformed lines are reported on {@code err} as
     * {@code FILE:N: ...} and skipped.
     */
    public void replay(Path events, PrintStream err) throws IOException {
        try (InputStream in = Files.newInputStream(events)) {
            replay(in, events.toString(), err);
        }
    }

    /** Replays stream-events lines; {@code name} labels the lines reported on {@code err}. */
    public void replay(InputStream events, String name, PrintStream err) throws IOException {
        EventParser parser = new EventParser();
        EventLineReader lines = new EventLineReader(events);
        EventLineReader.Line l;
        while ((l = lines.next()) != null) {
            line = l.number();
            if (l.oversized()) {
                err.println(name + ":" + line + ": skipped: the line is " + l.bytes() + " bytes, more than the limit of "
                        + EventParser.MAX_EVENT_BYTES + " bytes for one event");
                continue;
            }
            if (l.text().isBlank()) {
                continue;
            }
            GerritEvent event;
            try {
                event = parser.parse(l.text());
            } catch (EventParseException e) {
                err.println(name + ":" + line + ": skipped malformed event: " + e.getMessage());
                continue;
            }
            try {
                scheduler.onEvent(event);
            } catch (RuntimeException e) {
                err.println(name + ":" + line + ": event not processed: " + e);
                continue;
            }
            endBuilds();
        }
    }

    /** Ends the waiting builds as the outcomes say; held ones keep running. */
    private void endBuilds() {
        ArrayDeque<LaunchRequest> held = new ArrayDeque<>();
        LaunchRequest r;
        while ((r = launched.poll()) != null) {
            String o = outcomes.outcome(r.job(), r.attempt());
            if (o.equals(Outcomes.HOLD)) {
                held.add(r);
            } else if (o.equals(Outcomes.NONE)) {
                scheduler.onJobEndedWithoutResult(r.buildId(), "simulated: no result");
            } else {
                scheduler.onJobCompleted(r.buildId(), BuildResult.valueOf(o), null);
            }
        }
        launched.addAll(held);
    }

    private final class Printer implements SchedulerListener {
        private final boolean merging;
        /** With a merger: an item's enqueue line, and the lines after it, wait for its merge's result. */
        private final Map<String, List<Map<String, Object>>> waiting = new HashMap<>();

        Printer(boolean merging) {
            this.merging = merging;
        }

        @Override
        public void enqueued(ItemView item) {
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

        private void release(ItemView item, Map<String, Object> merge) {
            List<Map<String, Object>> lines = waiting.remove(item.uuid());
            if (lines != null) {
                lines.get(0).put("merge", merge);
                lines.forEach(this::print);
            }
        }

        @Override
        public void dequeued(ItemView item, String reason) {
            List<Map<String, Object>> lines = waiting.remove(item.uuid()); // dequeued before its merge ended
            if (lines != null) {
                lines.forEach(this::print);
            }
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
            List<Map<String, Object>> lines = waiting.get(item.uuid());
            if (lines != null) {
                lines.add(m); // the start report comes before the merge's result
            } else {
                print(m);
            }
        }

        private Map<String, Object> head(String action, ItemView item) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("event", line);
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

        private void print(Map<String, Object> m) {
            try {
                out.println(JSON.writeValueAsString(m));
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
