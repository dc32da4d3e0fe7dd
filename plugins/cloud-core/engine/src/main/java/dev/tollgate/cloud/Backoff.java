package dev.tollgate.cloud;

import java.time.Duration;
import java.util.random.RandomGenerator;

/** Exponential backoff with jitter, so that many controllers (or threads) do not retry in lockstep. */
public final class Backoff {
    private Backoff() {
    }

    /**
     * Pause before retry number {@code attempt} (1 = after the first failure): base × 2^(attempt-1),
     * capped at max, then a uniformly random value between half of that and all of it.
     */
    public static Duration delay(int attempt, Duration base, Duration max, RandomGenerator random) {
        long baseMs = Math.max(1, base.toMillis());
        int shift = Math.min(Math.max(attempt - 1, 0), 30);
        long full = Math.min(max.toMillis(), baseMs << shift);
        long half = full / 2;
        return Duration.ofMillis(half + (full - half <= 0 ? 0 : random.nextLong(full - half + 1)));
    }
}
