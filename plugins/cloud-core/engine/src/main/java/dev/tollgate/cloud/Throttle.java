package dev.tollgate.cloud;

import dev.tollgate.common.Backoff;
import java.time.Duration;
import java.time.Instant;
import java.util.random.RandomGenerator;

/**
 * Cloud-wide pause after THROTTLED errors: every call to the cloud waits until it has passed. The pause
 * doubles per consecutive throttle (with jitter) and resets after a call succeeds.
 */
final class Throttle {
    private final Duration base, max;
    private final RandomGenerator random;
    private int consecutive;
    private Instant until = Instant.MIN;

    Throttle(Duration base, Duration max, RandomGenerator random) {
        this.base = base;
        this.max = max;
        this.random = random;
    }

    synchronized boolean blocked(Instant now) {
        return now.isBefore(until);
    }

    synchronized Instant until() {
        return until;
    }

    /** Records a THROTTLED answer; returns the pause chosen. */
    synchronized Duration throttled(Instant now) {
        consecutive++;
        Duration d = new Backoff(base, max, 2.0, 0.5).delay(consecutive - 1, random.nextDouble());
        Instant next = now.plus(d);
        if (next.isAfter(until)) {
            until = next;
        }
        return d;
    }

    synchronized void succeeded() {
        consecutive = 0;
    }

    synchronized int consecutive() {
        return consecutive;
    }
}
