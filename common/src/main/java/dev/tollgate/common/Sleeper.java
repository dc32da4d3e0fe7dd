package dev.tollgate.common;

import java.time.Duration;

/** Waiting between attempts, injected so that tests never sleep for real backoff time. */
@FunctionalInterface
public interface Sleeper {
    Sleeper REAL = d -> Thread.sleep(Math.max(0, d.toMillis()));

    void sleep(Duration duration) throws InterruptedException;
}
