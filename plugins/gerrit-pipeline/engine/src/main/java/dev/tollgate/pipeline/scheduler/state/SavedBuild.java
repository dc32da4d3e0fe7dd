package dev.tollgate.pipeline.scheduler.state;

import dev.tollgate.common.BuildResult;
import java.time.Instant;
import java.util.Objects;

/**
 * One build as saved. Immutable.
 *
 * @param id               the engine's build id (ZUUL_UUID); Jenkins' queue item or run carries it
 * @param job              the job as it was resolved for the item
 * @param attempt          1 for the job's first launch for the item, then 2, ...
 * @param launched         when the launch was decided
 * @param started          when Jenkins said it started, or null
 * @param ended            when it ended, or null (also for RETRY_LIMIT: nothing ran)
 * @param url              the build or log URL it reported, or null
 * @param state            OPEN until it has a result, then ENDED
 * @param result           the result once ENDED, null while OPEN
 * @param handedToLauncher whether the launch had been handed to the launcher (its call had begun):
 *                         a build Jenkins has no trace of is launched again with the same id only
 *                         when it had not
 */
public record SavedBuild(String id, SavedJob job, int attempt, Instant launched, Instant started, Instant ended,
                         String url, State state, BuildResult result, boolean handedToLauncher) {
    public enum State { OPEN, ENDED }

    public SavedBuild {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(launched, "launched");
        Objects.requireNonNull(state, "state");
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be at least 1, not " + attempt);
        }
        if ((state == State.ENDED) != (result != null)) {
            throw new IllegalArgumentException(state == State.ENDED ? "an ENDED build needs a result"
                    : "an OPEN build has no result yet, not " + result);
        }
    }
}
