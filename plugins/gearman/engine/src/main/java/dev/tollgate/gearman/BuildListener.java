package dev.tollgate.gearman;

import java.time.Duration;

/** What the build system tells the worker about a build it started. Calls may come from any thread. */
public interface BuildListener {
    /**
     * The build began running.
     *
     * @param number the build number (Zuul keeps it to stop or describe the build later)
     * @param url the build's page, or null
     * @param estimatedDuration the expected duration, or {@link Duration#ZERO} when unknown
     */
    void started(int number, String url, Duration estimatedDuration);

    /** The build ended with a Jenkins result name: SUCCESS, FAILURE, UNSTABLE, ABORTED, NOT_BUILT. */
    void completed(String result);
}
