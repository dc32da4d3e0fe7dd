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

    /**
     * Makes a report that was decided before a restart and may or may not have been made then: make
     * it only if it was not (never twice). A reporter that cannot tell does nothing and logs why; the
     * default is that reporter.
     */
    default void reportIfAbsent(Report report) {
        System.getLogger(Reporter.class.getName()).log(System.Logger.Level.WARNING,
                "{0} report of item {1} was in progress at a restart and {2} cannot tell whether it was made: "
                        + "not made again", report.action().word(), report.itemUuid(), getClass().getName());
    }
}
