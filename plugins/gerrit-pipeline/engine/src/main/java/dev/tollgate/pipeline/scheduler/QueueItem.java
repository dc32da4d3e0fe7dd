package dev.tollgate.pipeline.scheduler;

import dev.tollgate.pipeline.event.Change;
import dev.tollgate.pipeline.event.ChangeRef;
import dev.tollgate.pipeline.event.GerritEvent;
import java.time.Instant;
import java.util.ArrayList;
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
        String ref = changeRef instanceof ChangeRef.Ref r ? r.ref() : JobParameters.refspec(c, event.patchSet());
        List<SchedulerStatus.JobStatus> jobs = new ArrayList<>(builds.size());
        for (Build b : builds) {
            jobs.add(b.status());
        }
        return new SchedulerStatus.ItemStatus(uuid, changeRef, ref, c == null ? null : c.url(),
                c == null ? null : c.owner(), enqueued, jobs);
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
}
