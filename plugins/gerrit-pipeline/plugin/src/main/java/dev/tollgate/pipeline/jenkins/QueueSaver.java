package dev.tollgate.pipeline.jenkins;

import hudson.Extension;
import hudson.model.PeriodicWork;
import java.util.concurrent.TimeUnit;

/** Saves the pipeline queues that changed, every few seconds, so a crash loses at most that much. */
@Extension
public final class QueueSaver extends PeriodicWork {
    @Override
    public long getRecurrencePeriod() {
        return TimeUnit.SECONDS.toMillis(5);
    }

    @Override
    protected void doRun() {
        PipelineRuntime.get().saveChanged();
    }
}
