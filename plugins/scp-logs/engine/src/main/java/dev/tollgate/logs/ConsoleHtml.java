package dev.tollgate.logs;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A build's console text as an HTML page for the log server: the text inside one {@code <pre>}, with
 * {@code & < > " '} escaped, so nothing a build prints (it runs untrusted code) is markup, a script or
 * the end of the {@code <pre>} on the log server. Works on UTF-8 bytes as they come: those five are
 * ASCII, and no byte of a multi-byte UTF-8 character is ASCII, so escaping byte by byte never splits
 * or changes a character. Not thread-safe; {@link #close()} writes the page's end and closes the
 * stream under it.
 */
public final class ConsoleHtml extends FilterOutputStream {
    private static final byte[][] ESCAPES = new byte[128][];

    static {
        ESCAPES['&'] = bytes("&amp;");
        ESCAPES['<'] = bytes("&lt;");
        ESCAPES['>'] = bytes("&gt;");
        ESCAPES['"'] = bytes("&quot;");
        ESCAPES['\''] = bytes("&#39;");
    }

    private boolean closed;

    private ConsoleHtml(OutputStream out) {
        super(out);
    }

    /** Writes the page's start, with {@code title} (escaped) as its title, and returns the stream for the text. */
    public static ConsoleHtml open(OutputStream out, String title) throws IOException {
        ConsoleHtml page = new ConsoleHtml(out);
        out.write(bytes("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>"));
        page.write(bytes(title == null ? "" : title));
        out.write(bytes("</title></head>\n<body><pre>"));
        return page;
    }

    @Override
    public void write(int b) throws IOException {
        byte[] escape = b >= 0 && b < 128 ? ESCAPES[b] : null;
        if (escape != null) {
            out.write(escape);
        } else {
            out.write(b);
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        int start = off;
        int end = off + len;
        for (int i = off; i < end; i++) {
            int c = b[i];
            byte[] escape = c >= 0 ? ESCAPES[c] : null;
            if (escape != null) {
                out.write(b, start, i - start);
                out.write(escape);
                start = i + 1;
            }
        }
        out.write(b, start, end - start);
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            out.write(bytes("</pre></body></html>\n"));
            out.flush();
        } finally {
            out.close();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
