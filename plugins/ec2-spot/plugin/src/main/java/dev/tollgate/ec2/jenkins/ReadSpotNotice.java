package dev.tollgate.ec2.jenkins;

import dev.tollgate.ec2.SpotNoticeReader;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import jenkins.security.MasterToSlaveCallable;

/**
 * Runs on the agent: reads the instance's spot interruption notice from the metadata service
 * (IMDSv2, no EC2 API call, no credentials). Returns {@code {action, time}} or null when there is
 * none. The reader, with its session token, is kept per agent JVM between calls.
 */
final class ReadSpotNotice extends MasterToSlaveCallable<String[], IOException> {
    private static final long serialVersionUID = 1L;

    /** Loaded on the agent: one reader (and token) per metadata service, for every call made there. */
    private static final class OnAgent {
        static final Map<URI, SpotNoticeReader> READERS = new ConcurrentHashMap<>();
    }

    /** The metadata service: the instance's own ({@link SpotNoticeReader#INSTANCE_METADATA}); tests give a local one. */
    private final URI endpoint;

    ReadSpotNotice(URI endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public String[] call() throws IOException {
        SpotNoticeReader reader = OnAgent.READERS.computeIfAbsent(endpoint, e -> e.equals(SpotNoticeReader.INSTANCE_METADATA)
                ? SpotNoticeReader.onInstance()
                : new SpotNoticeReader(e, Duration.ofSeconds(2), Duration.ofHours(6), Clock.systemUTC()));
        Optional<SpotNoticeReader.Notice> n = reader.read();
        return n.map(x -> new String[] {x.action(), x.time().toString()}).orElse(null);
    }
}
