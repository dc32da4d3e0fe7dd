package dev.tollgate.pipeline.scheduler.state;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Everything the scheduler needs to rebuild its queues after a restart: every queued item with its
 * builds, and every finished item whose final report had not been confirmed posted. Taken by
 * {@code Scheduler.snapshot()} under the scheduler's lock, so it is consistent; given back to
 * {@code Scheduler.restore} on a new scheduler. {@link SchedulerStateCodec} writes and reads it as
 * JSON. Immutable.
 *
 * @param revision the scheduler's {@code revision()} when it was taken: the plugin saves only when
 *                 the revision moved on since its last save
 * @param takenAt  when it was taken (the scheduler's clock)
 * @param items    queued items per pipeline, oldest first, then the finished items still reporting
 */
public record SchedulerState(long revision, Instant takenAt, List<SavedItem> items) {
    public SchedulerState {
        Objects.requireNonNull(takenAt, "takenAt");
        items = List.copyOf(Objects.requireNonNull(items, "items"));
    }
}
