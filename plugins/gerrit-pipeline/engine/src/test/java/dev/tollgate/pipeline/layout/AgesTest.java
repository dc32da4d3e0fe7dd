package dev.tollgate.pipeline.layout;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.time.Duration;
import org.junit.Test;

public class AgesTest {
    @Test
    public void readsZuulAges() {
        assertEquals(Duration.ofSeconds(90), Ages.parse("90"));
        assertEquals(Duration.ofMinutes(30), Ages.parse("30m"));
        assertEquals(Duration.ofHours(48), Ages.parse("48h"));
        assertEquals(Duration.ofDays(2), Ages.parse("2d"));
        assertEquals(Duration.ofDays(14), Ages.parse("2w"));
    }

    @Test
    public void hugeOrMalformedAgesAreNotAgesRatherThanAnOverflow() {
        // once an ArithmeticException from the parser, and a DateTimeException on every event
        assertNull(Ages.parse("99999999999999999d"));
        assertNull(Ages.parse("1000000000000d"));
        assertNull(Ages.parse("2000000000000000w"));
        assertNull(Ages.parse("-1h"));
        assertNull(Ages.parse("5y"));
        assertNull(Ages.parse("h"));
    }
}
