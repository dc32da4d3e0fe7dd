package dev.tollgate.logs;

import dev.tollgate.common.Backoff;
import java.time.Duration;

/**
 * Tuning of the publisher.
 *
 * @param channels        concurrent SFTP channels over the one SSH session (default 4; OpenSSH allows 10)
 * @param protocol        SFTP, SCP, or AUTO (SFTP, SCP when the server has no SFTP subsystem)
 * @param maxAttempts     connection attempts per publish (the first included)
 * @param initialBackoff  wait before the second attempt; doubles each time up to maxBackoff
 * @param writeBufferSize bytes per SFTP write request; several are in flight per file
 * @param gzipLevel       deflate level for gzipped logs (1 fast ... 9 small); default 1, see docs/scp-logs.md
 */
public record PublisherSettings(int channels, Protocol protocol, int maxAttempts, Duration initialBackoff,
        Duration maxBackoff, Duration connectTimeout, Duration authTimeout, Duration idleTimeout, int writeBufferSize,
        int gzipLevel) {

    public PublisherSettings {
        if (channels < 1 || channels > 64) {
            throw new IllegalArgumentException("channels " + channels + " is outside 1-64");
        }
        if (protocol == null) {
            throw new IllegalArgumentException("protocol is missing");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("max attempts " + maxAttempts + " must be at least 1");
        }
        if (writeBufferSize < 4096 || writeBufferSize > 255 * 1024) {
            // OpenSSH's sftp-server refuses messages over 256 KiB
            throw new IllegalArgumentException("write buffer " + writeBufferSize + " is outside 4 KiB - 255 KiB");
        }
        if (gzipLevel < 1 || gzipLevel > 9) {
            throw new IllegalArgumentException("gzip level " + gzipLevel + " is outside 1-9");
        }
        for (Duration d : new Duration[] {initialBackoff, maxBackoff, connectTimeout, authTimeout, idleTimeout}) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException("durations must be given and not negative");
            }
        }
        new Backoff(initialBackoff, maxBackoff, 2.0, 0.0); // says what is wrong with the pair, now rather than at the first retry
    }

    public static PublisherSettings defaults() {
        return new PublisherSettings(4, Protocol.AUTO, 5, Duration.ofSeconds(1), Duration.ofSeconds(30),
                Duration.ofSeconds(15), Duration.ofSeconds(15), Duration.ofMinutes(2), 64 * 1024, 1);
    }

    public PublisherSettings withChannels(int n) {
        return new PublisherSettings(n, protocol, maxAttempts, initialBackoff, maxBackoff, connectTimeout,
                authTimeout, idleTimeout, writeBufferSize, gzipLevel);
    }

    public PublisherSettings withProtocol(Protocol p) {
        return new PublisherSettings(channels, p, maxAttempts, initialBackoff, maxBackoff, connectTimeout,
                authTimeout, idleTimeout, writeBufferSize, gzipLevel);
    }

    public PublisherSettings withMaxAttempts(int n) {
        return new PublisherSettings(channels, protocol, n, initialBackoff, maxBackoff, connectTimeout,
                authTimeout, idleTimeout, writeBufferSize, gzipLevel);
    }

    public PublisherSettings withGzipLevel(int level) {
        return new PublisherSettings(channels, protocol, maxAttempts, initialBackoff, maxBackoff, connectTimeout,
                authTimeout, idleTimeout, writeBufferSize, level);
    }

    /** The wait before attempt number {@code attempt} (2, 3, ...). */
    Duration backoffBefore(int attempt) {
        // no jitter: one publisher retrying one upload has no crowd to spread
        return new Backoff(initialBackoff, maxBackoff, 2.0, 0.0).delay(attempt - 2, 0.0);
    }
}
