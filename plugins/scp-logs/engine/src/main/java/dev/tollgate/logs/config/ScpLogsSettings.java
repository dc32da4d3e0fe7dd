package dev.tollgate.logs.config;

import dev.tollgate.logs.LogHostRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The scp-logs plugin's whole global configuration, the JCasC section
 * {@code unclassified: tollgateScpLogs:}: the log host registry. These records are the section's
 * schema ({@code dev.tollgate.common.config.Schema}); the plugin's describables mirror them key for
 * key, and {@code tollgate validate} reads a file's section into them and reports
 * {@link #problems()} at their lines.
 *
 * @param hosts the log servers, by unique name
 */
public record ScpLogsSettings(List<LogHostConfig> hosts) {
    public static final String SYMBOL = "tollgateScpLogs";

    public ScpLogsSettings {
        hosts = List.copyOf(hosts == null ? List.of() : hosts);
    }

    /** One problem of the section: the host it concerns and its key. */
    public record Problem(LogHostConfig host, String key, String message) {}

    /** Every problem, host by host: each host's own, then a name used twice (reported at the second). */
    public List<Problem> problems() {
        List<Problem> out = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < hosts.size(); i++) {
            LogHostConfig h = hosts.get(i);
            h.problems().forEach((key, message) -> out.add(new Problem(h, key, message)));
            Integer first = h.name() == null ? null : seen.putIfAbsent(h.name(), i);
            if (first != null) {
                out.add(new Problem(h, "name", "duplicate log host `" + h.name() + "` (the " + ordinal(first + 1)
                        + " host has that name already)"));
            }
        }
        return out;
    }

    /**
     * The registry the publisher looks hosts up in.
     *
     * @throws IllegalArgumentException naming every problem, host by host
     */
    public LogHostRegistry registry() {
        List<Problem> problems = problems();
        if (!problems.isEmpty()) {
            List<String> lines = new ArrayList<>();
            for (Problem p : problems) {
                lines.add("log host '" + (p.host().name() == null ? "" : p.host().name()) + "': " + p.key() + ": "
                        + p.message());
            }
            throw new IllegalArgumentException(String.join("; ", lines));
        }
        LogHostRegistry r = new LogHostRegistry();
        for (LogHostConfig h : hosts) {
            r.add(h.toLogHost());
        }
        return r;
    }

    private static String ordinal(int n) {
        return n + (n % 100 / 10 == 1 ? "th" : switch (n % 10) {
            case 1 -> "st";
            case 2 -> "nd";
            case 3 -> "rd";
            default -> "th";
        });
    }
}
