package dev.tollgate.pipeline.reporter;

import java.util.Locale;

/** The moments a pipeline reports: an item enters, or it is done and succeeded or failed. */
public enum ReportAction {
    START, SUCCESS, FAILURE;

    /** {@code start}, {@code success} or {@code failure}: what listeners hear and review keys end with. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
