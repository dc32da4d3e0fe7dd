package dev.tollgate.gearman.jenkins;

import hudson.Extension;
import hudson.model.Computer;
import hudson.model.Node;
import hudson.model.TaskListener;
import hudson.slaves.ComputerListener;
import hudson.slaves.OfflineCause;

/**
 * A node's availability as Jenkins changes it. Going offline (disconnected, or marked temporarily
 * offline, e.g. by node recycling) reaches the engine at once, from the thread that changed it:
 * Jenkins changes the state before it tells its listeners, so from here on the node grabs no job.
 * Coming back, and configuration changes (nodes added, removed, relabelled, executors), are picked
 * up by a sync, which reads the state afresh.
 */
@Extension
public final class ComputerEvents extends ComputerListener {
    @Override
    public void onOffline(Computer c, OfflineCause cause) {
        offline(c);
    }

    @Override
    public void onTemporarilyOffline(Computer c, OfflineCause cause) {
        offline(c);
    }

    @Override
    public void onOnline(Computer c, TaskListener listener) {
        GearmanRuntime.get().requestSync();
    }

    @Override
    public void onTemporarilyOnline(Computer c) {
        GearmanRuntime.get().requestSync();
    }

    @Override
    public void onConfigurationChange() {
        GearmanRuntime.get().requestSync();
    }

    private static void offline(Computer c) {
        Node node = c.getNode();
        if (node != null) {
            GearmanRuntime.get().nodeWentOffline(node);
        }
        GearmanRuntime.get().requestSync(); // a removed node leaves no Node behind: the sync removes it
    }
}
