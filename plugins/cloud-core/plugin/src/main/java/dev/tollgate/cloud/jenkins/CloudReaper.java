package dev.tollgate.cloud.jenkins;

import dev.tollgate.cloud.ReaperReport;
import hudson.Extension;
import hudson.model.AsyncPeriodicWork;
import hudson.model.TaskListener;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs each cloud's reaper cycle ({@code CloudEngine.reap()}, one listing call) every
 * {@code reaperInterval}, and keeps its report for the cloud page and the log (Jenkins keeps this
 * task's output under {@code logs/tasks}). It looks every 30 s and reaps a little before the
 * interval is over, so the engine's own {@code tick()}, whose reaper clock {@code reap()} resets,
 * does not run a cycle of its own that nobody reports; if it ever does, the only cost is that its
 * report is not shown. On its own thread (asynchronous periodic work).
 */
@Extension
public final class CloudReaper extends AsyncPeriodicWork {
    private static final Logger LOG = Logger.getLogger(CloudReaper.class.getName());
    private static final Duration PERIOD = Duration.ofSeconds(30);

    public CloudReaper() {
        super("Tollgate cloud reaper");
    }

    @Override
    public long getRecurrencePeriod() {
        return TimeUnit.SECONDS.toMillis(PERIOD.toSeconds());
    }

    @Override
    protected void execute(TaskListener listener) {
        for (CloudRuntime.Running r : CloudRuntime.get().allRunning()) {
            Instant now = Instant.now();
            Instant due = r.lastReap.plus(r.settings.reaperInterval()).minus(PERIOD);
            if (now.isBefore(due)) {
                continue;
            }
            r.lastReap = now;
            String cloud = r.settings.cloudName();
            try {
                ReaperReport report = r.engine.reap();
                r.lastReport = report;
                r.lastReportAt = now;
                String line = "cloud " + cloud + ": " + describe(report);
                listener.getLogger().println(line);
                boolean notable = report.listingFailed() || report.strays() > 0 || report.ghostAgents() > 0;
                LOG.log(notable ? Level.INFO : Level.FINE, line);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cloud " + cloud + ": reaper cycle failed", e);
            }
        }
    }

    /** One line an administrator can read. */
    static String describe(ReaperReport r) {
        if (r.listingFailed()) {
            return "reaper: the listing failed (nothing ended for lack of it); " + r.ghostAgents() + " ghost agent(s) removed";
        }
        return "reaper: " + r.listed() + " instance(s) listed, " + r.strays() + " stray instance(s) being ended, "
                + r.ghostAgents() + " ghost agent(s) removed, " + r.apiCalls() + " API call(s)";
    }
}
