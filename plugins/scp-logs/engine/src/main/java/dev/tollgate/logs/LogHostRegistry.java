package dev.tollgate.logs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The configured log hosts, by name. Thread-safe. */
public final class LogHostRegistry {
    private final Map<String, LogHost> hosts = new TreeMap<>();

    /** Adds a host; a second host with the same name is refused (use {@link #replace}). */
    public synchronized void add(LogHost host) {
        if (hosts.containsKey(host.name())) {
            throw new IllegalArgumentException("a log host named '" + host.name() + "' already exists");
        }
        hosts.put(host.name(), host);
    }

    public synchronized void replace(LogHost host) {
        hosts.put(host.name(), host);
    }

    public synchronized boolean remove(String name) {
        return hosts.remove(name) != null;
    }

    public synchronized Optional<LogHost> find(String name) {
        return Optional.ofNullable(hosts.get(name));
    }

    /** The host, or an error that lists the known names. */
    public synchronized LogHost require(String name) {
        LogHost h = hosts.get(name);
        if (h == null) {
            throw new IllegalArgumentException("no log host named '" + (name == null ? "" : RemoteNames.printable(name))
                    + "'; known: " + (hosts.isEmpty() ? "none" : String.join(", ", hosts.keySet())));
        }
        return h;
    }

    public synchronized List<LogHost> all() {
        return new ArrayList<>(hosts.values());
    }
}
