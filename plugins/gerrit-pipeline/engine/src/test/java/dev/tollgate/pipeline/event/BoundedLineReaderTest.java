package dev.tollgate.pipeline.event;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import org.junit.Test;

public class BoundedLineReaderTest {
    private static BoundedLineReader reader(String text, int max) {
        return new BoundedLineReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), max);
    }

    @Test
    public void readsLinesAsBufferedReaderWould() throws Exception {
        BoundedLineReader r = reader("one\r\ntwo\n\n\u00e9t\u00e9 \u2713\nlast without newline", 100);
        assertEquals("one", r.readLine());
        assertEquals("two", r.readLine());
        assertEquals("", r.readLine());
        assertEquals("\u00e9t\u00e9 \u2713", r.readLine());
        assertEquals("last without newline", r.readLine());
        assertNull(r.readLine());
    }

    @Test
    public void aLineOfExactlyTheCapIsReadAndOneByteMoreIsNot() throws Exception {
        String atCap = "a".repeat(20_000);
        BoundedLineReader r = reader(atCap + "\n" + atCap + "b\nnext\n", 20_000);
        assertEquals(atCap, r.readLine());
        BoundedLineReader.LineTooLong e = assertThrows(BoundedLineReader.LineTooLong.class, r::readLine);
        assertTrue(e.bytesSoFar() > 20_000);
        assertEquals(20_001, r.skipRestOfLine());
        assertEquals("the line after the long one is read whole", "next", r.readLine());
        assertNull(r.readLine());
    }

    @Test
    public void aStreamEndingInsideALongLineSaysSo() throws Exception {
        BoundedLineReader r = reader("x".repeat(50_000), 1000);
        assertThrows(BoundedLineReader.LineTooLong.class, r::readLine);
        assertEquals(-1, r.skipRestOfLine());
        assertNull(r.readLine());
    }

    @Test
    public void skippingAVeryLongLineCostsAFixedAmountOfMemory() throws Exception {
        long lineBytes = 512L << 20;
        InputStream in = new SequenceInputStream(new Repeating((byte) 'x', lineBytes),
                new ByteArrayInputStream("\n{\"type\":\"after\"}\n".getBytes(StandardCharsets.UTF_8)));
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        BoundedLineReader r = new BoundedLineReader(in, 1 << 20);
        assertThrows(BoundedLineReader.LineTooLong.class, r::readLine);
        assertEquals(lineBytes, r.skipRestOfLine());
        assertEquals("{\"type\":\"after\"}", r.readLine());
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue("allocated " + allocated + " bytes to skip a line of " + lineBytes, allocated < (16L << 20));
    }

    /** {@code n} copies of one byte, without holding them. */
    private static final class Repeating extends InputStream {
        private final byte b;
        private long left;

        Repeating(byte b, long n) {
            this.b = b;
            this.left = n;
        }

        @Override
        public int read() {
            if (left == 0) {
                return -1;
            }
            left--;
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            if (left == 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            java.util.Arrays.fill(buf, off, off + n, b);
            left -= n;
            return n;
        }
    }
}
