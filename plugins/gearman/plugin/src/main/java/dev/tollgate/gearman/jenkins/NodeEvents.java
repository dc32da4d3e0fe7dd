package dev.tollgate.gearman.jenkins;

import hudson.Extension;
import hudson.model.Node;
import jenkins.model.NodeListener;

/** Nodes added, changed (labels, executors, mode) or removed: a sync brings the engine in step. */
@Extension
public final class NodeEvents extends NodeListener {
    @Override
    protected void onCreated(Node node) {
        GearmanRuntime.get().requestSync();
    }

    @Override
    protected void onUpdated(Node oldOne, Node newOne) {
        GearmanRuntime.get().requestSync();
    }

    @Override
    protected void onDeleted(Node node) {
        GearmanRuntime.get().nodeWentOffline(node);
        GearmanRuntime.get().requestSync();
    }
}
