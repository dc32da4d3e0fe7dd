package dev.tollgate.ec2;

import dev.tollgate.cloud.port.CloudException;
import dev.tollgate.testing.ManualClock;
import org.junit.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

/** One load for many concurrent askers; expiry by the clock; failures not kept. */
public class ClockCacheTest {
    private final ManualClock clock = new ManualClock();
    private final ClockCache<String, Integer> cache = new ClockCache<>(clock, Duration.ofMinutes(10));
    private final AtomicInteger loads = new AtomicInteger();

    @Test
    public void concurrentAskersShareOneLoad() throws Exception {
        CountDownLatch inLoader = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> got = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                got.add(pool.submit(() -> cache.get("k", k -> {
                    loads.incrementAndGet();
                    inLoader.countDown();
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return 42;
                })));
            }
            inLoader.await(10, TimeUnit.SECONDS);
            release.countDown();
            for (Future<Integer> f : got) {
                assertEquals(42, (int) f.get(10, TimeUnit.SECONDS));
            }
            assertEquals(1, loads.get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    public void entriesExpireByTheClock() throws Exception {
        cache.get("k", k -> loads.incrementAndGet());
        clock.advance(Duration.ofMinutes(9));
        assertEquals(1, (int) cache.get("k", k -> loads.incrementAndGet()));
        clock.advance(Duration.ofMinutes(1));
        assertEquals(2, (int) cache.get("k", k -> loads.incrementAndGet()));
    }

    @Test
    public void failuresAreNotCached() throws Exception {
        try {
            cache.get("k", k -> {
                throw new CloudException(CloudException.Kind.THROTTLED, "RequestLimitExceeded", "slow down");
            });
            fail();
        } catch (CloudException e) {
            assertEquals(CloudException.Kind.THROTTLED, e.kind());
        }
        assertEquals(7, (int) cache.get("k", k -> 7));
    }
}
