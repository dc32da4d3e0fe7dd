package dev.tollgate.ec2;

import dev.tollgate.cloud.port.CloudException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * A small cache whose entries expire by the injected clock, with single-flight loading: when 50
 * launches start at once and all need the same spot price or AMI, exactly one API call is made and
 * the others wait for its answer. Failures are not cached.
 */
final class ClockCache<K, V> {
    @FunctionalInterface
    interface Loader<K, V> {
        V load(K key) throws CloudException;
    }

    private record Entry<V>(CompletableFuture<V> value, Instant loadedAt) {}

    private final Clock clock;
    private final Duration ttl;
    private final ConcurrentHashMap<K, Entry<V>> entries = new ConcurrentHashMap<>();

    ClockCache(Clock clock, Duration ttl) {
        this.clock = clock;
        this.ttl = ttl;
    }

    V get(K key, Loader<K, V> loader) throws CloudException {
        while (true) {
            Instant now = clock.instant();
            Entry<V> mine = new Entry<>(new CompletableFuture<>(), now);
            Entry<V> current = entries.compute(key, (k, old) -> old == null || expired(old, now) ? mine : old);
            if (current == mine) {
                try {
                    V v = loader.load(key);
                    mine.value.complete(v);
                    return v;
                } catch (CloudException | RuntimeException e) {
                    entries.remove(key, mine);
                    mine.value.completeExceptionally(e);
                    throw e;
                }
            }
            try {
                return current.value.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CloudException(CloudException.Kind.TRANSIENT, null, "interrupted while waiting for " + key, e);
            } catch (CancellationException e) {
                continue;
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof CloudException ce) {
                    // the loading thread failed: the waiters report the same failure, with their own stack
                    throw new CloudException(ce.kind(), ce.code(), ce.getMessage(), ce);
                }
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                throw new IllegalStateException(cause);
            }
        }
    }

    private boolean expired(Entry<V> e, Instant now) {
        // an entry still loading never expires; a loaded one lives for ttl by the clock
        return e.value.isDone() && !now.isBefore(e.loadedAt.plus(ttl));
    }

    void clear() {
        entries.clear();
    }
}
