package dev.tollgate.pipeline.event;

import java.io.IOException;
import java.io.InputStream;

/**
 * Numbered event lines from a recorded stream, never holding more than
 * {@link EventParser#MAX_EVENT_BYTES} of one line: a longer line is read to its end, counted and
 * returned without its text, so one huge line costs time, not memory, and the lines after it are
 * still read. Built on {@link BoundedLineReader}, the same reader the live stream uses, so a
 * recording and the stream judge a line alike.
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

    private final BoundedLineReader in;
    private int lineNumber;

    public EventLineReader(InputStream in) {
        this(in, EventParser.MAX_EVENT_BYTES);
    }

    public EventLineReader(InputStream in, int limit) {
        this.in = new BoundedLineReader(in, limit);
    }

    /** The next line, or null at the end of the stream. */
    public Line next() throws IOException {
        String text;
        try {
            text = in.readLine();
        } catch (BoundedLineReader.LineTooLong tooLong) {
            in.skipRestOfLine();
            return new Line(++lineNumber, null, in.longLineBytes());
        }
        return text == null ? null : new Line(++lineNumber, text, in.lastLineBytes());
    }
}
