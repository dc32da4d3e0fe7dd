package dev.tollgate.pipeline.scheduler;

import dev.tollgate.common.BuildResult;
import java.time.Instant;

/**
 * One launch of a job for a queue item. A relaunch after a build ended without a result is a new
 * Build with the next attempt number. Guarded by the Scheduler's lock.
 */
final class Build {
    /** OPEN until the build ends: with a result (ENDED), by a dequeue (CANCELED), or without one (REPLACED). */
    enum State { OPEN, ENDED, CANCELED, REPLACED }

    /** Where the launch effect is: a dequeue cancels only what was handed over to the launcher. */
    enum Launch { NOT_YET, LAUNCHING, LAUNCHED }

    final String id;
    final QueueItem item;
    final ResolvedJob job;
    final Instant launched;
    /** 1 for the first launch of the job for its item. */
    final int attempt;
    Instant started;
    Instant ended;
    String url;
    State state = State.OPEN;
    /** Set when ENDED. */
    BuildResult result;
    Launch launch = Launch.NOT_YET;
    /** A launch effect has been recorded for it: never a second one (a merge's end and a restore may both decide it). */
    boolean launchDecided;
    /** Restored and not yet settled with what Jenkins knows of it: a merge's end must not launch it. */
    boolean settling;

    Build(String id, QueueItem item, ResolvedJob job, Instant launched, int attempt) {
        this.id = id;
        this.item = item;
        this.job = job;
        this.launched = launched;
        this.attempt = attempt;
    }

    boolean isOpen() {
        return state == State.OPEN;
    }

    void end(BuildResult r, Instant at) {
        state = State.ENDED;
        result = r;
        ended = at;
    }

    /** As a status page shows it. Under the lock. */
    SchedulerStatus.JobStatus status() {
        return new SchedulerStatus.JobStatus(job.name(), id, job.voting(), attempt, launched, started, ended, url,
                result, state == State.CANCELED);
    }
}
