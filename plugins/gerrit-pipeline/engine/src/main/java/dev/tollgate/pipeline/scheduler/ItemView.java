package dev.tollgate.pipeline.scheduler;

import java.util.List;

/**
 * A queue item as the outside sees it. Change items have change and patchset; ref items (from
 * ref-updated) have ref and newRev instead.
 */
public record ItemView(String uuid, String pipeline, String project, Integer change, Integer patchset, String ref,
                       String newRev, List<String> jobs) {
    public ItemView {
        jobs = List.copyOf(jobs);
    }
}
