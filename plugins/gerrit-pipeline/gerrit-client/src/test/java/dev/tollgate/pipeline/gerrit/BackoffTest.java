package dev.tollgate.pipeline.gerrit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.time.Duration;
import org.junit.Test;

public class BackoffTest {
    private final Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), 2.0, 0.5);

    @Test
    public void doublesUpToTheCeiling() {
        assertEquals(Duration.ofSeconds(1), b.delay(0, 0.0));
        assertEquals(Duration.ofSeconds(2), b.delay(1, 0.0));
        assertEquals(Duration.ofSeconds(32), b.delay(5, 0.0));
        assertEquals(Duration.ofSeconds(60), b.delay(6, 0.0));
        assertEquals(Duration.ofSeconds(60), b.delay(10_000, 0.0));
    }

    @Test
    public void jitterTakesAtMostItsFractionOff() {
        assertEquals(Duration.ofMillis(500), b.delay(0, 1.0));
        assertEquals(Duration.ofMillis(750), b.delay(0, 0.5));
        assertEquals(Duration.ofSeconds(30), b.delay(20, 1.0));
        // out-of-range randoms are clamped, never negative delays
        assertEquals(Duration.ofMillis(500), b.delay(0, 7.0));
        assertEquals(Duration.ofSeconds(1), b.delay(-3, -1.0));
    }

    @Test
    public void nonsenseIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), 2, 0));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 0));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 0.5, 0));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 2, 1.5));
    }
}
