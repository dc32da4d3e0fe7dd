package dev.tollgate.pipeline.gerrit;

import dev.tollgate.common.Sleeper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;

/** A Sleeper that records each wait and holds the waiting thread until the test lets it go. */
final class GateSleeper implements Sleeper {
    private final Semaphore permits = new Semaphore(0);
    private final List<Duration> waits = new ArrayList<>();
    private volatile boolean open;

    @Override
    public void sleep(Duration d) throws InterruptedException {
        synchronized (waits) {
            waits.add(d);
            waits.notifyAll();
        }
        if (!open) {
            permits.acquire();
        }
    }

    /** Lets one waiting (or the next) reconnect go ahead. */
    void release() {
        permits.release();
    }

    /** From now on, no waiting at all. */
    void openForGood() {
        open = true;
        permits.release(1000);
    }

    /** Waits (bounded) until the stream has asked to wait {@code n} times. */
    List<Duration> awaitWaits(int n) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        synchronized (waits) {
            while (waits.size() < n) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    throw new AssertionError("the stream asked to wait " + waits.size() + " times, not " + n);
                }
                waits.wait(left);
            }
            return new ArrayList<>(waits);
        }
    }

    List<Duration> waits() {
        synchronized (waits) {
            return new ArrayList<>(waits);
        }
    }
}
