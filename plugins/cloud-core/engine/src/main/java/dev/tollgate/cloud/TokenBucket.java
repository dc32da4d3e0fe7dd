package dev.tollgate.cloud;

import java.time.Clock;
import java.time.Instant;

/**
 * Request rate limit on the injected clock: {@code burst} tokens, refilled at {@code perSecond}.
 * Never blocks: a caller without a token defers the request to a later planning round, so the
 * engine never sleeps and tests need no real time.
 */
public final class TokenBucket {
    private final double perSecond;
    private final int burst;
    private final Clock clock;
    private double tokens;
    private Instant last;

    public TokenBucket(double perSecond, int burst, Clock clock) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.clock = clock;
        this.tokens = burst;
        this.last = clock.instant();
    }

    /** Takes one token if there is one. */
    public synchronized boolean tryAcquire() {
        refill();
        if (tokens >= 1.0) {
            tokens -= 1.0;
            return true;
        }
        return false;
    }

    /** Whole tokens available now. */
    public synchronized int available() {
        refill();
        return (int) Math.floor(tokens);
    }

    private void refill() {
        Instant now = clock.instant();
        if (now.isAfter(last)) {
            double secs = (now.toEpochMilli() - last.toEpochMilli()) / 1000.0;
            tokens = Math.min(burst, tokens + secs * perSecond);
            last = now;
        }
    }
}
