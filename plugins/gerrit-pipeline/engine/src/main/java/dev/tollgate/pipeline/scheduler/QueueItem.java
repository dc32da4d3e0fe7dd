package dev.tollgate.pipeline.scheduler;

import dev.tollgate.pipeline.event.Change;
import dev.tollgate.pipeline.event.ChangeRef;
import dev.tollgate.pipeline.event.GerritEvent;
import dev.tollgate.pipeline.port.Merger;
import dev.tollgate.pipeline.reporter.JobOutcome;
import dev.tollgate.pipeline.reporter.Report;
import dev.tollgate.pipeline.reporter.ReportAction;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * A change (or ref) in one pipeline's queue, with one current build per job. Guarded by the
 * Scheduler's lock.
 */
final class QueueItem {
    final String uuid;
    /** The pipeline as configured when the item was enqueued. */
    final Pipeline pipeline;
    final ChangeRef changeRef;
    /** The event that enqueued it: job parameters and the reviewed revision come from it. */
    final GerritEvent event;
    final PipelineManager manager;
    /** When it entered the queue (a status page shows how long it has waited). */
    final Instant enqueued;
    final List<Build> builds = new ArrayList<>();
    /** Reports decided and not yet made: at a restart they may or may not be on the change. */
    final EnumSet<ReportAction> reporting = EnumSet.noneOf(ReportAction.class);
    /** Reports made (or given up on by the reporter): never made again, not even after a restart. */
    final EnumSet<ReportAction> reported = EnumSet.noneOf(ReportAction.class);
    /** Rebuilt from a snapshot: its reports are made only where the change does not have them yet. */
    boolean restored;
    /** Where the merger is with this item: NONE without a merger; its builds launch once MERGED. */
    Merge merge = Merge.NONE;
    /** The merger's result (ZUUL_REF, ZUUL_COMMIT) once MERGED; null before and without a merger. */
    Merger.MergeResult.Merged merged;

    enum Merge { NONE, PENDING, MERGED }

    QueueItem(String uuid, Pipeline pipeline, ChangeRef changeRef, GerritEvent event, PipelineManager manager,
              Instant enqueued) {
        this.uuid = uuid;
        this.pipeline = pipeline;
        this.changeRef = changeRef;
        this.event = event;
        this.manager = manager;
        this.enqueued = enqueued;
    }

    List<String> jobs() {
        List<String> jobs = new ArrayList<>(builds.size());
        for (Build b : builds) {
            jobs.add(b.job.name());
        }
        return jobs;
    }

    ItemView view() {
        return new ItemView(uuid, pipeline.name(), changeRef, jobs());
    }

    /** As a status page shows it. Under the lock. */
    SchedulerStatus.ItemStatus status() {
        Change c = event.change();
        String ref = changeRef instanceof ChangeRef.Ref r ? r.ref()
                : merged != null ? merged.ref() : JobParameters.refspec(c, event.patchSet());
        List<SchedulerStatus.JobStatus> jobs = new ArrayList<>(builds.size());
        for (Build b : builds) {
            jobs.add(b.status());
        }
        return new SchedulerStatus.ItemStatus(uuid, changeRef, ref, c == null ? null : c.url(),
                c == null ? null : c.owner(), enqueued, jobs);
    }

    /**
     * The ref Zuul v2 published the item's merge under, {@code refs/zuul/<branch>/Z<uuid>} (its
     * build set's ref is {@code Z} and a uuid); for a ref update the ref itself.
     */
    String zuulRef() {
        return changeRef instanceof ChangeRef.Ref r ? r.ref() : "refs/zuul/" + event.change().branch() + "/Z" + uuid;
    }

    /** Every job has a result. */
    boolean done() {
        for (Build b : builds) {
            if (b.state != Build.State.ENDED) {
                return false;
            }
        }
        return true;
    }

    /** The report of an action as it stands now (for success and failure: every job's outcome). */
    Report report(ReportAction action) {
        List<JobOutcome> outcomes = new ArrayList<>();
        if (action == ReportAction.SUCCESS || action == ReportAction.FAILURE) { // a merge failure ran no job
            for (Build b : builds) {
                Instant from = b.started != null ? b.started : b.launched;
                outcomes.add(new JobOutcome(b.job.name(), b.job.voting(), b.job.successMessage(),
                        b.job.failureMessage(), b.result, b.url,
                        b.ended == null ? null : Duration.between(from, b.ended))); // RETRY_LIMIT: no time
            }
        }
        String revision = event.patchSet() == null ? null : event.patchSet().revision();
        return new Report(action, uuid, pipeline.config(), changeRef, revision, jobs(), outcomes);
    }
}
