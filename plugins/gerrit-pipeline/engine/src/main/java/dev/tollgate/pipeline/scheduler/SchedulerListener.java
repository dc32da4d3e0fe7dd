package dev.tollgate.pipeline.scheduler;

import dev.tollgate.common.BuildResult;
import dev.tollgate.pipeline.event.GerritEvent;
import dev.tollgate.pipeline.port.Review;

/**
 * What the scheduler decided, in order (for {@code tollgate simulate}, logs and a status page).
 * Called outside the scheduler's lock, on the thread that caused the decision.
 */
public interface SchedulerListener {
    /**
     * The pipeline took the event: one of its triggers matched, and its require and reject allow it.
     * An item follows unless it is already queued, none of the project's jobs runs on its branch, or
     * the event names no patchset.
     */
    default void accepted(String pipeline, GerritEvent event) {}

    default void enqueued(ItemView item) {}

    /** The merger prepared the item: its builds test {@code commit}, published as {@code ref}. */
    default void merged(ItemView item, String ref, String commit) {}

    /** The item's change does not merge onto its branch: no job runs, a merge-failure report follows. */
    default void mergeFailed(ItemView item, String why) {}

    /** @param reason {@code new-patchset} or {@code abandoned} */
    default void dequeued(ItemView item, String reason) {}

    /**
     * A build of {@code job} ended without a result (e.g. its agent was lost) and is launched again;
     * {@code attempt} counts from 1, so the first relaunch is attempt 2.
     */
    default void relaunched(ItemView item, String job, int attempt, String reason) {}

    /**
     * A build of {@code job} ended with a result: the build's own, {@code LAUNCH_ERROR} when it could
     * not be launched, or {@code RETRY_LIMIT} when its last allowed attempt ended without one. Builds
     * cancelled by a dequeue and {@code noop} jobs (never launched) do not end here.
     */
    default void buildEnded(ItemView item, String job, String buildId, BuildResult result) {}

    /** A review is about to be posted for a reporter action (start, success, failure). */
    default void reporting(ItemView item, String action, Review review) {}

    /** All jobs of the item are done; {@code action} is success or failure (or merge-failure: none ran). */
    default void completed(ItemView item, String action) {}

    SchedulerListener NONE = new SchedulerListener() { };
}
