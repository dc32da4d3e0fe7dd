package dev.tollgate.testing;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Checks an engine's concurrency rule (decide under the lock, call ports outside it): inside a port
 * call, {@link #callFromAnotherThreadAndWait} makes another thread call into the engine and waits
 * for it, the way a Jenkins port waits for a lock that thread holds; {@link #returnsWithoutDeadlock}
 * then fails with "deadlock: ..." when the engine call cannot return. With the engine's lock held
 * across the port call, both threads would wait forever.
 *
 * <p>{@link #BOUND} is a hang guard, not a timing assertion: the calls take microseconds, so only
 * a deadlock gets near it.
 */
public final class DeadlockProbe {
    public static final Duration BOUND = Duration.ofSeconds(60);

    private final AtomicReference<Throwable> otherThreadFailure = new AtomicReference<>();

    /**
     * Runs {@code otherCalls} on a new thread and waits for it, bounded (so a deadlocked run still
     * ends its threads after the test has failed). Meant to be called from inside a port call.
     */
    public void callFromAnotherThreadAndWait(String name, Runnable otherCalls) {
        Thread other = new Thread(() -> {
            try {
                otherCalls.run();
            } catch (Throwable t) {
                otherThreadFailure.set(t);
            }
        }, name);
        other.setDaemon(true);
        other.start();
        try {
            other.join(BOUND.multipliedBy(3).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs the engine call on its own thread and fails clearly if it does not return within
     * {@link #BOUND}; rethrows what the call or the other thread's calls threw.
     */
    public void returnsWithoutDeadlock(String what, Runnable engineCall) throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                engineCall.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "engine-call");
        t.setDaemon(true);
        t.start();
        t.join(BOUND.toMillis());
        if (t.isAlive()) {
            throw new AssertionError("deadlock: " + what + " did not return within " + BOUND.toSeconds()
                    + " s while its port call waited for another thread's call into the engine");
        }
        if (failure.get() != null) {
            throw new AssertionError(what + " failed", failure.get());
        }
        if (otherThreadFailure.get() != null) {
            throw new AssertionError("the other thread's calls failed", otherThreadFailure.get());
        }
    }
}
