package dev.tollgate.pipeline.layout;

import dev.tollgate.common.config.Schema;
import java.util.List;

/**
 * The merger's settings (test as merge), the {@code merger:} key of the gerrit-pipeline section.
 * Absent: no merger, builds test the patchset itself (what setups without this key keep doing).
 * Each configured Gerrit server gets a merger of its own, in {@code cacheDir/<server name>}, fetching
 * from that server with the credentials the server already has.
 *
 * @param enabled             off keeps the settings but runs no merger
 * @param cacheDir            the merger's repositories; default: {@code tollgate-merger} in the Jenkins home
 * @param fetch               how Gerrit is fetched: {@code ssh} (the server's SSH user, pinned host key and
 *                            private-key credential) or {@code http} (the server's REST URL and REST
 *                            credential, Gerrit's {@code /a/} URLs)
 * @param zuulUrl             the git base URL agents fetch merges from ({@code ZUUL_URL}, the server's name
 *                            appended); default: the git daemon when it runs, else Jenkins' own
 *                            {@code tollgate/git} URL
 * @param committerName       name on the merge commits
 * @param committerEmail      e-mail on the merge commits
 * @param zuulRefMaxAgeHours  {@code refs/zuul/*} older than this are pruned
 * @param maxCacheGigabytes   above this size the least recently used repositories are removed
 * @param pruneMinutes        how often pruning runs
 * @param daemon              serve the repositories over {@code git://} too (absent: no daemon)
 */
public record MergerConfig(@Schema.Default("true") boolean enabled, String cacheDir,
                           @Schema.Default("ssh") String fetch, String zuulUrl, String committerName,
                           String committerEmail, @Schema.Default("48") int zuulRefMaxAgeHours,
                           @Schema.Default("50") int maxCacheGigabytes, @Schema.Default("60") int pruneMinutes,
                           MergerDaemonConfig daemon) {
    public static final String DEFAULT_CACHE_DIR = "tollgate-merger";
    public static final List<String> FETCH_MODES = List.of("ssh", "http");

    /** Fetching over SSH (the default) rather than HTTP. */
    public boolean fetchesOverSsh() {
        return fetch == null || fetch.equals("ssh");
    }

    /**
     * What is wrong with a CIDR network ({@code 10.0.0.0/16}, {@code fd00::/8}, an address alone), or
     * null. Literal addresses only: a host name is refused, never resolved.
     */
    public static String cidrProblem(String cidr) {
        if (cidr == null || cidr.isBlank()) {
            return "empty network";
        }
        String t = cidr.strip();
        int slash = t.indexOf('/');
        String address = slash < 0 ? t : t.substring(0, slash);
        boolean v6 = address.contains(":");
        String bad = addressProblem(address);
        if (bad != null) {
            return "`" + t + "`: " + bad;
        }
        if (slash >= 0) {
            String bits = t.substring(slash + 1);
            int max = v6 ? 128 : 32;
            if (!bits.matches("\\d{1,3}") || Integer.parseInt(bits) > max) {
                return "`" + t + "`: the prefix length after `/` must be 0 to " + max;
            }
        }
        return null;
    }

    /** What is wrong with a literal IPv4 or IPv6 address, or null. */
    public static String addressProblem(String address) {
        if (address == null || address.isBlank()) {
            return "no address";
        }
        if (address.contains(":")) {
            if (!address.matches("[0-9A-Fa-f:.]+") || address.contains(":::") || address.indexOf("::") != address.lastIndexOf("::")) {
                return "not an IPv6 address";
            }
            return null;
        }
        String[] parts = address.split("\\.", -1);
        if (parts.length != 4) {
            return "not an IPv4 address (expected four numbers, e.g. 10.0.0.0)";
        }
        for (String p : parts) {
            if (!p.matches("\\d{1,3}") || Integer.parseInt(p) > 255) {
                return "not an IPv4 address (each number 0 to 255)";
            }
        }
        return null;
    }
}
