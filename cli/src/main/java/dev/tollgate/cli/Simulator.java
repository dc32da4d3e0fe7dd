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
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
        EventParser parser = new EventParser();
        // An InputStreamReader replaces bytes that are not UTF-8 instead of failing: one bad line in an
        // old recording must not stop the replay (the parser then judges the line like any other).
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(Files.newInputStream(events), StandardCharsets.UTF_8))) {
            String text;
            while ((text = in.readLine()) != null) {
                line++;
                if (text.isBlank()) {
                    continue;
                }
                GerritEvent event;
                try {
                    event = parser.parse(text);
                } catch (EventParseException e) {
                    err.println(events + ":" + line + ": skipped malformed event: " + e.getMessage());
                    continue;
                }
                try {
                    scheduler.onEvent(event);
                } catch (RuntimeException e) {
                    err.println(events + ":" + line + ": event not processed: " + e);
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
