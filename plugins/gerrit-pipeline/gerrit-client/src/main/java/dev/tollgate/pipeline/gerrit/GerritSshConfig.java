package dev.tollgate.pipeline.gerrit;

import dev.tollgate.common.Backoff;
import dev.tollgate.pipeline.event.EventParser;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Where and how {@link GerritStream} connects.
 *
 * @param host              Gerrit's SSH host
 * @param port              Gerrit's SSH port (29418 usually)
 * @param hostKey           the server's public host key(s), known_hosts or public-key lines; required
 * @param connectTimeout    TCP connect + SSH handshake + authentication
 * @param keepAliveInterval SSH keep-alive request (with reply) every so often; zero disables
 * @param keepAliveMaxMissed unanswered keep-alives after which the connection is declared dead
 * @param silenceTimeout    no line at all for this long makes the watchdog reconnect; zero disables
 * @param backoff           delays between reconnect attempts
 * @param resumeFrom        recover events since this moment at the first connect (e.g. the last
 *                          event time saved before a restart); null: start with live events only
 * @param recoverySlack     recovery starts this much before the last event seen (message times
 *                          can precede the stream's event times)
 * @param maxRecoveryAttempts failed recoveries of one gap before it is given up with a warning
 */
public record GerritSshConfig(String host, int port, String hostKey, Duration connectTimeout,
                              Duration keepAliveInterval, int keepAliveMaxMissed, Duration silenceTimeout,
                              Backoff backoff, Instant resumeFrom, Duration recoverySlack,
                              int maxRecoveryAttempts) {
    /**
     * The largest event this module takes, in bytes of its stream-events line: the engine's
     * {@link EventParser#MAX_EVENT_BYTES}, one limit for both. Longer lines are skipped without being
     * kept in memory (their events come back through recovery), and the JSON reader's string limit
     * is the same, so every event the engine's parser accepts is also read here, and deduplicated.
     */
    public static final int MAX_EVENT_BYTES = EventParser.MAX_EVENT_BYTES;

    /** 1 s, doubling, up to 2 min, 30 % jitter. */
    public static final Backoff DEFAULT_BACKOFF = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(2), 2.0, 0.3);

    public GerritSshConfig {
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("bad SSH port " + port);
        }
        HostKeyCheck.parse(hostKey); // fail early on a missing or unreadable key
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(keepAliveInterval, "keepAliveInterval");
        Objects.requireNonNull(silenceTimeout, "silenceTimeout");
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(recoverySlack, "recoverySlack");
    }

    /** Defaults: 30 s connect, keep-alive every 15 s (dead after 3 missed), 30 min silence watchdog. */
    public static GerritSshConfig of(String host, int port, String hostKey) {
        return new GerritSshConfig(host, port, hostKey, Duration.ofSeconds(30), Duration.ofSeconds(15), 3,
                Duration.ofMinutes(30), DEFAULT_BACKOFF, null, Duration.ofSeconds(5), 5);
    }

    public GerritSshConfig withKeepAlive(Duration interval, int maxMissed) {
        return new GerritSshConfig(host, port, hostKey, connectTimeout, interval, maxMissed, silenceTimeout,
                backoff, resumeFrom, recoverySlack, maxRecoveryAttempts);
    }

    public GerritSshConfig withSilenceTimeout(Duration d) {
        return new GerritSshConfig(host, port, hostKey, connectTimeout, keepAliveInterval, keepAliveMaxMissed, d,
                backoff, resumeFrom, recoverySlack, maxRecoveryAttempts);
    }

    public GerritSshConfig withBackoff(Backoff b) {
        return new GerritSshConfig(host, port, hostKey, connectTimeout, keepAliveInterval, keepAliveMaxMissed,
                silenceTimeout, b, resumeFrom, recoverySlack, maxRecoveryAttempts);
    }

    public GerritSshConfig withResumeFrom(Instant from) {
        return new GerritSshConfig(host, port, hostKey, connectTimeout, keepAliveInterval, keepAliveMaxMissed,
                silenceTimeout, backoff, from, recoverySlack, maxRecoveryAttempts);
    }

    public GerritSshConfig withConnectTimeout(Duration d) {
        return new GerritSshConfig(host, port, hostKey, d, keepAliveInterval, keepAliveMaxMissed,
                silenceTimeout, backoff, resumeFrom, recoverySlack, maxRecoveryAttempts);
    }
}
