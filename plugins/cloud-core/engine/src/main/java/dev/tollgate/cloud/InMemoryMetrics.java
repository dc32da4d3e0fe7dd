package dev.tollgate.cloud;

import dev.tollgate.cloud.port.Metrics;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** Counters in memory, with a {@link #snapshot()} for display. Thread-safe. */
public final class InMemoryMetrics implements Metrics {
    private final AtomicLong requests = new AtomicLong(), failures = new AtomicLong(), connects = new AtomicLong(),
            connectMillisTotal = new AtomicLong(), connectMillisMax = new AtomicLong(), terminations = new AtomicLong(),
            orphans = new AtomicLong(), ghosts = new AtomicLong(), throttled = new AtomicLong(), live = new AtomicLong();

    /** Read-only copy of the counters. */
    public record Snapshot(long requests, long failures, long connects, Duration meanTimeToConnect,
                           Duration maxTimeToConnect, long terminations, long orphansTerminated,
                           long ghostAgentsRemoved, long throttled, long liveInstances) {
        @Override
        public String toString() {
            return "requests=" + requests + " failures=" + failures + " connects=" + connects
                    + " timeToConnect(mean/max)=" + meanTimeToConnect.toSeconds() + "s/" + maxTimeToConnect.toSeconds() + "s"
                    + " terminations=" + terminations + " orphansTerminated=" + orphansTerminated
                    + " ghostAgentsRemoved=" + ghostAgentsRemoved + " throttled=" + throttled + " live=" + liveInstances;
        }
    }

    public void requested(String t) { requests.incrementAndGet(); }
    public void failed(String t, String r) { failures.incrementAndGet(); }

    public void connected(String t, Duration d) {
        long ms = Math.max(0, d.toMillis());
        connects.incrementAndGet();
        connectMillisTotal.addAndGet(ms);
        connectMillisMax.accumulateAndGet(ms, Math::max);
    }

    public void terminated(String t) { terminations.incrementAndGet(); }
    public void orphanTerminated() { orphans.incrementAndGet(); }
    public void ghostAgentRemoved() { ghosts.incrementAndGet(); }
    public void throttled() { throttled.incrementAndGet(); }
    public void liveInstances(int c) { live.set(c); }

    public Snapshot snapshot() {
        long n = connects.get();
        return new Snapshot(requests.get(), failures.get(), n,
                Duration.ofMillis(n == 0 ? 0 : connectMillisTotal.get() / n), Duration.ofMillis(connectMillisMax.get()),
                terminations.get(), orphans.get(), ghosts.get(), throttled.get(), live.get());
    }
}
