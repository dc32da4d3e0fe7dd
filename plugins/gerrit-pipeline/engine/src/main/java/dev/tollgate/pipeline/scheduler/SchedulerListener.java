package dev.tollgate.pipeline.scheduler;

import dev.tollgate.pipeline.port.Review;

/**
 * What the scheduler decided, in order (for {@code tollgate simulate}, logs and a status page).
 * Called outside the scheduler's lock, on the thread that caused the decision.
 */
public interface SchedulerListener {
    default void enqueued(ItemView item) {}

    /** @param reason {@code new-patchset} or {@code abandoned} */
    default void dequeued(ItemView item, String reason) {}

    /**
     * A build of {@code job} ended without a result (e.g. its agent was lost) and is launched again;
     * {@code attempt} counts from 1, so the first relaunch is attempt 2.
     */
    default void relaunched(ItemView item, String job, int attempt, String reason) {}

    /** A review is about to be posted for a reporter action (start, success, failure). */
    default void reporting(ItemView item, String action, Review review) {}

    /** All jobs of the item are done; {@code action} is success or failure. */
    default void completed(ItemView item, String action) {}

    SchedulerListener NONE = new SchedulerListener() { };
}
