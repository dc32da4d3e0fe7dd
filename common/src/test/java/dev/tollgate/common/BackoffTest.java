package dev.tollgate.common;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.time.Duration;
import org.junit.Test;

public class BackoffTest {
    private final Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), 2.0, 0.5);

    @Test
    public void growsExponentiallyUpToTheCap() {
        assertEquals(Duration.ofSeconds(1), b.delay(0, 1.0));
        assertEquals(Duration.ofSeconds(2), b.delay(1, 1.0));
        assertEquals(Duration.ofSeconds(16), b.delay(4, 1.0));
        assertEquals(Duration.ofSeconds(60), b.delay(6, 1.0));
        assertEquals(Duration.ofSeconds(60), b.delay(10_000, 1.0));
    }

    @Test
    public void jitterTakesUpToItsFractionOff() {
        assertEquals(Duration.ofMillis(500), b.delay(0, 0.0));
        assertEquals(Duration.ofMillis(750), b.delay(0, 0.5));
        assertEquals(Duration.ofSeconds(30), b.delay(20, 0.0));
        Backoff none = new Backoff(Duration.ofMillis(10), Duration.ofMillis(10), 1.0, 0.0);
        assertEquals(Duration.ofMillis(10), none.delay(3, 0.123));
    }

    @Test
    public void rejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), 2, 0));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 0));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 0.5, 0));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 2, 1.5));
    }
}
