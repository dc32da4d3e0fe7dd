package dev.tollgate.pipeline.scheduler;

import dev.tollgate.pipeline.event.EventType;
import dev.tollgate.pipeline.layout.PipelineConfig;
import dev.tollgate.pipeline.layout.ReporterConfig;
import dev.tollgate.pipeline.port.ReviewPoster;
import dev.tollgate.pipeline.reporter.GerritReporter;
import dev.tollgate.pipeline.reporter.ReportAction;
import dev.tollgate.pipeline.reporter.Reporter;
import dev.tollgate.pipeline.trigger.GerritTrigger;
import dev.tollgate.pipeline.trigger.Trigger;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A pipeline as the engine runs it: its configuration with the triggers and reporters built from it,
 * once per layout. An item keeps the Pipeline it was enqueued with, so a reload never changes how an
 * item already queued is reported. Immutable.
 *
 * @param eventTypes every event type one of the triggers can match (the hot path tests it first)
 * @param reporters  the actions this pipeline reports, each with its reporter
 */
record Pipeline(PipelineConfig config, List<Trigger> triggers, Set<EventType> eventTypes,
                Map<ReportAction, Reporter> reporters) {
    Pipeline {
        triggers = List.copyOf(triggers);
        reporters = Map.copyOf(reporters);
    }

    /** The gerrit trigger and reporters of a configured pipeline. */
    static Pipeline of(PipelineConfig config, ReviewPoster poster, GerritReporter.Observer observer) {
        List<Trigger> triggers = List.of(new GerritTrigger(config.triggers()));
        EnumSet<EventType> types = EnumSet.noneOf(EventType.class);
        triggers.forEach(t -> types.addAll(t.eventTypes()));
        Map<ReportAction, Reporter> reporters = new EnumMap<>(ReportAction.class);
        reporter(reporters, ReportAction.START, config.start(), poster, observer);
        reporter(reporters, ReportAction.SUCCESS, config.success(), poster, observer);
        reporter(reporters, ReportAction.FAILURE, config.failure(), poster, observer);
        // Zuul v2: without merge-failure actions of its own a pipeline reports a merge failure as a failure
        reporter(reporters, ReportAction.MERGE_FAILURE,
                config.mergeFailure() != null ? config.mergeFailure() : config.failure(), poster, observer);
        return new Pipeline(config, triggers, types, reporters);
    }

    private static void reporter(Map<ReportAction, Reporter> out, ReportAction action, ReporterConfig c,
                                 ReviewPoster poster, GerritReporter.Observer observer) {
        if (c != null) {
            out.put(action, new GerritReporter(c, poster, observer));
        }
    }

    String name() {
        return config.name();
    }

    Optional<Reporter> reporter(ReportAction action) {
        return Optional.ofNullable(reporters.get(action));
    }
}
