package dev.tollgate.recycle.jenkins;

import hudson.Extension;
import hudson.model.PeriodicWork;

/**
 * Moves running recycles on every 10 s: starts reboot commands, polls connections (in case an event
 * was missed), applies timeouts. Quick: remote calls go to their own threads.
 */
@Extension
public final class RecycleTicker extends PeriodicWork {
    @Override
    public long getRecurrencePeriod() {
        return 10_000;
    }

    @Override
    protected void doRun() {
        RecycleRuntime.get().tick();
    }
}
