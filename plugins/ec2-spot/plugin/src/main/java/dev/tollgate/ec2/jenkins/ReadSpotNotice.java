package dev.tollgate.ec2.jenkins;

import dev.tollgate.ec2.SpotNoticeReader;
import java.io.IOException;
import java.util.Optional;
import jenkins.security.MasterToSlaveCallable;

/**
 * Runs on the agent: reads the instance's spot interruption notice from the metadata service
 * (IMDSv2, no EC2 API call, no credentials). Returns {@code {action, time}} or null when there is
 * none. The reader, with its session token, is kept per agent JVM between calls.
 */
final class ReadSpotNotice extends MasterToSlaveCallable<String[], IOException> {
    private static final long serialVersionUID = 1L;

    /** Loaded on the agent: one reader (and token) for every call the controller makes there. */
    private static final class OnAgent {
        static final SpotNoticeReader READER = SpotNoticeReader.onInstance();
    }

    @Override
    public String[] call() throws IOException {
        Optional<SpotNoticeReader.Notice> n = OnAgent.READER.read();
        return n.map(x -> new String[] {x.action(), x.time().toString()}).orElse(null);
    }
}
