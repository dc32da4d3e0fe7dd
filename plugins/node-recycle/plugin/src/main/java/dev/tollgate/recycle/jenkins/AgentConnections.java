package dev.tollgate.recycle.jenkins;

import edu.umd.cs.findbugs.annotations.CheckForNull;
import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.Extension;
import hudson.model.Computer;
import hudson.model.TaskListener;
import hudson.slaves.ComputerListener;
import hudson.slaves.OfflineCause;

/**
 * Agents' connections to the recycler. {@code onOnline} comes once the channel is up
 * ({@code SlaveComputer.setChannel}), {@code onOffline} once it is closed
 * ({@code SlaveComputer.closeChannel}); marking an agent temporarily offline fires neither (it fires
 * {@code onTemporarilyOffline}, which the recycler does not need). {@code onIdle} comes when the last
 * busy executor of an agent is released: the moment a waiting reboot can go, so it ticks at once
 * instead of at the next period. Each runs on a Jenkins thread; the recycler never blocks it.
 */
@Extension
public final class AgentConnections extends ComputerListener {
    @Override
    public void onOnline(Computer c, TaskListener listener) {
        if (!c.getName().isEmpty()) { // the controller's own computer has the empty name
            RecycleRuntime.get().agentConnected(c.getName());
        }
    }

    @Override
    public void onOffline(@NonNull Computer c, @CheckForNull OfflineCause cause) {
        if (!c.getName().isEmpty()) {
            RecycleRuntime.get().agentDisconnected(c.getName());
        }
    }

    @Override
    public void onIdle(Computer c) {
        RecycleRuntime.get().tick();
    }
}
