package dev.tollgate.logs;

import java.time.Duration;

/** Port: waits between reconnect attempts. Tests pass one that only records the delays. */
@FunctionalInterface
public interface Sleeper {
    Sleeper REAL = d -> Thread.sleep(d.toMillis());

    void sleep(Duration delay) throws InterruptedException;
}
