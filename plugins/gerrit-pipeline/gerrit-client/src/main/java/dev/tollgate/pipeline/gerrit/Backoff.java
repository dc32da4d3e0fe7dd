package dev.tollgate.pipeline.gerrit;

import java.time.Duration;

/**
 * Exponential backoff with jitter, as a pure function: the delay before retry number
 * {@code attempt} (0-based), given a random number in [0, 1). "Full jitter" below the exponential
 * ceiling would allow near-zero waits that hammer a recovering server, so the delay is drawn from
 * [ceiling × (1 − jitter), ceiling].
 *
 * @param initial    the ceiling for the first retry
 * @param max        the ceiling never exceeds this
 * @param multiplier growth per attempt (≥ 1)
 * @param jitter     fraction of the ceiling that is randomised, 0..1
 */
public record Backoff(Duration initial, Duration max, double multiplier, double jitter) {
    public Backoff {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("need 0 < initial <= max, got " + initial + ", " + max);
        }
        if (multiplier < 1 || jitter < 0 || jitter > 1) {
            throw new IllegalArgumentException("need multiplier >= 1 and 0 <= jitter <= 1");
        }
    }

    /** 1 s, doubling, up to 2 min, 30 % jitter: what the stream and the poster use by default. */
    public static Backoff defaults() {
        return new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(2), 2.0, 0.3);
    }

    public Duration delay(int attempt, double random) {
        double ceiling = initial.toMillis() * Math.pow(multiplier, Math.max(0, Math.min(attempt, 62)));
        ceiling = Math.min(ceiling, max.toMillis());
        double r = Math.min(Math.max(random, 0.0), 1.0);
        long millis = Math.round(ceiling * (1.0 - jitter * r));
        return Duration.ofMillis(millis);
    }
}
