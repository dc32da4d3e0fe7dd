package dev.tollgate.gearman.config;

import dev.tollgate.common.config.Schema;
import dev.tollgate.gearman.GearmanServerAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The Gearman plugin's JCasC section, {@code unclassified: tollgateGearman:}: whether Jenkins takes
 * builds from a Zuul v2 over Gearman, and from which servers. Its records are the section's schema
 * (the plugin's global configuration mirrors them key for key); {@link #check} holds the rules the
 * schema cannot say. Immutable.
 *
 * @param enabled whether the worker runs; off unless given
 * @param servers the Gearman job servers; at least one when enabled
 */
public record GearmanSettings(@Schema.Default("false") boolean enabled, List<GearmanServerConfig> servers) {
    /** The section's JCasC symbol. */
    public static final String SYMBOL = "tollgateGearman";

    /** IPv6 literal characters, with a zone id ({@code fe80::1%eth0}). */
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+(%[\\w.-]+)?");
    private static final Pattern HOST_AND_PORT = Pattern.compile("[^:\\[\\]]+:[0-9]+");

    public GearmanSettings {
        servers = servers == null ? List.of() : List.copyOf(servers);
    }

    /** Where a rule reports a problem: the record and key it concerns, as the JCasC reader places them. */
    @FunctionalInterface
    public interface Problems {
        /**
         * @param record      the record the problem is about (this section, or one of its servers)
         * @param keyOfRecord the key the record stands under ({@code servers} for a server)
         * @param key         the key of the record that is wrong
         */
        void add(Record record, String keyOfRecord, String key, String message);
    }

    /** Checks what the records' types cannot: addresses, repeats, and a server when enabled. */
    public void check(Problems problems) {
        if (enabled && servers.isEmpty()) {
            problems.add(this, SYMBOL, "servers", "at least one server is needed when enabled is true");
        }
        Set<String> seen = new HashSet<>();
        for (GearmanServerConfig s : servers) {
            String host = s.host() == null ? "" : s.host().strip();
            String hostProblem = hostProblem(host);
            if (hostProblem != null) {
                problems.add(s, "servers", "host", hostProblem);
            }
            if (s.port() < 1 || s.port() > 65535) {
                problems.add(s, "servers", "port", "expected a port from 1 to 65535, got " + s.port());
            }
            if (hostProblem == null && !seen.add(host.toLowerCase(java.util.Locale.ROOT) + " " + s.port())) {
                problems.add(s, "servers", "host", "server " + s + " is listed twice");
            }
        }
    }

    private static String hostProblem(String host) {
        if (host.isEmpty()) {
            return "required";
        }
        if (host.contains("${")) {
            return null; // JCasC fills it in at start-up (`${GEARMAN_HOST:-zuul}`); Jenkins then checks the value
        }
        if (host.contains("://") || host.contains("/")) {
            return "expected a host name or address, not a URL: `" + cut(host) + "`";
        }
        if (host.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            return "a host name has no blanks or control characters: `" + cut(host) + "`";
        }
        if (host.startsWith("[")) {
            return "write an IPv6 address without brackets: `" + cut(host) + "`";
        }
        if (HOST_AND_PORT.matcher(host).matches()) {
            return "write the port under `port`, not in the host: `" + cut(host) + "`";
        }
        if (host.contains(":") && !IPV6.matcher(host).matches()) {
            return "not a host name or IPv6 address: `" + cut(host) + "`";
        }
        return null;
    }

    private static String cut(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    /** Every problem as {@code key: message} ({@code servers[1].port: ...}), for a form or a log; empty when valid. */
    public List<String> problems() {
        List<String> out = new ArrayList<>();
        check((record, keyOfRecord, key, message) -> {
            int i = indexOf(record);
            out.add((i < 0 ? key : "servers[" + i + "]." + key) + ": " + message);
        });
        return out;
    }

    private int indexOf(Record record) {
        for (int i = 0; i < servers.size(); i++) {
            if (servers.get(i) == record) {
                return i;
            }
        }
        return -1;
    }

    /** The servers to connect to; only for settings without {@link #problems()}. */
    public List<GearmanServerAddress> addresses() {
        return servers.stream().map(GearmanServerConfig::address).toList();
    }
}
