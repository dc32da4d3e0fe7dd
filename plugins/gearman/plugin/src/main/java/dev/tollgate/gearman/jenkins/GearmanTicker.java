package dev.tollgate.gearman.jenkins;

import hudson.Extension;
import hudson.model.PeriodicWork;
import java.util.concurrent.TimeUnit;

/**
 * Every 10 s: the worker's keepalive (an echo to a silent server, a half-open connection dropped)
 * and the forgetting of old results; every minute a full sync, for what no listener reports (Jenkins
 * preparing for shutdown, or cancelling it).
 */
@Extension
public final class GearmanTicker extends PeriodicWork {
    @Override
    public long getRecurrencePeriod() {
        return TimeUnit.SECONDS.toMillis(10);
    }

    @Override
    protected void doRun() {
        GearmanRuntime.get().tick();
    }
}
