package dev.tollgate.pipeline.jenkins;

import dev.tollgate.pipeline.gerrit.PipelineServer;
import dev.tollgate.pipeline.jenkins.config.GerritPipelineConfiguration;
import dev.tollgate.pipeline.jenkins.config.MergerSpec;
import dev.tollgate.pipeline.merger.GitMerger;
import hudson.Extension;
import hudson.model.AsyncPeriodicWork;
import hudson.model.TaskListener;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Prunes every running merger: merges older than the configured age, unreachable objects, and the
 * least recently used repositories above the size bound. Looks every minute and prunes when the
 * configured interval ({@code pruneMinutes}) has passed, so a change of the interval needs no
 * restart. Each run's counts go to its task log ({@code logs/tasks/Tollgate merger prune.log} in the
 * Jenkins home). One run at a time (AsyncPeriodicWork skips a tick while the last run is busy).
 */
@Extension
public final class MergerPrune extends AsyncPeriodicWork {
    private volatile Instant last = Instant.EPOCH;

    public MergerPrune() {
        super("Tollgate merger prune");
    }

    @Override
    public long getRecurrencePeriod() {
        return TimeUnit.MINUTES.toMillis(1);
    }

    @Override
    protected void execute(TaskListener listener) {
        MergerSpec spec = GerritPipelineConfiguration.get().getMerger();
        if (spec == null || !spec.isEnabled()) {
            return;
        }
        Instant now = Instant.now();
        if (Duration.between(last, now).toMinutes() < Math.max(1, spec.getPruneMinutes())) {
            return;
        }
        last = now;
        for (PipelineServer s : PipelineRuntime.get().servers()) {
            GitMerger m = s.merger();
            if (m == null) {
                continue;
            }
            try {
                GitMerger.PruneResult r = m.prune();
                listener.getLogger().printf("%s: removed %d merge ref(s) and %d repositories; cache %d bytes%n",
                        s.name(), r.zuulRefs(), r.repositories(), r.cacheBytes());
            } catch (RuntimeException e) {
                listener.error("%s: prune failed: %s", s.name(), e);
            }
        }
    }
}
