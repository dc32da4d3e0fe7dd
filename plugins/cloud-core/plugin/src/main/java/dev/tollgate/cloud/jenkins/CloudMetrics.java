package dev.tollgate.cloud.jenkins;

import dev.tollgate.cloud.InMemoryMetrics;
import dev.tollgate.cloud.port.Metrics;
import java.time.Duration;
import java.util.logging.Logger;

/**
 * The engine's {@link Metrics}: counters for the cloud page ({@link #snapshot()}) and a line in the
 * Jenkins log for what an administrator looks for afterwards (failures, orphans, throttling).
 * Called partly under the engine's lock: counts, logs and returns. Thread-safe.
 */
final class CloudMetrics implements Metrics {
    private final Logger log;
    private final String cloudName;
    private final InMemoryMetrics counters = new InMemoryMetrics();

    CloudMetrics(String cloudName) {
        this.cloudName = cloudName;
        this.log = Logger.getLogger(CloudMetrics.class.getName() + "." + cloudName);
    }

    InMemoryMetrics.Snapshot snapshot() {
        return counters.snapshot();
    }

    @Override
    public void requested(String template) {
        counters.requested(template);
        log.fine(() -> "cloud " + cloudName + ": instance requested for template " + template);
    }

    @Override
    public void failed(String template, String reason) {
        counters.failed(template, reason);
        log.warning(() -> "cloud " + cloudName + ", template " + template + ": " + reason);
    }

    @Override
    public void connected(String template, Duration timeToConnect) {
        counters.connected(template, timeToConnect);
        log.fine(() -> "cloud " + cloudName + ": agent of " + template + " connected after " + timeToConnect.toSeconds() + " s");
    }

    @Override
    public void terminated(String template) {
        counters.terminated(template);
    }

    @Override
    public void orphanTerminated() {
        counters.orphanTerminated();
        log.info(() -> "cloud " + cloudName + ": ended an instance no agent accounted for");
    }

    @Override
    public void ghostAgentRemoved() {
        counters.ghostAgentRemoved();
        log.info(() -> "cloud " + cloudName + ": removed an agent whose instance is gone");
    }

    @Override
    public void throttled() {
        counters.throttled();
        log.info(() -> "cloud " + cloudName + ": the cloud throttled a call; pausing cloud calls");
    }

    @Override
    public void liveInstances(int count) {
        counters.liveInstances(count);
    }
}
