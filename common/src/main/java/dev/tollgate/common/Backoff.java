package dev.tollgate.common;

import java.time.Duration;

/**
 * Exponential backoff with jitter, as a pure function so callers decide when to wait (a sleeper in
 * a reconnect loop, a due time checked by {@code tick()} in a state machine).
 *
 * <p>Retry {@code attempt} (0 = the first retry) has the ceiling {@code min(max, initial × multiplier^attempt)};
 * the last {@code jitter} fraction of it is random. Keeping part of the wait fixed stops a crowd of
 * clients (executors after a gearmand restart, controllers after throttling) from coming back at
 * once, without the near-zero waits of "full jitter" that would hammer a recovering server.
 *
 * @param initial    the ceiling of the first retry
 * @param max        no wait is longer
 * @param multiplier growth per attempt, at least 1
 * @param jitter     the fraction of the ceiling that is random, 0 to 1
 */
public record Backoff(Duration initial, Duration max, double multiplier, double jitter) {
    public Backoff {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max, got " + initial + " and " + max);
        }
        if (multiplier < 1.0) {
            throw new IllegalArgumentException("backoff multiplier must be >= 1, got " + multiplier);
        }
        if (jitter < 0.0 || jitter > 1.0) {
            throw new IllegalArgumentException("backoff jitter must be between 0 and 1, got " + jitter);
        }
    }

    /**
     * The wait before retry {@code attempt} (0-based).
     *
     * @param random01 a random number in [0, 1]; 1 gives the full ceiling
     */
    public Duration delay(int attempt, double random01) {
        double ceiling = initial.toMillis() * Math.pow(multiplier, Math.max(0, Math.min(attempt, 62)));
        ceiling = Math.min(ceiling, max.toMillis());
        double r = Math.min(Math.max(random01, 0.0), 1.0);
        double millis = ceiling * (1.0 - jitter) + ceiling * jitter * r;
        return Duration.ofMillis(Math.max(1, Math.round(millis)));
    }
}
