package dev.tollgate.pipeline.event;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads {@code \n}-terminated UTF-8 lines from a stream the peer fills, keeping at most
 * {@code maxBytes} of a line in memory. A longer line raises {@link LineTooLong} as soon as it
 * crosses the cap, with the rest of it still unread; {@link #skipRestOfLine()} then discards it
 * without keeping it, so even an endless line costs a fixed amount of memory.
 *
 * <p>A {@code \r} before the {@code \n} is dropped; a last line without a terminator is returned
 * as it is. Bytes that are not UTF-8 become U+FFFD, as with an {@code InputStreamReader}.
 * Not thread-safe: it belongs to one reader thread.
 */
public final class BoundedLineReader {
    private static final int CHUNK = 8192;
    /** A line buffer grown beyond this is let go after its line, so one big event does not pin it. */
    private static final int KEEP_BUFFER = 1 << 20;

    /** The line being read is longer than the cap; its first bytes are not kept. */
    public static final class LineTooLong extends IOException {
        private final long bytesSoFar;

        LineTooLong(long bytesSoFar, int maxBytes) {
            super("line longer than " + maxBytes + " bytes");
            this.bytesSoFar = bytesSoFar;
        }

        /** The bytes of the line read when the cap was crossed. */
        public long bytesSoFar() {
            return bytesSoFar;
        }
    }

    private final InputStream in;
    private final int maxBytes;
    private final byte[] chunk = new byte[CHUNK];
    private int pos;
    private int limit;
    private byte[] line = new byte[CHUNK];
    /** Set between a LineTooLong and the end of that line: its rest is still to be skipped. */
    private boolean insideLongLine;
    private long longLineBytes;
    private int lastLineBytes;

    public BoundedLineReader(InputStream in, int maxBytes) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
        }
        this.in = in;
        this.maxBytes = maxBytes;
    }

    /**
     * The next line without its terminator, or null at the end of the stream.
     *
     * @throws LineTooLong when the line exceeds the cap (call {@link #skipRestOfLine()} next)
     */
    public String readLine() throws IOException {
        if (insideLongLine) {
            throw new IllegalStateException("skipRestOfLine() first");
        }
        int len = 0;
        while (true) {
            if (pos == limit && !fill()) {
                return len == 0 ? null : decode(len);
            }
            int nl = indexOfNewline();
            int end = nl < 0 ? limit : nl;
            int n = end - pos;
            if ((long) len + n > maxBytes) {
                longLineBytes = (long) len + n;
                pos = nl < 0 ? limit : nl + 1;
                insideLongLine = nl < 0;
                shrink();
                throw new LineTooLong(longLineBytes, maxBytes);
            }
            if (len + n > line.length) {
                line = Arrays.copyOf(line, (int) Math.min(maxBytes, Math.max((long) line.length * 2, len + n)));
            }
            System.arraycopy(chunk, pos, line, len, n);
            len += n;
            if (nl >= 0) {
                pos = nl + 1;
                return decode(len);
            }
            pos = limit;
        }
    }

    /**
     * Discards the rest of the line that raised {@link LineTooLong}.
     *
     * @return the whole line's length in bytes, or -1 when the stream ended inside it
     */
    public long skipRestOfLine() throws IOException {
        while (insideLongLine) {
            if (pos == limit && !fill()) {
                insideLongLine = false;
                return -1;
            }
            int nl = indexOfNewline();
            int end = nl < 0 ? limit : nl;
            longLineBytes += end - pos;
            if (nl >= 0) {
                insideLongLine = false;
                pos = nl + 1;
            } else {
                pos = limit;
            }
        }
        return longLineBytes;
    }

    private boolean fill() throws IOException {
        int n;
        do {
            n = in.read(chunk, 0, chunk.length);
        } while (n == 0);
        if (n < 0) {
            return false;
        }
        pos = 0;
        limit = n;
        return true;
    }

    private int indexOfNewline() {
        for (int i = pos; i < limit; i++) {
            if (chunk[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** The UTF-8 bytes of the last line {@link #readLine} returned, without its terminator. */
    public int lastLineBytes() {
        return lastLineBytes;
    }

    /** The bytes of the last over-long line read so far (all of it, once skipped), end of stream or not. */
    public long longLineBytes() {
        return longLineBytes;
    }

    private String decode(int len) {
        int end = len > 0 && line[len - 1] == '\r' ? len - 1 : len;
        lastLineBytes = end;
        String s = new String(line, 0, end, StandardCharsets.UTF_8);
        shrink();
        return s;
    }

    private void shrink() {
        if (line.length > KEEP_BUFFER) {
            line = new byte[CHUNK];
        }
    }
}
