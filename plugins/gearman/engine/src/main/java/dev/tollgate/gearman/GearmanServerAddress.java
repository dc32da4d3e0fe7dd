package dev.tollgate.gearman;

import java.util.Objects;

/** A Gearman job server, {@code host:port} (port 4730 when left out). */
public record GearmanServerAddress(String host, int port) {
    public static final int DEFAULT_PORT = 4730;

    public GearmanServerAddress {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("Gearman server host is empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("Gearman server port out of range: " + port);
        }
    }

    /** Parses {@code host}, {@code host:port} or {@code [v6addr]:port}. */
    public static GearmanServerAddress parse(String text) {
        String t = Objects.requireNonNull(text, "server").trim();
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("bad Gearman server '" + text + "'");
            }
            String host = t.substring(1, close);
            String rest = t.substring(close + 1);
            return new GearmanServerAddress(host, rest.isEmpty() ? DEFAULT_PORT : port(rest.substring(1), text));
        }
        int colon = t.lastIndexOf(':');
        if (colon < 0) {
            return new GearmanServerAddress(t, DEFAULT_PORT);
        }
        return new GearmanServerAddress(t.substring(0, colon), port(t.substring(colon + 1), text));
    }

    private static int port(String p, String text) {
        try {
            return Integer.parseInt(p);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in Gearman server '" + text + "'");
        }
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
