package dev.tollgate.pipeline.scheduler;

import dev.tollgate.common.BuildResult;
import dev.tollgate.pipeline.event.ChangeRef;
import dev.tollgate.pipeline.event.GerritEvent;
import dev.tollgate.pipeline.layout.PipelineConfig;
import dev.tollgate.pipeline.port.Merger;
import dev.tollgate.pipeline.reporter.ReportAction;
import dev.tollgate.pipeline.trigger.EventMatcher;
import dev.tollgate.pipeline.trigger.Trigger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Predicate;

/**
 * Zuul v2's IndependentPipelineManager: every item is built on its own, nothing waits for anything.
 *
 * <p>Rules: an item is keyed by what it is about ({@link ChangeRef}: project + change + patchset,
 * or project + ref + new revision); an item already queued or running is never enqueued again; an
 * item none of whose jobs runs (all filtered out) is not enqueued. A new patchset retires the older
 * patchsets of its change whose pipeline dequeues on new patchsets (the default), and an abandoned
 * change leaves the queue; their builds are cancelled and they are not reported. A build that ends
 * without a result is launched again, up to its job's attempts (then its result is RETRY_LIMIT). An
 * item is done when all its jobs have a result; it succeeds when every voting job succeeded. With a
 * merger, an item's builds launch once its change is merged onto its branch (the item alone: nothing
 * is ahead of it here); a change that does not merge runs no job and is reported as a merge failure.
 *
 * <p>Concurrency: the Scheduler's rule, see {@link PipelineManager}. {@link #accepts} reads nothing
 * of the queue; everything else runs under the Scheduler's lock and only records decisions.
 */
final class IndependentPipelineManager implements PipelineManager {
    private static final System.Logger LOG = System.getLogger(IndependentPipelineManager.class.getName());

    /** Items in enqueue order, by what they are about. */
    private final LinkedHashMap<ChangeRef, QueueItem> queue = new LinkedHashMap<>();

    @Override
    public boolean accepts(Pipeline pipeline, GerritEvent event, Instant now) {
        if (!pipeline.eventTypes().contains(event.type())) {
            return false;
        }
        PipelineConfig p = pipeline.config();
        return triggered(pipeline, event, now) && EventMatcher.meetsRequire(p.require(), event, now)
                && !EventMatcher.rejected(p.reject(), event, now);
    }

    private static boolean triggered(Pipeline pipeline, GerritEvent event, Instant now) {
        for (Trigger t : pipeline.triggers()) {
            if (t.matches(event, now)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void removeOldVersions(ChangeRef.Patchset newer, Scheduler.Decisions d) {
        // Zuul v2: every older patchset, whether or not the new one is enqueued here
        removeWhere(d, "new-patchset", it -> it.pipeline.config().dequeueOnNewPatchset()
                && it.changeRef instanceof ChangeRef.Patchset p && p.project().equals(newer.project())
                && p.change() == newer.change() && p.patchset() < newer.patchset());
    }

    @Override
    public void removeAbandoned(String project, int change, Scheduler.Decisions d) {
        removeWhere(d, "abandoned", it -> it.changeRef instanceof ChangeRef.Patchset p
                && p.project().equals(project) && p.change() == change);
    }

    private void removeWhere(Scheduler.Decisions d, String reason, Predicate<QueueItem> which) {
        for (Iterator<QueueItem> it = queue.values().iterator(); it.hasNext(); ) {
            QueueItem item = it.next();
            if (!which.test(item)) {
                continue;
            }
            it.remove();
            for (Build b : item.builds) {
                if (b.isOpen()) {
                    d.cancel(b);
                }
            }
            d.dequeued(item, reason);
        }
    }

    @Override
    public void enqueue(Pipeline pipeline, GerritEvent event, List<String> jobNames, JobResolver jobs,
                        Scheduler.Decisions d) {
        ChangeRef ref = ChangeRef.of(event).orElse(null);
        if (ref == null) {
            LOG.log(System.Logger.Level.WARNING, "{0} for change {1} has no patchset: not enqueued",
                    event.typeName(), String.valueOf(event.change().number()));
            return;
        }
        if (queue.containsKey(ref)) {
            return; // already queued or running: never twice
        }
        String branch = ref instanceof ChangeRef.Ref r ? JobParameters.branchOf(r.ref()) : event.change().branch();
        List<ResolvedJob> resolved = new ArrayList<>(jobNames.size());
        for (String name : jobNames) {
            ResolvedJob j = jobs.resolve(name, ref.project(), branch);
            if (j != null) {
                resolved.add(j);
            }
        }
        if (resolved.isEmpty()) {
            return; // every job filtered out: nothing to run, nothing to report
        }
        QueueItem item = new QueueItem(d.newId(), pipeline, ref, event, this, d.now());
        for (ResolvedJob j : resolved) {
            Build b = new Build(d.newId(), item, j, d.now(), 1);
            item.builds.add(b);
            if (j.isNoop()) {
                b.end(BuildResult.SUCCESS, d.now()); // noop succeeds at once, nothing is launched
            }
        }
        queue.put(ref, item);
        d.enqueued(item);
        pipeline.reporter(ReportAction.START).ifPresent(r -> d.report(item, r, item.report(ReportAction.START)));
        // Zuul v2 reports the start, then asks the merger; its builds launch once the merge is ready
        boolean merging = d.merge(item, List.of(item));
        for (Build b : item.builds) {
            if (b.isOpen()) {
                d.launch(b); // registered now; with a merge pending, launched when it is ready
            }
        }
        if (!merging && item.done()) {
            finish(item, d);
        }
    }

    @Override
    public void mergeCompleted(QueueItem item, Merger.MergeResult result, Scheduler.Decisions d) {
        if (result instanceof Merger.MergeResult.Merged m) {
            item.merge = QueueItem.Merge.MERGED;
            item.merged = m;
            d.merged(item);
            for (Build b : item.builds) {
                d.launchAfterMerge(b);
            }
            if (item.done()) {
                finish(item, d);
            }
            return;
        }
        // Zuul v2's setUnableToMerge: no job runs, the item is reported as a merge failure and leaves
        String why = result instanceof Merger.MergeResult.Failed f ? f.why() : String.valueOf(result);
        LOG.log(System.Logger.Level.INFO, "{0} in {1} does not merge: {2}", item.changeRef, item.pipeline.name(), why);
        queue.remove(item.changeRef);
        for (Build b : item.builds) {
            if (b.isOpen()) {
                d.cancel(b); // never launched (a restored one that was is cancelled in Jenkins)
                b.end(BuildResult.NOT_BUILT, d.now()); // done, so a restart finishes its report
            }
        }
        d.mergeFailed(item, why);
        d.completed(item, ReportAction.MERGE_FAILURE);
        item.pipeline.reporter(ReportAction.MERGE_FAILURE)
                .ifPresent(r -> d.report(item, r, item.report(ReportAction.MERGE_FAILURE)));
    }

    @Override
    public void buildCompleted(Build b, BuildResult result, String url, Scheduler.Decisions d) {
        b.end(result, d.now());
        if (url != null) {
            b.url = url;
        }
        d.buildEnded(b);
        QueueItem item = b.item;
        if (item.done() && queue.get(item.changeRef) == item) {
            finish(item, d);
        }
    }

    @Override
    public void buildEndedWithoutResult(Build lost, String why, Scheduler.Decisions d) {
        lost.state = Build.State.REPLACED; // a launch still in progress must neither report nor cancel it
        QueueItem item = lost.item;
        if (queue.get(item.changeRef) != item) {
            return;
        }
        int attempt = lost.attempt + 1;
        Build next = new Build(d.newId(), item, lost.job, d.now(), attempt);
        item.builds.set(item.builds.indexOf(lost), next);
        if (attempt > Math.max(1, lost.job.attempts())) {
            // Zuul v2 ends the job without launching it: a build that never started, with no time
            LOG.log(System.Logger.Level.WARNING, "{0} ({1}) for {2}: {3}; launched {4} time(s), giving up",
                    lost.job.name(), lost.id, item.changeRef.project(), why, String.valueOf(lost.attempt));
            next.state = Build.State.ENDED;
            next.result = BuildResult.RETRY_LIMIT;
            d.buildEnded(next);
            if (item.done()) {
                finish(item, d);
            }
            return;
        }
        LOG.log(System.Logger.Level.INFO, "{0} ({1}) for {2}: {3}; launching attempt {4}",
                lost.job.name(), lost.id, item.changeRef.project(), why, String.valueOf(attempt));
        d.relaunched(item, lost.job.name(), attempt, why);
        d.launch(next);
    }

    /** Zuul v2's didAllJobsSucceed decides; non-voting jobs do not count. */
    private void finish(QueueItem item, Scheduler.Decisions d) {
        queue.remove(item.changeRef);
        boolean success = true;
        for (Build b : item.builds) {
            if (b.job.voting() && b.result != BuildResult.SUCCESS) {
                success = false;
            }
        }
        ReportAction action = success ? ReportAction.SUCCESS : ReportAction.FAILURE;
        d.completed(item, action);
        item.pipeline.reporter(action).ifPresent(r -> d.report(item, r, item.report(action)));
    }

    @Override
    public List<ItemView> items() {
        List<ItemView> out = new ArrayList<>(queue.size());
        for (QueueItem item : queue.values()) {
            out.add(item.view());
        }
        return out;
    }

    @Override
    public List<QueueItem> queued() {
        return new ArrayList<>(queue.values());
    }

    @Override
    public boolean adopt(QueueItem item) {
        return queue.putIfAbsent(item.changeRef, item) == null;
    }
}
