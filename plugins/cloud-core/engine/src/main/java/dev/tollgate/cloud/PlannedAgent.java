package dev.tollgate.cloud;

import java.util.concurrent.CompletableFuture;

/**
 * One instance the planner started (Jenkins: a PlannedNode). The future completes with the record once
 * the cloud accepted the create and the agent was added to the registry; it completes exceptionally if
 * the create failed (after any CAPACITY fallback to other templates).
 */
public record PlannedAgent(String agentName, String templateName, int executors, CompletableFuture<AgentRecord> future) {
}
