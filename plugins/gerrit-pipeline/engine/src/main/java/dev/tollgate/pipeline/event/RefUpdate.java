package dev.tollgate.pipeline.event;

/** The refUpdate attribute of a ref-updated event. */
public record RefUpdate(String project, String refName, String oldRev, String newRev) {
    /** All zeros: Gerrit's way of saying the ref was deleted (newRev) or created (oldRev). */
    public static final String NULL_REV = "0000000000000000000000000000000000000000";
}
