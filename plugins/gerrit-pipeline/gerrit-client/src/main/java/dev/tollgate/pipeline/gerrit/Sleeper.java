package dev.tollgate.pipeline.gerrit;

import java.time.Duration;

/** Waiting between attempts, injected so that tests never sleep. */
@FunctionalInterface
public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;

    Sleeper REAL = d -> Thread.sleep(d.toMillis());
}
