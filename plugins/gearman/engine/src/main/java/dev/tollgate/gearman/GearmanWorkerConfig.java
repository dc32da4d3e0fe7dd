package dev.tollgate.gearman;

import dev.tollgate.common.Backoff;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Worker settings.
 *
 * @param managerName this Jenkins' name as Zuul sees it: the {@code manager} field of WORK_DATA and
 *     the suffix of {@code stop:<manager>} / {@code set_description:<manager>}
 * @param servers the Gearman job servers; every executor holds one connection to each
 * @param backoff reconnect backoff after a server went away
 * @param connectTimeout TCP connect timeout
 * @param maxPacketSize largest packet body accepted or sent, in bytes
 * @param resultRetention how long the outcome of a finished build is kept to answer a re-assigned
 *     job with the same unique id instead of building it again
 * @param keepAlive on {@link GearmanWorker#tick()}, a connection silent for this long is sent an
 *     ECHO_REQ, and one whose echo stays unanswered this long is dropped and reconnected (finds
 *     half-open TCP connections to a vanished server); zero disables it
 */
public record GearmanWorkerConfig(String managerName, List<GearmanServerAddress> servers,
        Backoff backoff, Duration connectTimeout, int maxPacketSize, Duration resultRetention,
        Duration keepAlive) {
    /** 1 s, doubling, up to 60 s, half of it random: spreads the reconnects after a gearmand restart. */
    public static final Backoff DEFAULT_BACKOFF = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), 2.0, 0.5);

    public static final int DEFAULT_MAX_PACKET_SIZE = 16 * 1024 * 1024;

    public GearmanWorkerConfig {
        Objects.requireNonNull(managerName, "managerName");
        if (managerName.isBlank() || managerName.contains(":") || managerName.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("bad manager name '" + managerName + "' (empty, ':' or blank)");
        }
        servers = List.copyOf(servers);
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("at least one Gearman server is needed");
        }
        if (servers.stream().distinct().count() != servers.size()) {
            throw new IllegalArgumentException("a Gearman server is listed twice: " + servers);
        }
        Objects.requireNonNull(backoff, "backoff");
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connect timeout must be positive");
        }
        if (maxPacketSize < 1024) {
            throw new IllegalArgumentException("max packet size below 1 KiB: " + maxPacketSize);
        }
        if (resultRetention.isNegative() || keepAlive.isNegative()) {
            throw new IllegalArgumentException("result retention and keepalive must not be negative");
        }
    }

    /**
     * A manager name made from a host name or any other text: characters a manager name may not
     * have (':' and blanks, as in {@code stop:<manager>}) become '-', and an empty text gives
     * {@code jenkins}.
     */
    public static String managerNameFrom(String candidate) {
        StringBuilder b = new StringBuilder();
        for (char c : (candidate == null ? "" : candidate.strip()).toCharArray()) {
            b.append(c == ':' || Character.isWhitespace(c) || Character.isISOControl(c) ? '-' : c);
        }
        return b.length() == 0 ? "jenkins" : b.toString();
    }

    public static GearmanWorkerConfig of(String managerName, List<GearmanServerAddress> servers) {
        return new GearmanWorkerConfig(managerName, servers, DEFAULT_BACKOFF, Duration.ofSeconds(10),
                DEFAULT_MAX_PACKET_SIZE, Duration.ofMinutes(30), Duration.ofSeconds(60));
    }

    public GearmanWorkerConfig withBackoff(Backoff b) {
        return new GearmanWorkerConfig(managerName, servers, b, connectTimeout, maxPacketSize, resultRetention, keepAlive);
    }

    public GearmanWorkerConfig withResultRetention(Duration d) {
        return new GearmanWorkerConfig(managerName, servers, backoff, connectTimeout, maxPacketSize, d, keepAlive);
    }

    public GearmanWorkerConfig withKeepAlive(Duration d) {
        return new GearmanWorkerConfig(managerName, servers, backoff, connectTimeout, maxPacketSize, resultRetention, d);
    }

    public GearmanWorkerConfig withMaxPacketSize(int size) {
        return new GearmanWorkerConfig(managerName, servers, backoff, connectTimeout, size, resultRetention, keepAlive);
    }
}
