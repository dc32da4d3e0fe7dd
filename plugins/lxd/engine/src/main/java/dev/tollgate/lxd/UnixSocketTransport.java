package dev.tollgate.lxd;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * HTTP/1.1 to the local LXD daemon over its unix socket ({@code $LXD_DIR/unix.socket}), with the JDK's
 * unix-domain {@link SocketChannel}: the JDK's HTTP client speaks TCP only. One connection per
 * request ({@code Connection: close}): on a local socket a connect costs microseconds, and no pool
 * state is shared between threads. The answer is read with a deadline (a selector), so a daemon that
 * hangs cannot hold a caller forever. Bodies come with Content-Length or chunked; both are read.
 *
 * <p>Thread-safe: no mutable state.
 */
public final class UnixSocketTransport implements LxdTransport {
    private static final int MAX_BODY = 64 * 1024 * 1024;
    private final Path socket;

    public UnixSocketTransport(Path socket) {
        this.socket = socket;
    }

    @Override
    public String describe() {
        return "unix:" + socket;
    }

    @Override
    public Response send(String method, String path, byte[] jsonBody, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            StringBuilder head = new StringBuilder();
            head.append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                    .append("Host: lxd\r\n")
                    .append("User-Agent: tollgate-lxd\r\n")
                    .append("Connection: close\r\n");
            if (jsonBody != null) {
                head.append("Content-Type: application/json\r\n").append("Content-Length: ").append(jsonBody.length)
                        .append("\r\n");
            }
            head.append("\r\n");
            byte[] h = head.toString().getBytes(StandardCharsets.US_ASCII);
            ByteBuffer request = ByteBuffer.allocate(h.length + (jsonBody == null ? 0 : jsonBody.length)).put(h);
            if (jsonBody != null) {
                request.put(jsonBody);
            }
            IOException writeFailed = null;
            try {
                writeFully(ch, request.flip());
            } catch (IOException e) {
                // the daemon may answer (e.g. 404 for an instance that is gone) and close before it has
                // read the body: its answer is still there to read
                writeFailed = e;
            }
            ch.configureBlocking(false);
            try (Selector sel = Selector.open()) {
                ch.register(sel, SelectionKey.OP_READ);
                return new Reader(ch, sel, deadline).response(method);
            } catch (IOException e) {
                if (writeFailed != null) {
                    writeFailed.addSuppressed(e);
                    throw writeFailed;
                }
                throw e;
            }
        }
    }

    private static void writeFully(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Reads one HTTP/1.1 response from a non-blocking channel before the deadline. */
    private static final class Reader {
        private final SocketChannel ch;
        private final Selector sel;
        private final long deadline;
        private final ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
        private boolean eof;

        Reader(SocketChannel ch, Selector sel, long deadline) {
            this.ch = ch;
            this.sel = sel;
            this.deadline = deadline;
            buf.flip(); // empty, ready to read from
        }

        /** Ensures at least one byte is buffered; false at the end of the stream. */
        private boolean fill() throws IOException {
            while (!buf.hasRemaining()) {
                if (eof) {
                    return false;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new SocketTimeoutException("LXD did not answer in time");
                }
                sel.select(Math.max(1, left / 1_000_000));
                sel.selectedKeys().clear();
                buf.compact();
                int n = ch.read(buf);
                buf.flip();
                if (n < 0) {
                    eof = true;
                }
            }
            return true;
        }

        private String line() throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (true) {
                if (!fill()) {
                    throw new IOException("LXD closed the connection inside a header");
                }
                byte b = buf.get();
                if (b == '\n') {
                    break;
                }
                if (b != '\r') {
                    out.write(b);
                }
                if (out.size() > 64 * 1024) {
                    throw new IOException("header line too long");
                }
            }
            return out.toString(StandardCharsets.ISO_8859_1);
        }

        private void readInto(ByteArrayOutputStream out, long n) throws IOException {
            if (out.size() + n > MAX_BODY) {
                throw new IOException("LXD answer larger than " + MAX_BODY + " bytes");
            }
            while (n > 0) {
                if (!fill()) {
                    throw new IOException("LXD closed the connection inside the body");
                }
                int take = (int) Math.min(n, buf.remaining());
                out.write(buf.array(), buf.arrayOffset() + buf.position(), take);
                buf.position(buf.position() + take);
                n -= take;
            }
        }

        Response response(String method) throws IOException {
            String status = line();
            String[] parts = status.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP answer: " + status);
            }
            int code;
            try {
                code = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                throw new IOException("bad HTTP status line: " + status, e);
            }
            long length = -1;
            boolean chunked = false;
            for (String h = line(); !h.isEmpty(); h = line()) {
                int colon = h.indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = h.substring(colon + 1).trim();
                if (name.equals("content-length")) {
                    length = Long.parseLong(value);
                } else if (name.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
                    chunked = true;
                }
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if (method.equals("HEAD") || code == 204 || code == 304 || (code >= 100 && code < 200)) {
                return new Response(code, new byte[0]);
            }
            if (chunked) {
                while (true) {
                    String size = line();
                    int semi = size.indexOf(';');
                    long n = Long.parseLong((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
                    if (n == 0) {
                        while (!line().isEmpty()) {
                            // trailers: none used
                        }
                        break;
                    }
                    readInto(body, n);
                    line(); // the CRLF after the chunk
                }
            } else if (length >= 0) {
                readInto(body, length);
            } else {
                while (fill()) {
                    readInto(body, buf.remaining());
                }
            }
            return new Response(code, body.toByteArray());
        }
    }
}
