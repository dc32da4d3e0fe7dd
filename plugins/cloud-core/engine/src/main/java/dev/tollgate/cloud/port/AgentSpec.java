package dev.tollgate.cloud.port;

import java.util.Objects;
import java.util.Set;

/**
 * An agent the engine asks the registry to add.
 *
 * @param agentName  unique name the instance connects as
 * @param template   template name
 * @param labels     labels the agent offers
 * @param executors  executors on the agent
 * @param instanceId cloud instance id (or spot request id) behind the agent
 */
public record AgentSpec(String agentName, String template, Set<String> labels, int executors, String instanceId) {
    public AgentSpec {
        Objects.requireNonNull(agentName, "agentName");
        Objects.requireNonNull(template, "template");
        labels = Set.copyOf(labels);
    }
}
