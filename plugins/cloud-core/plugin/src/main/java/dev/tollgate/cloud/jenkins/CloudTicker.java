package dev.tollgate.cloud.jenkins;

import hudson.Extension;
import hudson.model.PeriodicWork;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Drives every cloud engine's clock: {@code tick()} every 10 s ends idle and used-up agents, fails
 * the ones that never connected, retries terminates and sweeps describes. On Jenkins' timer thread;
 * the engine never blocks on a lock, and its cloud calls are bounded by the driver's timeouts. Also
 * notices configuration changes (a refresh is cheap when nothing changed).
 */
@Extension
public final class CloudTicker extends PeriodicWork {
    private static final Logger LOG = Logger.getLogger(CloudTicker.class.getName());

    @Override
    public long getRecurrencePeriod() {
        return TimeUnit.SECONDS.toMillis(10);
    }

    @Override
    protected void doRun() {
        CloudRuntime runtime = CloudRuntime.get();
        runtime.requestRefresh();
        for (CloudRuntime.Running r : runtime.allRunning()) {
            try {
                r.engine.tick();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cloud " + r.settings.cloudName() + ": tick failed", e);
            }
        }
        runtime.completeEndings();
    }
}
