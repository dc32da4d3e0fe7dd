package dev.tollgate.recycle.port;

import java.util.concurrent.CompletionStage;

/**
 * Port: the suite's clouds (EC2 spot, OpenStack, libvirt, LXD), as far as recycling needs them.
 * Called outside the recycler's lock; the stage may complete on any thread, the calling one included.
 */
public interface CloudAgents {

    /** Whether this agent was started by one of the suite's clouds (and so can be replaced). */
    boolean isCloudAgent(String agent);

    /**
     * Ends the instance behind the agent and removes the agent; the cloud starts a fresh one when
     * work needs it. Returns at once; the stage completes when the instance is ended, or
     * exceptionally with the reason it could not be.
     */
    CompletionStage<Void> replace(String agent);
}
