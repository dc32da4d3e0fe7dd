package dev.tollgate.pipeline.status;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Every metric at one moment, by dotted name (docs/gerrit-pipeline.md lists them). Immutable.
 *
 * @param counters totals since the metrics were created (or, for the stream's, since it started): they
 *                 only grow
 * @param gauges   values now, which go up and down
 * @param stream   the event stream's snapshot they were read from; null when none was given
 */
public record MetricsSnapshot(SortedMap<String, Long> counters, SortedMap<String, Long> gauges,
                              StreamMetrics stream) {
    public MetricsSnapshot {
        counters = Collections.unmodifiableSortedMap(new TreeMap<>(counters));
        gauges = Collections.unmodifiableSortedMap(new TreeMap<>(gauges));
    }

    /** A counter or gauge by name, or null when there is none of that name. */
    public Long get(String name) {
        Long c = counters.get(name);
        return c != null ? c : gauges.get(name);
    }
}
