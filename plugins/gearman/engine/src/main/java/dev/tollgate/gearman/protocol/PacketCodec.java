package dev.tollgate.gearman.protocol;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes Gearman binary packets: a 12-byte header (magic {@code \0REQ}/{@code \0RES},
 * big-endian type, big-endian body size) and a body of NUL-separated arguments. Decoding is strict:
 * wrong magic, an unknown type, a size above the configured limit, a body with the wrong number of
 * arguments, or a stream that ends inside a packet all raise {@link ProtocolException}, so a
 * confused or hostile peer can never make the worker allocate unbounded memory or act on half a
 * packet. The size in a header is the peer's claim, not a promise: the body buffer grows with the
 * bytes that actually arrive (at most twice what was received), so a header claiming 16 MiB
 * followed by silence costs a few KiB, not 16 MiB per connection.
 */
public final class PacketCodec {
    public static final int HEADER_SIZE = 12;
    /** The first body buffer; it doubles as bytes arrive, up to the announced size. */
    private static final int FIRST_BUFFER = 8192;
    private static final byte[] REQ = {0, 'R', 'E', 'Q'};
    private static final byte[] RES = {0, 'R', 'E', 'S'};

    private final int maxBodySize;

    public PacketCodec(int maxBodySize) {
        if (maxBodySize <= 0) {
            throw new IllegalArgumentException("maxBodySize must be positive: " + maxBodySize);
        }
        this.maxBodySize = maxBodySize;
    }

    public byte[] encode(Packet packet) {
        int size = packet.bodySize();
        if (size > maxBodySize) {
            throw new IllegalArgumentException(packet.type() + " body of " + size
                    + " bytes exceeds the limit of " + maxBodySize);
        }
        ByteBuffer buf = ByteBuffer.allocate(HEADER_SIZE + size);
        buf.put(packet.isRequest() ? REQ : RES).putInt(packet.type().code()).putInt(size);
        List<byte[]> args = packet.rawArguments();
        for (int i = 0; i < args.size(); i++) {
            if (i > 0) {
                buf.put((byte) 0);
            }
            buf.put(args.get(i));
        }
        return buf.array();
    }

    public void write(Packet packet, OutputStream out) throws IOException {
        out.write(encode(packet));
    }

    /**
     * The next packet, or null when the stream ends cleanly between packets.
     *
     * @throws ProtocolException when the bytes are not a valid packet
     * @throws IOException when reading fails
     */
    public Packet read(InputStream in) throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        if (first != 0) {
            throw new ProtocolException("not a binary Gearman packet: first byte 0x"
                    + Integer.toHexString(first) + " (text admin answer or garbage?)");
        }
        byte[] header = new byte[HEADER_SIZE];
        header[0] = 0;
        readFully(in, header, 1, HEADER_SIZE - 1, "header");
        boolean request;
        if (matches(header, REQ)) {
            request = true;
        } else if (matches(header, RES)) {
            request = false;
        } else {
            throw new ProtocolException("bad packet magic: expected \\0REQ or \\0RES");
        }
        ByteBuffer hb = ByteBuffer.wrap(header, 4, 8);
        int code = hb.getInt();
        long size = Integer.toUnsignedLong(hb.getInt());
        PacketType type = PacketType.byCode(code);
        if (type == null) {
            throw new ProtocolException("unknown packet type " + code);
        }
        if (size > maxBodySize) {
            throw new ProtocolException(type + " body of " + size + " bytes exceeds the limit of "
                    + maxBodySize);
        }
        byte[] body = readBody(in, (int) size, type);
        return new Packet(request, type, split(type, body));
    }

    /** Decodes exactly one packet from a byte array that holds nothing else. */
    public Packet decode(byte[] bytes) throws ProtocolException {
        try {
            java.io.ByteArrayInputStream in = new java.io.ByteArrayInputStream(bytes);
            Packet p = read(in);
            if (p == null) {
                throw new ProtocolException("no packet: empty input");
            }
            if (in.available() > 0) {
                throw new ProtocolException(in.available() + " bytes after the packet");
            }
            return p;
        } catch (ProtocolException e) {
            throw e;
        } catch (IOException e) {
            throw new ProtocolException(e.getMessage());
        }
    }

    private static List<byte[]> split(PacketType type, byte[] body) throws ProtocolException {
        int n = type.argumentCount();
        List<byte[]> args = new ArrayList<>(n);
        if (n == 0) {
            if (body.length != 0) {
                throw new ProtocolException(type + " takes no arguments but has a body of "
                        + body.length + " bytes");
            }
            return args;
        }
        int start = 0;
        for (int i = 0; i < n - 1; i++) {
            int nul = indexOfNul(body, start);
            if (nul < 0) {
                throw new ProtocolException(type + " needs " + n + " arguments, body has "
                        + (i + 1));
            }
            args.add(java.util.Arrays.copyOfRange(body, start, nul));
            start = nul + 1;
        }
        args.add(java.util.Arrays.copyOfRange(body, start, body.length));
        return args;
    }

    private static int indexOfNul(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    private static boolean matches(byte[] header, byte[] magic) {
        for (int i = 0; i < 4; i++) {
            if (header[i] != magic[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] readBody(InputStream in, int size, PacketType type) throws IOException {
        byte[] body = new byte[Math.min(size, FIRST_BUFFER)];
        int done = 0;
        while (done < size) {
            if (done == body.length) {
                body = java.util.Arrays.copyOf(body, (int) Math.min(size, 2L * body.length));
            }
            int r = in.read(body, done, body.length - done);
            if (r < 0) {
                throw new ProtocolException("stream ended inside a packet " + type + " body (" + done + " of "
                        + size + " bytes)");
            }
            done += r;
        }
        return body;
    }

    private static void readFully(InputStream in, byte[] b, int off, int len, String what)
            throws IOException {
        int done = 0;
        while (done < len) {
            int r = in.read(b, off + done, len - done);
            if (r < 0) {
                throw new ProtocolException("stream ended inside a packet " + what + " ("
                        + done + " of " + len + " bytes)");
            }
            done += r;
        }
    }

    /** Convenience for tests and tools: the encoded bytes of several packets back to back. */
    public byte[] encodeAll(Packet... packets) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Packet p : packets) {
            out.writeBytes(encode(p));
        }
        return out.toByteArray();
    }
}
