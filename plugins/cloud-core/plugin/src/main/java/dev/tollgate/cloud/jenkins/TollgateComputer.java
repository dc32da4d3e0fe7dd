package dev.tollgate.cloud.jenkins;

import hudson.slaves.AbstractCloudComputer;

/**
 * The computer of a {@link TollgateAgent}. Its connection events reach the engine through
 * {@link AgentConnections}, its builds through {@link TollgateRetention}.
 */
public final class TollgateComputer extends AbstractCloudComputer<TollgateAgent> {
    public TollgateComputer(TollgateAgent agent) {
        super(agent);
    }
}
