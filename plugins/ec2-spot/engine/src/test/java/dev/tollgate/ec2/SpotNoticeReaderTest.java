package dev.tollgate.ec2;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.tollgate.testing.ManualClock;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.After;
import org.junit.Test;

/** {@link SpotNoticeReader} against a local server speaking IMDSv2's wire format. */
public class SpotNoticeReaderTest {
    private final ManualClock clock = new ManualClock();
    private final FakeInstanceMetadata imds;
    private final SpotNoticeReader reader;

    public SpotNoticeReaderTest() throws IOException {
        imds = new FakeInstanceMetadata();
        reader = new SpotNoticeReader(imds.uri(), Duration.ofSeconds(5), Duration.ofMinutes(10), clock);
    }

    @After
    public void stop() {
        imds.close();
    }

    @Test
    public void noNoticeIs404AndTheTokenIsFetchedFirst() throws IOException {
        assertEquals(Optional.empty(), reader.read());
        assertEquals(List.of("PUT /latest/api/token", "GET /latest/meta-data/spot/instance-action"), imds.requests);
    }

    @Test
    public void aNoticeIsParsed() throws IOException {
        imds.noticeJson = "{\"action\": \"terminate\", \"time\": \"2026-11-28T11:02:00Z\"}";
        assertEquals(Optional.of(new SpotNoticeReader.Notice("terminate", Instant.parse("2026-11-28T11:02:00Z"))),
                reader.read());
        imds.noticeJson = "{\"action\":\"stop\",\"time\":\"2026-11-28T11:04:00Z\"}";
        assertEquals("stop", reader.read().orElseThrow().action());
    }

    @Test
    public void theTokenIsReusedUntilNearItsTtlThenRenewed() throws IOException {
        for (int i = 0; i < 5; i++) {
            reader.read();
            clock.advance(Duration.ofMinutes(1));
        }
        assertEquals(1, imds.requests.stream().filter(r -> r.startsWith("PUT")).count());
        clock.advance(Duration.ofMinutes(5)); // 10 min TTL, renewed after 9
        reader.read();
        assertEquals(2, imds.requests.stream().filter(r -> r.startsWith("PUT")).count());
    }

    @Test
    public void aRejectedTokenIsReplacedOnce() throws IOException {
        reader.read();
        imds.revokeTokens();
        imds.noticeJson = "{\"action\":\"terminate\",\"time\":\"2026-11-28T11:02:00Z\"}";
        assertTrue(reader.read().isPresent());
        assertEquals(List.of("PUT /latest/api/token", "GET /latest/meta-data/spot/instance-action",
                "GET /latest/meta-data/spot/instance-action", "PUT /latest/api/token",
                "GET /latest/meta-data/spot/instance-action"), imds.requests);
    }

    @Test
    public void malformedNoticesAreClearErrors() {
        for (String bad : List.of("not json", "{\"action\":\"terminate\"}", "{\"action\":\"terminate\",\"time\":\"soon\"}",
                "[]")) {
            imds.noticeJson = bad;
            try {
                reader.read();
                fail("accepted " + bad);
            } catch (IOException e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith("malformed spot notice"));
            }
        }
    }

    @Test
    public void aHungServiceTimesOutInsteadOfHanging() throws IOException {
        SpotNoticeReader quick = new SpotNoticeReader(imds.uri(), Duration.ofMillis(300), Duration.ofMinutes(10), clock);
        imds.hang = new CountDownLatch(1);
        try {
            quick.read();
            fail("no timeout");
        } catch (IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("notice"));
        } finally {
            imds.hang.countDown();
        }
    }

    @Test
    public void noServiceIsAClearError() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        SpotNoticeReader r = new SpotNoticeReader(URI.create("http://127.0.0.1:" + port), Duration.ofSeconds(2),
                Duration.ofMinutes(10), clock);
        try {
            r.read();
            fail("read from nothing");
        } catch (IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("token"));
        }
    }

    @Test
    public void badSettingsAreRejected() {
        try {
            new SpotNoticeReader(imds.uri(), Duration.ZERO, Duration.ofMinutes(10), clock);
            fail();
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage().contains("timeout"));
        }
        try {
            new SpotNoticeReader(imds.uri(), Duration.ofSeconds(1), Duration.ofHours(7), clock);
            fail();
        } catch (IllegalArgumentException e) {
            assertFalse(e.getMessage().isEmpty());
        }
    }
}
