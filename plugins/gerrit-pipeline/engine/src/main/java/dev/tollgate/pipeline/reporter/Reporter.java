package dev.tollgate.pipeline.reporter;

/**
 * Where a pipeline reports an item's start, success or failure (Zuul v2's reporter driver): one
 * instance per pipeline and action, configured from the layout.
 *
 * <p>The scheduler calls it after releasing its lock, on the thread whose call led to the report,
 * with everything the report needs in the {@link Report}. A reporter that cannot send logs why and
 * returns: a failed report never stops the queue or the other reports.
 */
public interface Reporter {
    void report(Report report);
}
