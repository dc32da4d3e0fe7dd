package dev.tollgate.pipeline.simulate;

import dev.tollgate.common.BuildResult;
import dev.tollgate.pipeline.event.EventParseException;
import dev.tollgate.pipeline.event.EventParser;
import dev.tollgate.pipeline.event.GerritEvent;
import dev.tollgate.pipeline.layout.Layout;
import dev.tollgate.pipeline.port.JobLauncher;
import dev.tollgate.pipeline.port.LaunchRequest;
import dev.tollgate.pipeline.port.Merger;
import dev.tollgate.pipeline.scheduler.Scheduler;
import dev.tollgate.pipeline.event.EventLineReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Locale;

/**
 * A replay of recorded Gerrit events through the real {@link Scheduler} with a fake launcher whose
 * builds end as {@link Outcomes} say, a poster that posts nothing, a fixed clock and counting uuids,
 * so the output is the same on every run: one JSON line per decision ({@link DecisionLines}: {@code enqueue},
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

    private final Outcomes outcomes;
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
                .listener(new DecisionLines(out, () -> line, merger != null))
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
}
