package dev.tollgate.gearman;

import dev.tollgate.common.Backoff;
import dev.tollgate.common.Sleeper;
import dev.tollgate.testing.GearmandServer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

final class TestSupport {
    private TestSupport() {}

    /** Tiny real backoff so reconnects after a gearmand restart take milliseconds, not seconds. */
    static final Backoff FAST = new Backoff(Duration.ofMillis(5), Duration.ofMillis(50), 2.0, 0.5);

    /** Records every backoff the worker asked for and waits only a few milliseconds. */
    static final class RecordingSleeper implements Sleeper {
        /** One entry per wait: the asking thread and the wait, together (two lists could pair them wrongly). */
        record Wait(String thread, Duration duration) {
        }

        final List<Wait> waits = new CopyOnWriteArrayList<>();

        @Override
        public void sleep(Duration d) throws InterruptedException {
            waits.add(new Wait(Thread.currentThread().getName(), d));
            Thread.sleep(Math.min(d.toMillis(), 20));
        }

        /** The backoffs asked for by the connection thread whose name contains {@code who}. */
        List<Duration> of(String who) {
            return waits.stream().filter(w -> w.thread().contains(who)).map(Wait::duration).toList();
        }
    }

    static GearmanServerAddress address(GearmandServer g) {
        return new GearmanServerAddress(g.host(), g.port());
    }

    static GearmanWorker worker(String manager, List<GearmanServerAddress> servers, BuildLauncher launcher,
            NodeRecycler recycler, Clock clock, Sleeper sleeper) {
        GearmanWorkerConfig cfg = GearmanWorkerConfig.of(manager, servers).withBackoff(FAST);
        return new GearmanWorker(cfg, launcher, recycler, clock, sleeper, new Random(42));
    }

    /** Waits, bounded, until the condition holds; fails with the message otherwise. */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(10); // polling external state (gearmand, sockets), bounded by the deadline
        }
    }
}
