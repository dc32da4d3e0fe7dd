package dev.tollgate.pipeline.trigger;

import dev.tollgate.pipeline.event.EventType;
import dev.tollgate.pipeline.event.GerritEvent;
import java.time.Instant;
import java.util.Set;

/**
 * One way events enter a pipeline (Zuul v2's trigger driver). A pipeline's triggers are ORed; its
 * manager then applies the pipeline's own conditions ({@code require}, {@code reject}). Each driver
 * also owns the rules of its configuration (see {@link GerritTrigger#validate}).
 *
 * <p>Implementations are immutable and thread-safe: the scheduler matches an event before it takes
 * its lock, on the thread that delivered the event.
 */
public interface Trigger {
    /** Every event type this trigger can match: a cheap test before {@link #matches}. */
    Set<EventType> eventTypes();

    /** Does the event enter through this trigger? May run user regexes (linear, but not free). */
    boolean matches(GerritEvent event, Instant now);
}
