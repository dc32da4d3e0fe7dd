package dev.tollgate.recycle.jenkins;

import dev.tollgate.recycle.AgentStatus;
import hudson.Extension;
import hudson.model.Node;
import hudson.model.Queue;
import hudson.model.queue.CauseOfBlockage;
import hudson.model.queue.QueueTaskDispatcher;
import java.util.Optional;

/**
 * The safety net: no build starts on an agent whose recycle is still running, even if it was
 * brought back online meanwhile (by a person on the node page, by another plugin) or has an idle
 * second executor. Offline is the first guard; this one holds until the recycle has ended (back
 * online, replaced, or failed and left offline). Called by the queue under its lock, often: asks
 * the recycler's status only, which takes the recycler's lock for a moment and never waits for a
 * port call.
 */
@Extension
public final class RecyclingBlocksDispatch extends QueueTaskDispatcher {
    @Override
    public CauseOfBlockage canTake(Node node, Queue.BuildableItem item) {
        Optional<AgentStatus> status = RecycleRuntime.get().status(node.getNodeName());
        if (status.isPresent() && !status.get().state().isTerminal()) {
            return new BeingRecycled(node.getDisplayName(), status.get());
        }
        return null;
    }

    /** Why the queue does not give the agent a build. */
    public static final class BeingRecycled extends CauseOfBlockage {
        private final String agent;
        private final String build;

        BeingRecycled(String agent, AgentStatus status) {
            this.agent = agent;
            this.build = status.build();
        }

        @Override
        public String getShortDescription() {
            return agent + " is being recycled after " + build;
        }
    }
}
