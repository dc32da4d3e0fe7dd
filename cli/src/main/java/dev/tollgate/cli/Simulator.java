package dev.tollgate.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.pipeline.event.EventParseException;
import dev.tollgate.pipeline.event.EventParser;
import dev.tollgate.pipeline.event.GerritEvent;
import dev.tollgate.pipeline.layout.Layout;
import dev.tollgate.pipeline.port.JobLauncher;
import dev.tollgate.pipeline.port.LaunchRequest;
import dev.tollgate.pipeline.port.Review;
import dev.tollgate.pipeline.scheduler.ItemView;
import dev.tollgate.pipeline.scheduler.Scheduler;
import dev.tollgate.pipeline.scheduler.SchedulerListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code tollgate simulate}: the real engine with a fake launcher (builds end when told), a poster
 * that posts nothing, a fixed clock and counting uuids, so the output is the same on every run.
 * Event lines are read with {@link EventLineReader}: a line over {@link EventParser#MAX_EVENT_BYTES}
 * is reported and skipped without being held in memory, a malformed one is reported and skipped.
 */
final class Simulator {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final boolean hold;
    private final String result;
    private final PrintStream out;
    private final PrintStream err;
    private final List<LaunchRequest> launched = new ArrayList<>();
    private final Scheduler scheduler;
    private int line;
    private long ids;

    Simulator(Layout layout, boolean hold, String result, PrintStream out, PrintStream err) {
        this.hold = hold;
        this.result = result;
        this.out = out;
        this.err = err;
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
                .clock(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC))
                .uuids(() -> String.format("%032x", ++ids))
                .listener(new Printer())
                .build();
    }

    void replay(Path events) throws IOException {
        try (InputStream in = Files.newInputStream(events)) {
            replay(in, events.toString());
        }
    }

    /** Replays a stream of events; {@code name} prefixes every message about a line. */
    void replay(InputStream events, String name) throws IOException {
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
            if (!hold) {
                List<LaunchRequest> now = new ArrayList<>(launched);
                launched.clear();
                for (LaunchRequest r : now) {
                    scheduler.onJobCompleted(r.buildId(), result, null);
                }
            }
        }
    }

    private final class Printer implements SchedulerListener {
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
        public void reporting(ItemView item, String action, Review review) {
            Map<String, Object> m = head("report", item);
            m.put("labels", new TreeMap<>(review.labels()));
            m.put("message", review.message());
            print(m);
        }

        private Map<String, Object> head(String action, ItemView item) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("event", line);
            m.put("action", action);
            m.put("pipeline", item.pipeline());
            m.put("project", item.project());
            if (item.change() != null) {
                m.put("change", item.change());
                m.put("patchset", item.patchset());
            } else {
                m.put("ref", item.ref());
                m.put("newrev", item.newRev());
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
