package dev.tollgate.gearman.jenkins;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waiting, bounded, for state outside the test's thread (gearmand, the worker's connections). */
final class Await {
    private Await() {}

    static void until(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(20); // polling another process or thread, bounded by the deadline
        }
    }
}
