package dev.tollgate.ec2;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-instance price and lifetime. The price is also written as a tag at launch, so that after a
 * controller restart describe / listOwned rebuild the entries from EC2 itself.
 */
final class CostLedger {
    private static final class Entry {
        final String instanceId;
        final String agentName;
        final String template;
        final boolean spot;
        final double hourlyPrice;
        final Instant started;
        volatile Instant ended;

        Entry(String instanceId, String agentName, String template, boolean spot, double hourlyPrice, Instant started) {
            this.instanceId = instanceId;
            this.agentName = agentName;
            this.template = template;
            this.spot = spot;
            this.hourlyPrice = hourlyPrice;
            this.started = started;
        }
    }

    private final Clock clock;
    private final Duration retention;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    CostLedger(Clock clock, Duration retention) {
        this.clock = clock;
        this.retention = retention;
    }

    void started(String id, String agent, String template, boolean spot, double price, Instant at) {
        entries.putIfAbsent(id, new Entry(id, agent, template, spot, price, at == null ? clock.instant() : at));
    }

    boolean knows(String id) {
        return entries.containsKey(id);
    }

    void ended(String id) {
        Entry e = entries.get(id);
        if (e != null && e.ended == null) {
            e.ended = clock.instant();
        }
        prune();
    }

    /**
     * A complete listing of the live instances no longer shows these: they ended (e.g. terminated
     * from the console). Entries younger than the grace are spared: a new instance may not be listed yet.
     */
    void endMissing(java.util.Set<String> live, Duration grace) {
        Instant now = clock.instant();
        for (Entry e : entries.values()) {
            if (e.ended == null && !live.contains(e.instanceId) && !now.isBefore(e.started.plus(grace))) {
                e.ended = now;
            }
        }
        prune();
    }

    Optional<AgentCost> cost(String id) {
        Entry e = entries.get(id);
        return e == null ? Optional.empty() : Optional.of(view(e));
    }

    List<AgentCost> all() {
        List<AgentCost> out = new ArrayList<>();
        entries.values().forEach(e -> out.add(view(e)));
        out.sort(Comparator.comparing(AgentCost::started).thenComparing(AgentCost::instanceId));
        return out;
    }

    private AgentCost view(Entry e) {
        Instant end = e.ended != null ? e.ended : clock.instant();
        Duration life = end.isBefore(e.started) ? Duration.ZERO : Duration.between(e.started, end);
        double usd = e.hourlyPrice * life.toMillis() / 3_600_000.0;
        return new AgentCost(e.instanceId, e.agentName, e.template, e.spot, e.hourlyPrice, e.started, e.ended, life, usd);
    }

    private void prune() {
        Instant cutoff = clock.instant().minus(retention);
        entries.values().removeIf(e -> e.ended != null && e.ended.isBefore(cutoff));
    }
}
