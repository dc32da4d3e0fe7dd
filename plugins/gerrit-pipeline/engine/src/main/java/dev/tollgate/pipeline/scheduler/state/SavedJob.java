package dev.tollgate.pipeline.scheduler.state;

import java.util.Objects;

/**
 * A job as it was resolved for an item: a restored item finishes with it even if the layout has
 * changed or dropped the job since. Immutable.
 *
 * @param attempts how many times in all a build that ends without a result is launched
 */
public record SavedJob(String name, boolean voting, String successMessage, String failureMessage, int attempts) {
    public SavedJob {
        Objects.requireNonNull(name, "name");
    }
}
