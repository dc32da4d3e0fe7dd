package dev.tollgate.gearman;

import java.time.Duration;

/**
 * Exponential reconnect backoff with jitter: attempt n waits {@code min(max, initial * factor^n)},
 * of which the last {@code jitter} fraction is random. The randomness spreads the reconnects of
 * many executor connections after a gearmand restart instead of hitting it all at once.
 */
public record Backoff(Duration initial, Duration max, double factor, double jitter) {
    public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), 2.0, 0.5);

    public Backoff {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max: " + initial + ", " + max);
        }
        if (factor < 1.0) {
            throw new IllegalArgumentException("backoff factor must be >= 1: " + factor);
        }
        if (jitter < 0.0 || jitter > 1.0) {
            throw new IllegalArgumentException("backoff jitter must be in [0, 1]: " + jitter);
        }
    }

    /**
     * The wait before reconnect attempt {@code attempt} (0 = first retry).
     *
     * @param random01 a random number in [0, 1)
     */
    public Duration delay(int attempt, double random01) {
        double base = initial.toMillis() * Math.pow(factor, Math.max(0, Math.min(attempt, 62)));
        double capped = Math.min(base, max.toMillis());
        double r = Math.min(Math.max(random01, 0.0), 1.0);
        double millis = capped * (1.0 - jitter) + capped * jitter * r;
        return Duration.ofMillis(Math.max(1, Math.round(millis)));
    }
}
