package dev.tollgate.pipeline.reporter;

import dev.tollgate.common.BuildResult;
import java.time.Duration;

/**
 * One finished job as a report shows it.
 *
 * @param successMessage the job's own text for SUCCESS, or null
 * @param failureMessage the job's own text for FAILURE, or null
 * @param url            the log or build URL the build reported, or null
 * @param elapsed        from the build's start (or launch) to its end; null when nothing ran
 *                       (RETRY_LIMIT)
 */
public record JobOutcome(String job, boolean voting, String successMessage, String failureMessage,
                         BuildResult result, String url, Duration elapsed) {
}
