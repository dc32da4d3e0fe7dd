package dev.tollgate.gearman;

/**
 * Node recycling hook: a build that asked for OFFLINE_NODE_WHEN_COMPLETE has finished, so its node
 * must take no further builds and may be deleted or rebuilt. Called before the result is reported.
 */
@FunctionalInterface
public interface NodeRecycler {
    NodeRecycler NONE = (node, build) -> { };

    void offlineWhenComplete(String nodeName, BuildRef build);
}
