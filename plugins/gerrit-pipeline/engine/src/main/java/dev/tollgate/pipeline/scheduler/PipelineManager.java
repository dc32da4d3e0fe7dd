package dev.tollgate.pipeline.scheduler;

import dev.tollgate.common.BuildResult;
import dev.tollgate.pipeline.event.ChangeRef;
import dev.tollgate.pipeline.event.GerritEvent;
import dev.tollgate.pipeline.layout.PipelineConfig;
import dev.tollgate.pipeline.port.Merger;
import java.time.Instant;
import java.util.List;

/**
 * The queue of one pipeline and its rules (Zuul v2's PipelineManager): which events it takes, what
 * a new patchset or an abandoned change removes, when an item is done and what is then reported. The
 * {@link Scheduler} routes events and build ends to it; the pipeline's {@code manager:} names the
 * implementation ({@link #forName}). A pipeline keeps its manager, and so its queue, across reloads.
 *
 * <p>Concurrency rule (the engine's): a manager decides, the Scheduler acts. {@link #accepts} is pure
 * and runs before the lock is taken. Every other method runs under the Scheduler's lock and never
 * calls a port or a listener: it records what is to be done in the {@link Scheduler.Decisions} it is
 * given, which the Scheduler carries out, in order, after releasing the lock.
 */
interface PipelineManager {
    /** Would the pipeline, as configured now, take this event (its triggers, require and reject)? */
    boolean accepts(Pipeline pipeline, GerritEvent event, Instant now);

    /** A new patchset was uploaded: older patchsets of its change leave the queue where the rules say. */
    void removeOldVersions(ChangeRef.Patchset newer, Scheduler.Decisions d);

    /** A change was abandoned: none of its patchsets stays in the queue. */
    void removeAbandoned(String project, int change, Scheduler.Decisions d);

    /** Enqueues what the event is about with these jobs, as the rules say (never twice, ...). */
    void enqueue(Pipeline pipeline, GerritEvent event, List<String> jobNames, JobResolver jobs,
                 Scheduler.Decisions d);

    /** A build of this queue ended with a result; it is no longer registered. */
    void buildCompleted(Build build, BuildResult result, String url, Scheduler.Decisions d);

    /**
     * The merger answered for an item of this queue that is still queued and waiting for it: merged,
     * its builds launch; not merged, it is reported with the merge-failure reporter and leaves.
     */
    void mergeCompleted(QueueItem item, Merger.MergeResult result, Scheduler.Decisions d);

    /** A build of this queue ended without a result; it is no longer registered. */
    void buildEndedWithoutResult(Build build, String why, Scheduler.Decisions d);

    /** The items queued or running, oldest first. */
    List<ItemView> items();

    /** The same items themselves, oldest first, for {@link Scheduler#status()} and a snapshot of the queues. */
    List<QueueItem> queued();

    /**
     * Puts back an item restored from a snapshot, as it was, behind those already queued; decides
     * nothing. False (and nothing changes) when an item about the same thing is already queued.
     */
    boolean adopt(QueueItem item);

    /** A new, empty queue for a pipeline's {@code manager:} (the layout validator allows only known names). */
    static PipelineManager forName(String manager) {
        if (PipelineConfig.INDEPENDENT.equals(manager)) {
            return new IndependentPipelineManager();
        }
        throw new IllegalArgumentException("no pipeline manager `" + manager + "`");
    }
}
