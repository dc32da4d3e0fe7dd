package dev.tollgate.pipeline.event;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.Test;

public class EventLineReaderTest {
    static List<EventLineReader.Line> lines(InputStream in, int limit) throws IOException {
        EventLineReader r = new EventLineReader(in, limit);
        List<EventLineReader.Line> out = new ArrayList<>();
        EventLineReader.Line l;
        while ((l = r.next()) != null) {
            out.add(l);
        }
        return out;
    }

    static List<EventLineReader.Line> lines(String text, int limit) throws IOException {
        return lines(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), limit);
    }

    static EventLineReader.Line line(int n, String text) {
        return new EventLineReader.Line(n, text, text.getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    public void splitsOnNewlinesAndDropsACarriageReturnBeforeOne() throws Exception {
        assertEquals(List.of(line(1, "a"), line(2, ""), line(3, "b\r c"), line(4, "d")),
                lines("a\n\r\nb\r c\r\nd", 10));
        assertEquals(List.of(line(1, "a")), lines("a\n", 10));
        assertEquals(List.of(), lines("", 10));
    }

    @Test
    public void aLineOverTheLimitIsCountedNotKeptAndTheNextLineIsRead() throws Exception {
        assertEquals(List.of(line(1, "12345"), new EventLineReader.Line(2, null, 6), line(3, "ok"),
                        new EventLineReader.Line(4, null, 7)),
                lines("12345\n123456\nok\n1234567", 5));
        assertEquals(List.of(line(1, "1234")), lines("1234\r\n", 5)); // the \r is dropped, but counts
        assertEquals(List.of(line(1, "caf\u00e9")), lines("caf\u00e9", 5)); // five bytes
        assertEquals(List.of(new EventLineReader.Line(1, null, 6)), lines("caf\u00e9s", 5));
    }

    @Test
    public void bytesThatAreNotUtf8BecomeReplacementCharacters() throws Exception {
        byte[] latin1 = {'c', 'a', 'f', (byte) 0xe9, '\n', 'x'};
        assertEquals(List.of(new EventLineReader.Line(1, "caf\ufffd", 4), line(2, "x")),
                lines(new ByteArrayInputStream(latin1), 10));
    }

    /** A gigabyte line goes through a reader that keeps at most a megabyte of it. */
    @Test
    public void aGigabyteLineIsSkippedWithoutBeingHeld() throws Exception {
        long size = 1L << 30;
        InputStream huge = new InputStream() {
            long sent;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (sent > size) {
                    return -1;
                }
                int n = (int) Math.min(len, size + 1 - sent);
                java.util.Arrays.fill(b, off, off + n, (byte) 'x');
                if (sent + n == size + 1) {
                    b[off + n - 1] = '\n';
                }
                sent += n;
                return n;
            }
        };
        EventLineReader r = new EventLineReader(new java.io.SequenceInputStream(huge,
                new ByteArrayInputStream("next\n".getBytes(StandardCharsets.UTF_8))));
        assertEquals(new EventLineReader.Line(1, null, size), r.next());
        assertEquals(line(2, "next"), r.next());
        assertNull(r.next());
    }
}
