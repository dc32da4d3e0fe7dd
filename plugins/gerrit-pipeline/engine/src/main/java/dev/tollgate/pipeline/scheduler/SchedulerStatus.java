package dev.tollgate.pipeline.scheduler;

import dev.tollgate.common.BuildResult;
import dev.tollgate.pipeline.event.Account;
import dev.tollgate.pipeline.event.ChangeRef;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What the scheduler holds at one moment, for a status page and metrics: every pipeline with its
 * queued or running items, and each item's current build per job. Taken by {@link Scheduler#status()}
 * under the engine's lock, so it is one consistent moment; immutable afterwards, and never changed
 * by the scheduler going on.
 *
 * @param lastReconfigured when the layout was last adopted (the scheduler's creation or its last
 *                         {@link Scheduler#reconfigure})
 * @param pipelines        the layout's pipelines in layout order, then pipelines a reload dropped
 *                         that still have items
 */
public record SchedulerStatus(Instant lastReconfigured, List<PipelineStatus> pipelines) {
    public SchedulerStatus {
        Objects.requireNonNull(lastReconfigured, "lastReconfigured");
        pipelines = List.copyOf(pipelines);
    }

    /**
     * One pipeline.
     *
     * @param description null when the layout gives none
     * @param manager     the layout's {@code manager:}, e.g. {@code IndependentPipelineManager}
     * @param items       oldest first
     */
    public record PipelineStatus(String name, String description, String manager, List<ItemStatus> items) {
        public PipelineStatus {
            Objects.requireNonNull(name, "name");
            items = List.copyOf(items);
        }
    }

    /**
     * One queue item.
     *
     * @param uuid      the item's id (the prefix of its reviews' keys)
     * @param changeRef the patchset or ref update it is about
     * @param ref       the git ref its builds test, as their {@code ZUUL_REF}: the patchset's ref, or
     *                  the updated ref
     * @param url       the change's web page, when the event gave one (never for a ref update)
     * @param owner     the change's owner, when the event gave one (never for a ref update)
     * @param enqueued  when the item entered the queue
     * @param jobs      the item's jobs in the project's order, each with its current build
     */
    public record ItemStatus(String uuid, ChangeRef changeRef, String ref, String url, Account owner,
                             Instant enqueued, List<JobStatus> jobs) {
        public ItemStatus {
            Objects.requireNonNull(uuid, "uuid");
            Objects.requireNonNull(changeRef, "changeRef");
            Objects.requireNonNull(enqueued, "enqueued");
            jobs = List.copyOf(jobs);
        }

        public String project() {
            return changeRef.project();
        }
    }

    /**
     * A job of an item and its current build: after a build that ended without a result, the build
     * launched in its place (the next attempt).
     *
     * @param buildId  the build's id ({@code ZUUL_UUID})
     * @param attempt  1 for the first launch of the job for its item, then 2, ...
     * @param launched when the launch was decided
     * @param started  when the build said it started ({@code onJobStarted}); null before, and for a
     *                 build that never said so
     * @param ended    when the result came; null while running (and for RETRY_LIMIT, which nothing ran)
     * @param url      the build's URL, once known (from {@code onJobStarted} or the completion)
     * @param result   null while the build runs (or waits to be launched)
     * @param canceled the build was cancelled by a dequeue
     */
    public record JobStatus(String name, String buildId, boolean voting, int attempt, Instant launched,
                            Instant started, Instant ended, String url, BuildResult result, boolean canceled) {
        public JobStatus {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(buildId, "buildId");
            Objects.requireNonNull(launched, "launched");
        }

        /** Launched (or about to be) and without a result yet, and not cancelled. */
        public boolean running() {
            return result == null && !canceled;
        }
    }
}
