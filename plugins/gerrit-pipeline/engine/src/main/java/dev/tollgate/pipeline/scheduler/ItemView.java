package dev.tollgate.pipeline.scheduler;

import dev.tollgate.pipeline.event.ChangeRef;
import java.util.List;

/**
 * A queue item as the outside sees it: its uuid, its pipeline, the patchset or ref it is about, and
 * its jobs in order.
 */
public record ItemView(String uuid, String pipeline, ChangeRef changeRef, List<String> jobs) {
    public ItemView {
        jobs = List.copyOf(jobs);
    }

    public String project() {
        return changeRef.project();
    }
}
