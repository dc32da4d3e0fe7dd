package dev.tollgate.pipeline.scheduler;

import dev.tollgate.pipeline.layout.PipelineConfig;
import dev.tollgate.pipeline.scheduler.state.SavedBuild;
import dev.tollgate.pipeline.scheduler.state.SavedItem;
import dev.tollgate.pipeline.scheduler.state.SavedJob;
import dev.tollgate.pipeline.scheduler.state.SavedPipeline;
import java.util.ArrayList;
import java.util.List;

/**
 * Queue items to their saved form and back ({@code dev.tollgate.pipeline.scheduler.state}). Pure
 * conversions; the items themselves are guarded by the Scheduler's lock, so it calls these under it.
 */
final class SavedForms {
    private SavedForms() {}

    static SavedItem save(QueueItem item) {
        List<SavedBuild> builds = new ArrayList<>(item.builds.size());
        for (Build b : item.builds) {
            ResolvedJob j = b.job;
            builds.add(new SavedBuild(b.id, new SavedJob(j.name(), j.voting(), j.successMessage(), j.failureMessage(),
                    j.attempts()), b.attempt, b.launched, b.started, b.ended, b.url,
                    b.state == Build.State.ENDED ? SavedBuild.State.ENDED : SavedBuild.State.OPEN,
                    b.state == Build.State.ENDED ? b.result : null, b.launch != Build.Launch.NOT_YET));
        }
        return new SavedItem(item.uuid, save(item.pipeline.config()), item.event, item.enqueued, builds,
                item.reported, item.reporting);
    }

    static SavedPipeline save(PipelineConfig p) {
        return new SavedPipeline(p.name(), p.manager(), p.start(), p.success(), p.failure(), p.startMessage(),
                p.successMessage(), p.failureMessage(), p.footerMessage(), p.dequeueOnNewPatchset());
    }

    /** The saved part of a pipeline's configuration, with no triggers: enough to finish an item. */
    static PipelineConfig config(SavedPipeline p) {
        return new PipelineConfig(p.name(), null, p.manager(), List.of(), p.start(), p.success(), p.failure(), null,
                p.startMessage(), p.successMessage(), p.failureMessage(), PipelineConfig.DEFAULT_MERGE_FAILURE_MESSAGE,
                p.footerMessage(), p.dequeueOnNewPatchset(), null, null);
    }

    /** The item as it was saved, its open builds marked handed over as they were; registers nothing. */
    static QueueItem restore(SavedItem s, Pipeline pipeline, PipelineManager manager) {
        QueueItem item = new QueueItem(s.uuid(), pipeline, s.changeRef(), s.event(), manager, s.enqueued());
        for (SavedBuild sb : s.builds()) {
            SavedJob j = sb.job();
            Build b = new Build(sb.id(), item, new ResolvedJob(j.name(), j.voting(), j.successMessage(),
                    j.failureMessage(), j.attempts()), sb.launched(), sb.attempt());
            b.started = sb.started();
            b.ended = sb.ended();
            b.url = sb.url();
            if (sb.state() == SavedBuild.State.ENDED) {
                b.state = Build.State.ENDED;
                b.result = sb.result();
            }
            b.launch = sb.handedToLauncher() ? Build.Launch.LAUNCHED : Build.Launch.NOT_YET;
            item.builds.add(b);
        }
        item.reported.addAll(s.reported());
        item.reporting.addAll(s.reporting());
        item.restored = true;
        return item;
    }
}
