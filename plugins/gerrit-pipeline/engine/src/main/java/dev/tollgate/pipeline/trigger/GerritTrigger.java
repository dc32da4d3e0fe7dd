package dev.tollgate.pipeline.trigger;

import dev.tollgate.pipeline.event.EventType;
import dev.tollgate.pipeline.event.GerritEvent;
import dev.tollgate.pipeline.layout.LayoutValidator;
import dev.tollgate.pipeline.layout.TriggerConfig;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The gerrit trigger: a pipeline's gerrit trigger items (Zuul v2's EventFilters), ORed; how one item
 * matches is {@link EventMatcher#matches}. It owns the rules of its items ({@link #validate}), as
 * Zuul's trigger driver did ({@code validate_conf}). Immutable, thread-safe.
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

    /**
     * The rules of one gerrit trigger item, beyond how it is written: filters that could never match
     * are refused, as are Zuul 2.5's (an empty event list, a ref filter on change events) and a
     * branch filter on ref-updated, which Zuul accepted but could not apply.
     */
    public static void validate(TriggerConfig item, LayoutValidator.Problems problems) {
        if (problems.given("events") && item.events().isEmpty()) {
            problems.add("events", LayoutValidator.EMPTY_EVENTS);
        }
        if (!item.branches().isEmpty() && item.events().contains(EventType.REF_UPDATED)) {
            problems.add("branches", "ref-updated events carry no branch, so this filter could never match them: "
                    + "filter them with `" + problems.spelled("refs") + "`");
        }
        EventType changeEvent = item.events().stream().filter(EventType::isChangeEvent).findFirst().orElse(null);
        if (!item.refs().isEmpty() && changeEvent != null) {
            // Zuul's validate_conf refuses it too: change events carry no ref
            problems.add("refs", "the event `" + changeEvent.wireName() + "` carries no ref, so this filter could "
                    + "never match it (Zuul 2.5 refuses it too): filter change events with `"
                    + problems.spelled("branches") + "`");
        }
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
