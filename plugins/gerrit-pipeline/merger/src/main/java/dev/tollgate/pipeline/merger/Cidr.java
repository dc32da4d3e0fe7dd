package dev.tollgate.pipeline.merger;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * One network of an allow-list, {@code ADDRESS/BITS} (IPv4 or IPv6; a bare address is the host
 * alone). An IPv4-mapped IPv6 client ({@code ::ffff:10.0.0.1}) is matched as its IPv4 address.
 * Immutable.
 */
public record Cidr(byte[] network, int bits) {
    /** Parses {@code 10.0.0.0/8}, {@code 192.168.1.7}, {@code fd00::/8}; a literal address, never a host name. */
    public static Cidr parse(String text) {
        String t = text.strip();
        int slash = t.indexOf('/');
        String addr = slash < 0 ? t : t.substring(0, slash);
        if (addr.isEmpty() || !(addr.contains(":") || addr.matches("[0-9.]+"))) {
            throw new IllegalArgumentException("not a network address: `" + text + "` (expected ADDRESS/BITS)");
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(addr).getAddress(); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not a network address: `" + text + "`");
        }
        int bits = bytes.length * 8;
        if (slash >= 0) {
            try {
                bits = Integer.parseInt(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad prefix length in `" + text + "`");
            }
            if (bits < 0 || bits > bytes.length * 8) {
                throw new IllegalArgumentException("prefix length out of range in `" + text + "`");
            }
        }
        return new Cidr(bytes, bits);
    }

    /** Several networks, separated by commas or white space. */
    public static List<Cidr> parseList(String text) {
        List<Cidr> out = new ArrayList<>();
        for (String part : text.split("[,\\s]+")) {
            if (!part.isBlank()) {
                out.add(parse(part));
            }
        }
        return out;
    }

    public boolean contains(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 16 && network.length == 4 && isMappedV4(b)) {
            b = new byte[] {b[12], b[13], b[14], b[15]};
        }
        if (b.length != network.length) {
            return false;
        }
        int full = bits / 8;
        for (int i = 0; i < full; i++) {
            if (b[i] != network[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (b[full] & mask) == (network[full] & mask);
    }

    private static boolean isMappedV4(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + bits;
        } catch (UnknownHostException e) {
            return "?/" + bits;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.bits == bits && java.util.Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(network) * 31 + bits;
    }
}
