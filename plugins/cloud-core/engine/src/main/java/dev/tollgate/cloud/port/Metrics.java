package dev.tollgate.cloud.port;

import java.time.Duration;

/**
 * Port: counters the engine reports to. {@link dev.tollgate.cloud.InMemoryMetrics} is a ready one.
 * Counted as the changes are made, some under the engine's lock: an implementation counts and returns;
 * it must not call the engine or wait for a lock another engine caller may hold.
 */
public interface Metrics {
    /** A create request was sent for the template. */
    void requested(String template);

    /** Something failed: a create, an instance that never connected, a lost instance. */
    void failed(String template, String reason);

    /** An agent connected, this long after its instance was requested. */
    void connected(String template, Duration timeToConnect);

    /** An instance was ended (terminate call succeeded, or the cloud reported it gone). */
    void terminated(String template);

    /** The reaper ended an instance no live agent accounted for. */
    void orphanTerminated();

    /** The reaper removed an agent whose instance is gone. */
    void ghostAgentRemoved();

    /** The cloud throttled a call. */
    void throttled();

    /** Instances the engine currently accounts for (requested up to terminating). */
    void liveInstances(int count);

    /** Does nothing: for callers that do not care. */
    Metrics NONE = new Metrics() {
        public void requested(String t) { }
        public void failed(String t, String r) { }
        public void connected(String t, Duration d) { }
        public void terminated(String t) { }
        public void orphanTerminated() { }
        public void ghostAgentRemoved() { }
        public void throttled() { }
        public void liveInstances(int c) { }
    };
}
