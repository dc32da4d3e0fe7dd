package dev.tollgate.gearman;

import java.time.Duration;

/** Waits between reconnect attempts; injected so tests never sleep for real backoff time. */
@FunctionalInterface
public interface Sleeper {
    Sleeper REAL = d -> Thread.sleep(Math.max(0, d.toMillis()));

    void sleep(Duration duration) throws InterruptedException;
}
