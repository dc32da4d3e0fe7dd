package dev.tollgate.pipeline.gerrit;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * Port: the Gerrit events that happened since a moment, as stream-events JSON lines, oldest
 * first. Used by {@link GerritStream} after a reconnect; duplicates of events already delivered
 * are fine (the stream drops them).
 */
public interface EventRecovery {
    List<String> eventsSince(Instant since) throws IOException, InterruptedException;
}
