package dev.tollgate.pipeline.scheduler.state;

import dev.tollgate.pipeline.event.ChangeRef;
import dev.tollgate.pipeline.event.GerritEvent;
import dev.tollgate.pipeline.reporter.ReportAction;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One queue item as saved: what it is about (the event that enqueued it), the pipeline as it was
 * configured when the item was enqueued, its builds in job order, and where its reports are.
 * Immutable.
 *
 * @param uuid      the item's uuid; with a report action it is the review's key
 * @param pipeline  the pipeline's configuration as the item was enqueued with it
 * @param event     the enqueuing event: the job parameters and the reviewed revision come from it
 * @param enqueued  when it was enqueued
 * @param builds    the current build of each job, in the project's job order
 * @param reported  reports made (posted, or given up on after the poster's own retries): never again
 * @param reporting reports decided and not known to be made: at a restart they may be on the change
 *                  or not, so they are made again only where the change does not have them
 */
public record SavedItem(String uuid, SavedPipeline pipeline, GerritEvent event, Instant enqueued,
                        List<SavedBuild> builds, Set<ReportAction> reported, Set<ReportAction> reporting) {
    public SavedItem {
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(enqueued, "enqueued");
        builds = List.copyOf(Objects.requireNonNull(builds, "builds"));
        if (builds.isEmpty()) {
            throw new IllegalArgumentException("an item has at least one build");
        }
        if (ChangeRef.of(event).isEmpty()) {
            throw new IllegalArgumentException("the event names neither a patchset nor a ref update");
        }
        reported = actions(reported);
        reporting = actions(reporting);
    }

    /** What the item is about. */
    public ChangeRef changeRef() {
        return ChangeRef.of(event).orElseThrow();
    }

    /** In START, SUCCESS, FAILURE order, so the file is the same for the same state. */
    private static Set<ReportAction> actions(Collection<ReportAction> in) {
        EnumSet<ReportAction> s = EnumSet.noneOf(ReportAction.class);
        if (in != null) {
            for (ReportAction a : in) {
                s.add(Objects.requireNonNull(a, "report action"));
            }
        }
        return Collections.unmodifiableSet(s);
    }
}
