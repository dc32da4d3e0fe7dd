package dev.tollgate.gearman.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One Gearman packet: request ({@code \0REQ}) or response ({@code \0RES}), its type and its
 * arguments. Immutable; the argument count is checked against the type on construction.
 */
public final class Packet {
    private final boolean request;
    private final PacketType type;
    private final List<byte[]> arguments;

    public Packet(boolean request, PacketType type, List<byte[]> arguments) {
        if (arguments.size() != type.argumentCount()) {
            throw new IllegalArgumentException(type + " takes " + type.argumentCount()
                    + " arguments, got " + arguments.size());
        }
        for (int i = 0; i < arguments.size() - 1; i++) {
            for (byte b : arguments.get(i)) {
                if (b == 0) {
                    throw new IllegalArgumentException("argument " + i + " of " + type
                            + " contains a NUL byte (only the last argument may)");
                }
            }
        }
        this.request = request;
        this.type = type;
        List<byte[]> copy = new ArrayList<>(arguments.size());
        for (byte[] a : arguments) {
            copy.add(a.clone());
        }
        this.arguments = List.copyOf(copy);
    }

    /** A request packet whose arguments are given as UTF-8 text (the last may be raw bytes). */
    public static Packet request(PacketType type, Object... arguments) {
        return new Packet(true, type, toBytes(arguments));
    }

    public static Packet response(PacketType type, Object... arguments) {
        return new Packet(false, type, toBytes(arguments));
    }

    private static List<byte[]> toBytes(Object[] arguments) {
        List<byte[]> out = new ArrayList<>(arguments.length);
        for (Object a : arguments) {
            if (a instanceof byte[] bytes) {
                out.add(bytes);
            } else {
                out.add(String.valueOf(a).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    public boolean isRequest() {
        return request;
    }

    public PacketType type() {
        return type;
    }

    public int argumentCount() {
        return arguments.size();
    }

    public byte[] argument(int index) {
        return arguments.get(index).clone();
    }

    public String text(int index) {
        return new String(arguments.get(index), StandardCharsets.UTF_8);
    }

    /** Bytes of all arguments plus their NUL separators: the packet's size field. */
    int bodySize() {
        int size = Math.max(0, arguments.size() - 1);
        for (byte[] a : arguments) {
            size += a.length;
        }
        return size;
    }

    List<byte[]> rawArguments() {
        return arguments;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Packet p) || p.request != request || p.type != type) {
            return false;
        }
        for (int i = 0; i < arguments.size(); i++) {
            if (!Arrays.equals(arguments.get(i), p.arguments.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = type.hashCode() * 31 + (request ? 1 : 0);
        for (byte[] a : arguments) {
            h = h * 31 + Arrays.hashCode(a);
        }
        return h;
    }

    /** Shows the type and argument sizes only: job data may carry parameters that are secret. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(request ? "REQ " : "RES ").append(type).append('[');
        for (int i = 0; i < arguments.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(arguments.get(i).length).append(" bytes");
        }
        return sb.append(']').toString();
    }
}
