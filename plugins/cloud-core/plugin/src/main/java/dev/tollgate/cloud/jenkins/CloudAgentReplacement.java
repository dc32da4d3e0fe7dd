package dev.tollgate.cloud.jenkins;

import dev.tollgate.recycle.jenkins.ReplaceableAgents;
import hudson.Extension;
import hudson.model.Node;
import java.util.concurrent.CompletionStage;
import jenkins.model.Jenkins;

/**
 * Node recycling's REPLACE for the clouds' agents: the engine ends the agent ({@code release}), the
 * planner starts another when the queue needs it. Loaded only when the node-recycle plugin is
 * installed (an optional extension of its extension point). Stateless; never blocks.
 */
@Extension(optional = true)
public final class CloudAgentReplacement implements ReplaceableAgents {

    @Override
    public boolean owns(String agent) {
        Node n = Jenkins.get().getNode(agent);
        return n instanceof TollgateAgent a && CloudRuntime.get().engine(a.getCloudName()).isPresent();
    }

    @Override
    public CompletionStage<Void> replace(String agent) {
        Node n = Jenkins.get().getNode(agent);
        if (!(n instanceof TollgateAgent a)) {
            return java.util.concurrent.CompletableFuture.failedFuture(
                    new IllegalStateException(agent + " is not an agent of Tollgate's clouds"));
        }
        return CloudRuntime.get().end(a.getCloudName(), agent, "replaced by node recycling");
    }
}
