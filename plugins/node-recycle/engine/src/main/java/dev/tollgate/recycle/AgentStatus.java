package dev.tollgate.recycle;

import java.time.Instant;

/**
 * One line of the recycler's status page.
 *
 * @param agent the node name
 * @param state where its recycle stands
 * @param since when it entered that state
 * @param cause the offline cause currently shown on the agent (or the last one, once online again)
 * @param build the build that started this recycle, e.g. {@code check-tempest #42 (FAILURE)}
 */
public record AgentStatus(String agent, RecycleState state, Instant since, String cause, String build) {
}
