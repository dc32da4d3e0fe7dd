package dev.tollgate.pipeline.trigger;

import dev.tollgate.pipeline.event.EventType;
import dev.tollgate.pipeline.event.GerritEvent;
import dev.tollgate.pipeline.layout.TriggerConfig;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The gerrit trigger: a pipeline's gerrit trigger items (Zuul v2's EventFilters), ORed; how one item
 * matches is {@link EventMatcher#matches}. Immutable, thread-safe.
 */
public final class GerritTrigger implements Trigger {
    private final List<TriggerConfig> items;
    private final Set<EventType> types;

    public GerritTrigger(List<TriggerConfig> items) {
        this.items = List.copyOf(items);
        EnumSet<EventType> s = EnumSet.noneOf(EventType.class);
        for (TriggerConfig t : this.items) {
            s.addAll(t.events());
        }
        this.types = Collections.unmodifiableSet(s);
    }

    @Override
    public Set<EventType> eventTypes() {
        return types;
    }

    @Override
    public boolean matches(GerritEvent event, Instant now) {
        if (!types.contains(event.type())) {
            return false;
        }
        for (TriggerConfig t : items) {
            if (EventMatcher.matches(t, event, now)) {
                return true;
            }
        }
        return false;
    }
}
