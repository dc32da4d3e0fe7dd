package dev.tollgate.pipeline.event;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads a recorded event stream line by line without ever holding more than
 * {@link EventParser#MAX_EVENT_BYTES} of one line: a longer line is read to its end, counted and
 * returned without its text, so one huge line costs time, not memory, and the lines after it are
 * still read. Lines end at {@code \n} (a {@code \r} before it is dropped). Bytes that are not UTF-8
 * become U+FFFD, so a damaged line reaches the parser and is judged like any other.
 *
 * <p>Not thread-safe; the caller owns (and closes) the stream.
 */
public final class EventLineReader {
    /** One line: {@code text} is null when the line is longer than the limit; {@code bytes} is its length. */
    public record Line(int number, String text, long bytes) {
        public boolean oversized() {
            return text == null;
        }
    }

    private final InputStream in;
    private final int limit;
    private final byte[] chunk = new byte[64 * 1024];
    private int chunkPos;
    private int chunkEnd;
    private byte[] line = new byte[4096];
    private int lineNumber;

    public EventLineReader(InputStream in) {
        this(in, EventParser.MAX_EVENT_BYTES);
    }

    public EventLineReader(InputStream in, int limit) {
        this.in = in;
        this.limit = limit;
    }

    /** The next line, or null at the end of the stream. */
    public Line next() throws IOException {
        long length = 0; // bytes of this line so far; only the first limit + 1 are kept
        boolean any = false;
        while (true) {
            if (chunkPos == chunkEnd) {
                chunkEnd = in.read(chunk);
                chunkPos = 0;
                if (chunkEnd <= 0) {
                    chunkEnd = 0;
                    return any ? finish(length) : null;
                }
            }
            any = true;
            int end = chunkPos;
            while (end < chunkEnd && chunk[end] != '\n') {
                end++;
            }
            keep(chunkPos, end, length);
            length += end - chunkPos;
            if (end < chunkEnd) {
                chunkPos = end + 1;
                return finish(length);
            }
            chunkPos = end;
        }
    }

    /** Appends chunk[from, to) to the line, as far as the first limit + 1 bytes of the line go. */
    private void keep(int from, int to, long lineLength) {
        long room = limit + 1L - lineLength;
        if (room <= 0) {
            return;
        }
        int n = (int) Math.min(room, to - from);
        int needed = (int) lineLength + n;
        if (needed > line.length) {
            line = Arrays.copyOf(line, (int) Math.min(limit + 1L, Math.max(needed, line.length * 2L)));
        }
        System.arraycopy(chunk, from, line, (int) lineLength, n);
    }

    private Line finish(long length) {
        lineNumber++;
        if (length > 0 && length <= limit + 1L && line[(int) length - 1] == '\r') {
            length--;
        }
        if (length > limit) {
            return new Line(lineNumber, null, length);
        }
        return new Line(lineNumber, new String(line, 0, (int) length, StandardCharsets.UTF_8), length);
    }
}
