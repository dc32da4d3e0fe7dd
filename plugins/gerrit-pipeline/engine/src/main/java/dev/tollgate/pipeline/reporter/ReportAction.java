package dev.tollgate.pipeline.reporter;

import java.util.Locale;

/**
 * The moments a pipeline reports: an item enters, or it is done and succeeded or failed, or its
 * change could not be merged onto its branch (no job ran).
 */
public enum ReportAction {
    START, SUCCESS, FAILURE, MERGE_FAILURE;

    /**
     * {@code start}, {@code success}, {@code failure} or {@code merge-failure} (the layout's key): what
     * listeners hear and review keys end with.
     */
    public String word() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
