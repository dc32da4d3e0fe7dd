package dev.tollgate.pipeline.scheduler;

import dev.tollgate.pipeline.event.ChangeRef;
import dev.tollgate.pipeline.event.GerritEvent;
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
    final List<Build> builds = new ArrayList<>();

    QueueItem(String uuid, Pipeline pipeline, ChangeRef changeRef, GerritEvent event, PipelineManager manager) {
        this.uuid = uuid;
        this.pipeline = pipeline;
        this.changeRef = changeRef;
        this.event = event;
        this.manager = manager;
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
