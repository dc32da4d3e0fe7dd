package dev.tollgate.pipeline.scheduler;

import dev.tollgate.common.BuildResult;
import dev.tollgate.pipeline.event.ChangeRef;
import dev.tollgate.pipeline.event.EventType;
import dev.tollgate.pipeline.event.GerritEvent;
import dev.tollgate.pipeline.layout.Layout;
import dev.tollgate.pipeline.layout.PipelineConfig;
import dev.tollgate.pipeline.layout.PipelineJobs;
import dev.tollgate.pipeline.layout.ProjectConfig;
import dev.tollgate.pipeline.port.BuildLookup;
import dev.tollgate.pipeline.port.BuildStatus;
import dev.tollgate.pipeline.port.JobLauncher;
import dev.tollgate.pipeline.port.LaunchRequest;
import dev.tollgate.pipeline.port.Merger;
import dev.tollgate.pipeline.port.ReviewPoster;
import dev.tollgate.pipeline.reporter.GerritReporter;
import dev.tollgate.pipeline.reporter.Report;
import dev.tollgate.pipeline.reporter.ReportAction;
import dev.tollgate.pipeline.reporter.Reporter;
import dev.tollgate.pipeline.scheduler.state.SavedItem;
import dev.tollgate.pipeline.scheduler.state.SavedPipeline;
import dev.tollgate.pipeline.scheduler.state.SchedulerState;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The pipeline engine: Gerrit events in, builds launched through {@link JobLauncher}, results in
 * through {@link #onJobCompleted}, reports out through each pipeline's reporters (the gerrit reporter
 * posts through {@link ReviewPoster}). The Scheduler routes; each pipeline's {@link PipelineManager}
 * (Zuul v2's IndependentPipelineManager) holds its queue and decides by its rules.
 *
 * <p>Routing, as Zuul v2's scheduler: an event goes to the pipelines one by one, in layout order
 * (then to pipelines a reload dropped, which keep their queue until it drains). In each, a new
 * patchset retires older ones and an abandoned change leaves, then the event is enqueued if the
 * pipeline accepts it and the project has jobs there. A build's end goes to the manager of its item.
 *
 * <p>Concurrency rule: decide under the engine's lock, call ports outside it. Events and build ends
 * may arrive on any threads. Trigger patterns are matched before the lock is taken. Under the lock
 * the managers change the queues and record their decisions ({@link Decisions}); after it is
 * released the decisions are carried out on the calling thread, in the order they were taken:
 * launches and cancels through the launcher, reports through the reporters, listener calls. So a
 * slow Gerrit or launcher never blocks other threads, and a port may call back into the Scheduler.
 *
 * <p>Test as merge: with a {@link Merger} (optional), an item's builds wait until the merger has put
 * its change onto its branch; the request goes out after the lock is released, and the answer
 * comes back as an event ({@link Merger#merge}'s callback) that takes the lock like a build's end.
 * Builds are registered at the enqueue and launched with the merge's ref and commit as ZUUL_REF and
 * ZUUL_COMMIT; a change that does not merge runs no job and is reported once with the pipeline's
 * merge-failure reporter (its failure reporter when it has none, as in Zuul v2), then leaves.
 *
 * <p>Persistence: {@link #snapshot} takes, under the lock, everything needed to rebuild the queues
 * (items, builds, which reports are made and which are in progress); {@link #revision} moves on
 * whenever that changes, so a caller saves only when it must. {@link #restore} rebuilds the queues
 * of a new Scheduler from a snapshot, asking Jenkins through a {@link BuildLookup} what became of
 * each open build, so that nothing is launched twice and no review is posted twice. An item leaves
 * the saved state only once its final report has been made, not when it is decided.
 */
public final class Scheduler {
    private static final System.Logger LOG = System.getLogger(Scheduler.class.getName());

    private final JobLauncher launcher;
    private final ReviewPoster poster;
    /** Null: no merger, builds test the patchset itself (ZUUL_REF is the patchset's ref). */
    private final Merger merger;
    private final Clock clock;
    private final Supplier<String> uuids;
    private final LaunchSettings settings;
    private final SchedulerListener listener;
    private final GerritReporter.Observer reviewObserver;
    private final ReentrantLock lock = new ReentrantLock();

    private volatile Config config;
    /** Every pipeline's manager by name, in the order pipelines first appeared; guarded by lock. */
    private final Map<String, PipelineManager> managers = new LinkedHashMap<>();
    /** Builds handed to (or about to be handed to) the launcher and not ended; guarded by lock. */
    private final Map<String, Build> builds = new HashMap<>();
    /** When the layout in {@code config} was adopted; guarded by lock. */
    private Instant configuredAt;
    /** Done items, out of their queue, whose final report is decided and not yet made; guarded by lock. */
    private final Map<String, QueueItem> finishing = new LinkedHashMap<>();
    /** Moves on with every change to what {@link #snapshot} saves; written under the lock. */
    private volatile long revision;

    /**
     * The layout, compiled for the hot path. Immutable: read without the lock. {@code managers} are
     * those of {@code pipelines}, same order; only their pure {@code accepts} is called outside the lock.
     */
    private record Config(Layout layout, List<Pipeline> pipelines, List<PipelineManager> managers,
                          Map<String, Map<String, List<String>>> projectJobs, JobResolver jobs,
                          Map<String, Merger.Mode> mergeModes) { }

    private Scheduler(Builder b) {
        this.launcher = Objects.requireNonNull(b.launcher, "launcher");
        this.poster = Objects.requireNonNull(b.poster, "reviewPoster");
        this.merger = b.merger;
        this.clock = b.clock == null ? Clock.systemUTC() : b.clock;
        this.uuids = b.uuids == null ? () -> UUID.randomUUID().toString().replace("-", "") : b.uuids;
        this.settings = b.settings == null ? LaunchSettings.NONE : b.settings;
        this.listener = b.listener == null ? SchedulerListener.NONE : b.listener;
        this.reviewObserver = (report, review) -> listener.reporting(view(report), report.action().word(), review);
        this.config = adopt(compile(Objects.requireNonNull(b.layout, "layout")));
    }

    public static Builder builder(Layout layout) {
        return new Builder(layout);
    }

    /** Builds a scheduler; launcher and reviewPoster are required. */
    public static final class Builder {
        private final Layout layout;
        private JobLauncher launcher;
        private ReviewPoster poster;
        private Merger merger;
        private Clock clock;
        private Supplier<String> uuids;
        private LaunchSettings settings;
        private SchedulerListener listener;

        private Builder(Layout layout) {
            this.layout = layout;
        }

        public Builder launcher(JobLauncher l) {
            this.launcher = l;
            return this;
        }

        public Builder reviewPoster(ReviewPoster p) {
            this.poster = p;
            return this;
        }

        /** Optional: builds test each change merged onto its branch (see the class comment). */
        public Builder merger(Merger m) {
            this.merger = m;
            return this;
        }

        public Builder clock(Clock c) {
            this.clock = c;
            return this;
        }

        /** Item and build ids (32 hex digits by default); inject a counter for deterministic tests. */
        public Builder uuids(Supplier<String> s) {
            this.uuids = s;
            return this;
        }

        public Builder settings(LaunchSettings s) {
            this.settings = s;
            return this;
        }

        public Builder listener(SchedulerListener l) {
            this.listener = l;
            return this;
        }

        public Scheduler build() {
            return new Scheduler(this);
        }
    }

    /**
     * Replaces the layout without losing the queue (Zuul's reload): queued items finish with the
     * pipeline configuration they were enqueued with.
     *
     * @throws IllegalArgumentException when a pipeline names a manager the engine does not have (a
     *                                  layout the validator passed never does); nothing changes then
     */
    public void reconfigure(Layout layout) {
        Config compiled = compile(Objects.requireNonNull(layout, "layout")); // regexes, triggers: outside the lock
        lock.lock();
        try {
            config = adopt(compiled);
        } finally {
            lock.unlock();
        }
    }

    /** Compiles a layout, with a new manager for every pipeline. Pure: no lock needed. */
    private Config compile(Layout layout) {
        List<Pipeline> pipelines = new ArrayList<>();
        List<PipelineManager> fresh = new ArrayList<>();
        for (PipelineConfig p : layout.pipelines()) {
            pipelines.add(Pipeline.of(p, poster, reviewObserver));
            fresh.add(PipelineManager.forName(p.manager()));
        }
        Map<String, Map<String, List<String>>> projectJobs = new HashMap<>();
        Map<String, Merger.Mode> mergeModes = new HashMap<>();
        for (ProjectConfig pc : layout.projects()) {
            mergeModes.put(pc.name(), Merger.Mode.of(pc.mergeMode()));
            Map<String, List<String>> byPipeline = new HashMap<>();
            for (PipelineJobs pj : pc.pipelines()) {
                byPipeline.put(pj.name(), pj.jobs());
            }
            projectJobs.put(pc.name(), byPipeline);
        }
        return new Config(layout, pipelines, fresh, projectJobs, new JobResolver(layout.jobs()), mergeModes);
    }

    /** A pipeline seen before keeps its manager, and so its queue. Under the lock (or in the constructor). */
    private Config adopt(Config compiled) {
        List<PipelineManager> kept = new ArrayList<>();
        for (int i = 0; i < compiled.pipelines.size(); i++) {
            PipelineManager fresh = compiled.managers.get(i);
            kept.add(managers.computeIfAbsent(compiled.pipelines.get(i).name(), name -> fresh));
        }
        configuredAt = clock.instant();
        return new Config(compiled.layout, compiled.pipelines, kept, compiled.projectJobs, compiled.jobs,
                compiled.mergeModes);
    }

    public Layout layout() {
        return config.layout;
    }

    /** Processes one event: dequeues, enqueues and launches as the layout says. */
    public void onEvent(GerritEvent event) {
        if (event.type() == EventType.UNKNOWN || event.project() == null) {
            return;
        }
        // Matching runs user regexes (linear, but a megabyte comment still takes a while): do it
        // before taking the lock, on the configuration the event arrived under.
        Config c = config;
        Instant now = clock.instant();
        List<Pipeline> accepted = new ArrayList<>();
        Map<String, List<String>> projectPipelines = c.projectJobs.get(event.project());
        if (projectPipelines != null) { // else a project the layout does not know: only dequeues apply
            for (int i = 0; i < c.pipelines.size(); i++) {
                Pipeline p = c.pipelines.get(i);
                if (projectPipelines.containsKey(p.name()) && c.managers.get(i).accepts(p, event, now)) {
                    accepted.add(p);
                }
            }
        }
        boolean abandoned = event.type() == EventType.CHANGE_ABANDONED && event.change() != null;
        ChangeRef.Patchset newPatchset = event.type() == EventType.PATCHSET_CREATED
                && ChangeRef.of(event).orElse(null) instanceof ChangeRef.Patchset p ? p : null;
        if (accepted.isEmpty() && !abandoned && newPatchset == null) {
            return;
        }
        Decisions d = new Decisions(now);
        lock.lock();
        try {
            List<String> order = new ArrayList<>();
            c.pipelines.forEach(p -> order.add(p.name()));
            managers.keySet().stream().filter(name -> !order.contains(name)).forEach(order::add); // dropped by a reload
            for (String name : order) {
                PipelineManager m = managers.get(name);
                if (abandoned) {
                    m.removeAbandoned(event.project(), event.change().number(), d);
                }
                if (newPatchset != null) {
                    m.removeOldVersions(newPatchset, d);
                }
                for (Pipeline p : accepted) {
                    if (p.name().equals(name)) {
                        d.accepted(p, event);
                        m.enqueue(p, event, projectPipelines.get(name), c.jobs, d);
                    }
                }
            }
        } finally {
            lock.unlock();
            d.carryOut();
        }
    }

    /**
     * The merger's answer for an item (the callback given with its request). Taken once: an item
     * dequeued meanwhile, or a second answer, is ignored.
     */
    private void onMergeCompleted(QueueItem item, Merger.MergeResult result) {
        Decisions d = null;
        lock.lock();
        try {
            if (item.merge != QueueItem.Merge.PENDING || !item.manager.queued().contains(item)) {
                LOG.log(System.Logger.Level.DEBUG, "merge result for {0} ({1}) ignored: dequeued or answered before",
                        item.uuid, item.changeRef);
                return;
            }
            revision++;
            d = new Decisions(clock.instant());
            item.manager.mergeCompleted(item, result == null ? new Merger.MergeResult.Failed("no result") : result, d);
        } finally {
            lock.unlock();
            if (d != null) {
                d.carryOut();
            }
        }
    }

    /** Asks the merger (after the lock is released); a merger that throws has failed the merge. */
    private void requestMerge(QueueItem item, Merger.MergeRequest request) {
        java.util.concurrent.atomic.AtomicBoolean answered = new java.util.concurrent.atomic.AtomicBoolean();
        try {
            merger.merge(request, result -> {
                if (answered.compareAndSet(false, true)) {
                    onMergeCompleted(item, result);
                }
            });
        } catch (RuntimeException ex) {
            LOG.log(System.Logger.Level.WARNING, "merger failed on " + item.changeRef + " (item " + item.uuid + "): "
                    + ex, ex);
            if (answered.compareAndSet(false, true)) {
                onMergeCompleted(item, new Merger.MergeResult.Failed("merger error: " + ex.getMessage()));
            }
        }
    }

    /** A build started (optional): its duration in the report counts from here, and its URL is known. */
    public void onJobStarted(String buildId, String url) {
        lock.lock();
        try {
            Build b = builds.get(buildId);
            if (b != null) {
                b.started = clock.instant();
                if (url != null) {
                    b.url = url;
                }
                revision++;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * A build ended. {@code result} is what Jenkins says (SUCCESS, UNSTABLE, FAILURE, NOT_BUILT,
     * ABORTED); {@code url} is the log or build URL the report links to (may be null). Unknown or
     * cancelled builds are ignored. A null result means the build ended without one, as
     * {@link #onJobEndedWithoutResult} (Zuul v2 read a missing result the same way).
     */
    public void onJobCompleted(String buildId, BuildResult result, String url) {
        if (result == null) {
            onJobEndedWithoutResult(buildId, "ended without a result");
            return;
        }
        Decisions d = null;
        lock.lock();
        try {
            Build b = builds.remove(buildId);
            if (b == null) {
                LOG.log(System.Logger.Level.DEBUG, "completion of unknown or cancelled build {0} ignored", buildId);
                return;
            }
            revision++;
            d = new Decisions(clock.instant());
            b.item.manager.buildCompleted(b, result, url, d);
        } finally {
            lock.unlock();
            if (d != null) {
                d.carryOut();
            }
        }
    }

    /**
     * A build ended without a result: its agent was lost, the launcher lost track of it, it was
     * stopped by something other than a dequeue. As in Zuul v2, the job is launched again (a new
     * build, with a new id, attempt + 1) until it has been launched as many times as the job's
     * {@code attempts} (3 unless the layout says); one more such end and the job's result is
     * {@code RETRY_LIMIT}, which fails the item when the job votes. {@code why} is logged. Unknown or
     * cancelled builds are ignored.
     */
    public void onJobEndedWithoutResult(String buildId, String why) {
        Decisions d = null;
        lock.lock();
        try {
            Build lost = builds.remove(buildId);
            if (lost == null) {
                LOG.log(System.Logger.Level.DEBUG, "end of unknown or cancelled build {0} ignored", buildId);
                return;
            }
            revision++;
            d = new Decisions(clock.instant());
            lost.item.manager.buildEndedWithoutResult(lost, why, d);
        } finally {
            lock.unlock();
            if (d != null) {
                d.carryOut();
            }
        }
    }

    /** The items queued or running, per pipeline in layout order, oldest first. */
    public List<ItemView> items() {
        lock.lock();
        try {
            List<ItemView> out = new ArrayList<>();
            List<String> configured = new ArrayList<>();
            for (Pipeline p : config.pipelines) {
                configured.add(p.name());
                out.addAll(managers.get(p.name()).items());
            }
            for (Map.Entry<String, PipelineManager> e : managers.entrySet()) {
                if (!configured.contains(e.getKey())) {
                    out.addAll(e.getValue().items());
                }
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /**
     * What every pipeline holds now, for a status page: pipelines in layout order (then pipelines a
     * reload dropped that still have items), their items oldest first, each job's current build.
     * One consistent moment, taken under the lock; the result is immutable.
     */
    public SchedulerStatus status() {
        lock.lock();
        try {
            List<SchedulerStatus.PipelineStatus> out = new ArrayList<>();
            List<String> configured = new ArrayList<>();
            for (Pipeline p : config.pipelines) {
                configured.add(p.name());
                PipelineConfig pc = p.config();
                out.add(new SchedulerStatus.PipelineStatus(pc.name(), pc.description(), pc.manager(),
                        itemStatus(managers.get(p.name()).queued())));
            }
            for (Map.Entry<String, PipelineManager> e : managers.entrySet()) {
                List<QueueItem> queued = e.getValue().queued();
                if (!configured.contains(e.getKey()) && !queued.isEmpty()) {
                    // dropped by a reload: shown as its newest item was enqueued
                    PipelineConfig pc = queued.get(queued.size() - 1).pipeline.config();
                    out.add(new SchedulerStatus.PipelineStatus(pc.name(), pc.description(), pc.manager(),
                            itemStatus(queued)));
                }
            }
            return new SchedulerStatus(configuredAt, out);
        } finally {
            lock.unlock();
        }
    }

    private static List<SchedulerStatus.ItemStatus> itemStatus(List<QueueItem> queued) {
        List<SchedulerStatus.ItemStatus> items = new ArrayList<>(queued.size());
        for (QueueItem item : queued) {
            items.add(item.status());
        }
        return items;
    }

    /** Builds launched and not yet completed. */
    public int runningBuilds() {
        lock.lock();
        try {
            return builds.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A number that moves on (never back) whenever what {@link #snapshot} saves changes: an item
     * enqueued or dequeued, a build launched, handed to the launcher, started or ended, a report
     * decided or made. Save when it differs from the {@link SchedulerState#revision()} last saved.
     */
    public long revision() {
        return revision;
    }

    /**
     * Everything needed to rebuild the queues after a restart, taken under the lock: queued items in
     * pipeline order, oldest first, then done items whose final report is not yet made. Cheap (no
     * I/O, no encoding); write it with {@code SchedulerStateCodec}.
     */
    public SchedulerState snapshot() {
        lock.lock();
        try {
            List<SavedItem> items = new ArrayList<>();
            List<String> configured = new ArrayList<>();
            for (Pipeline p : config.pipelines) {
                configured.add(p.name());
                managers.get(p.name()).queued().forEach(it -> items.add(SavedForms.save(it)));
            }
            for (Map.Entry<String, PipelineManager> e : managers.entrySet()) {
                if (!configured.contains(e.getKey())) { // dropped by a reload, still draining
                    e.getValue().queued().forEach(it -> items.add(SavedForms.save(it)));
                }
            }
            finishing.values().forEach(it -> items.add(SavedForms.save(it)));
            return new SchedulerState(revision, clock.instant(), items);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Rebuilds the queues of this new Scheduler (built with the current layout, nothing enqueued yet)
     * from a snapshot taken before a restart. Call it before Gerrit events are fed in; build ends may
     * come at any time (one that comes before is ignored as unknown, and {@code lookup} then reports
     * it as ended).
     *
     * <p>Each item comes back as it was saved, with the pipeline configuration and the jobs it was
     * enqueued with, even where the layout has changed or dropped them since (as after
     * {@link #reconfigure}: an item of a pipeline the layout no longer has drains). Reports made
     * before the restart are never made again; those in progress then, and every later report of a
     * restored item, are made only where the change does not have them yet
     * ({@link Reporter#reportIfAbsent}), because the saved state may be older than the last report
     * the stopped engine made. Then, outside the lock, {@code lookup} is asked about each open
     * build, and each answer is acted on as its own decision ({@link BuildStatus}): Running is
     * re-attached; Ended is taken as {@link #onJobCompleted}; EndedWithoutResult as
     * {@link #onJobEndedWithoutResult}; Unknown is launched again with the same id if it had not
     * been handed to the launcher, else taken as ended without a result. Open builds are registered
     * before {@code lookup} is asked, so an end Jenkins reports meanwhile through
     * {@link #onJobCompleted} is taken once, whichever comes first. A lookup that throws leaves its
     * build attached (logged): it is never launched twice.
     *
     * @throws IllegalStateException    when this Scheduler has already queued something
     * @throws IllegalArgumentException when an item's pipeline manager is one this engine does not
     *                                  have (a newer engine saved it); nothing changes then
     */
    public void restore(SchedulerState state, BuildLookup lookup) {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(lookup, "lookup");
        // outside the lock: each saved pipeline built once (no triggers to compile), managers checked
        Map<SavedPipeline, Pipeline> pipelines = new HashMap<>();
        Map<String, PipelineManager> fresh = new HashMap<>();
        for (SavedItem s : state.items()) {
            pipelines.computeIfAbsent(s.pipeline(), sp -> Pipeline.of(SavedForms.config(sp), poster, reviewObserver));
            fresh.computeIfAbsent(s.pipeline().name(), name -> PipelineManager.forName(s.pipeline().manager()));
        }
        Decisions d = new Decisions(clock.instant());
        Map<Build, Boolean> open = new LinkedHashMap<>(); // open build -> had been handed to the launcher
        lock.lock();
        try {
            if (!builds.isEmpty() || !finishing.isEmpty()
                    || managers.values().stream().anyMatch(m -> !m.queued().isEmpty())) {
                throw new IllegalStateException("restore is for a new scheduler; this one has queued items already");
            }
            Set<String> ids = new HashSet<>();
            for (SavedItem s : state.items()) {
                PipelineManager m = managers.computeIfAbsent(s.pipeline().name(), fresh::get);
                QueueItem item = SavedForms.restore(s, pipelines.get(s.pipeline()), m);
                if (!item.done()) {
                    item.reporting.retainAll(EnumSet.of(ReportAction.START)); // a final report needs a done item
                }
                if (!restorable(item, ids)) {
                    continue;
                }
                if (item.done()) {
                    finishing.put(item.uuid, item); // its final report was in progress
                } else {
                    m.adopt(item);
                }
                for (ReportAction a : List.copyOf(item.reporting)) { // START first
                    Optional<Reporter> r = item.pipeline.reporter(a);
                    if (r.isPresent()) {
                        d.report(item, r.get(), item.report(a));
                    } else {
                        item.reporting.remove(a); // the saved pipeline has no such reporter
                    }
                }
                if (item.reporting.isEmpty()) {
                    finishing.remove(item.uuid);
                }
                for (Build b : item.builds) {
                    if (b.isOpen()) {
                        builds.put(b.id, b);
                        b.settling = true;
                        open.put(b, b.launch != Build.Launch.NOT_YET);
                    }
                }
                if (!item.done() && finishing.get(item.uuid) == null) {
                    // the saved state has no merge: asked again; the merger finds the ref it made, if any
                    d.merge(item, List.of(item));
                }
            }
            revision = Math.max(revision, state.revision()) + 1;
            LOG.log(System.Logger.Level.INFO, "restored {0} item(s) with {1} open build(s) from the state of {2}",
                    String.valueOf(state.items().size()), String.valueOf(open.size()), state.takenAt());
        } finally {
            lock.unlock();
            d.carryOut();
        }
        for (Map.Entry<Build, Boolean> e : open.entrySet()) {
            settle(e.getKey(), e.getValue(), lookup);
        }
    }

    /** Whether a saved item is to be restored: not a duplicate, not already done and reported. Under the lock. */
    private boolean restorable(QueueItem item, Set<String> ids) {
        List<String> mine = new ArrayList<>();
        mine.add(item.uuid);
        item.builds.forEach(b -> mine.add(b.id));
        String problem = null;
        if (new HashSet<>(mine).size() < mine.size() || mine.stream().anyMatch(ids::contains)) {
            problem = "its uuid or a build id is in the saved state twice";
        } else if (!item.done() && item.manager.queued().stream().anyMatch(q -> q.changeRef.equals(item.changeRef))) {
            problem = "its pipeline has an item about " + item.changeRef + " already";
        } else if (item.done() && item.reporting.isEmpty()) {
            return false; // done and reported: nothing left to do
        }
        if (problem != null) {
            LOG.log(System.Logger.Level.WARNING, "saved item {0} ({1} in {2}) not restored: {3}", item.uuid,
                    item.changeRef, item.pipeline.name(), problem);
            return false;
        }
        ids.addAll(mine);
        return true;
    }

    /** Acts on what Jenkins says of a build open at the restart; each answer is its own decision. */
    private void settle(Build b, boolean handed, BuildLookup lookup) {
        BuildStatus status;
        try {
            status = lookup.status(b.id, b.job.name());
        } catch (RuntimeException ex) {
            LOG.log(System.Logger.Level.WARNING, "cannot ask Jenkins about build " + b.id + " (" + b.job.name()
                    + ") after the restart: " + ex + "; left attached, its end is taken when Jenkins reports it", ex);
            return;
        }
        if (status == null) {
            status = BuildStatus.unknown();
        }
        LOG.log(System.Logger.Level.INFO, "build {0} ({1}) for {2} after the restart: {3}", b.id, b.job.name(),
                b.item.changeRef, status);
        if (status instanceof BuildStatus.Running r) {
            attached(b, r.url());
        } else if (status instanceof BuildStatus.Ended e) {
            onJobCompleted(b.id, e.result(), e.url());
        } else if (status instanceof BuildStatus.EndedWithoutResult w) {
            onJobEndedWithoutResult(b.id, w.why() == null ? "ended without a result across a restart" : w.why());
        } else if (handed) {
            onJobEndedWithoutResult(b.id, "Jenkins has no trace of it after a restart (its launch was lost)");
        } else {
            launchRestored(b);
        }
    }

    /** Jenkins has the build: a dequeue must cancel it there, even if the save said it was not handed over. */
    private void attached(Build b, String url) {
        lock.lock();
        try {
            if (builds.get(b.id) != b) {
                return; // ended or dequeued meanwhile
            }
            b.settling = false;
            b.launchDecided = true; // Jenkins has it: never launched again
            if (b.launch == Build.Launch.NOT_YET) {
                b.launch = Build.Launch.LAUNCHED;
                revision++;
            }
            if (url != null && !url.equals(b.url)) {
                b.url = url;
                revision++;
            }
        } finally {
            lock.unlock();
        }
    }

    /** A launch decided before the restart and never handed over: made now, under the same id. */
    private void launchRestored(Build b) {
        Decisions d = new Decisions(clock.instant());
        lock.lock();
        try {
            if (builds.get(b.id) == b && b.isOpen()) { // else dequeued meanwhile
                b.settling = false;
                d.launch(b); // with the item's merge pending: launched when it is ready
            }
        } finally {
            lock.unlock();
            d.carryOut();
        }
    }

    /** A report's reporter returned: it is made (or given up on) and never made again. */
    private void reported(QueueItem item, ReportAction action) {
        lock.lock();
        try {
            item.reporting.remove(action);
            item.reported.add(action);
            if (item.reporting.isEmpty()) {
                finishing.remove(item.uuid, item);
            }
            revision++;
        } finally {
            lock.unlock();
        }
    }

    /**
     * What the managers decide during one locked section, in order, and their access to the time, new
     * ids and the build registry. Recording happens under the lock; {@link #carryOut} runs after it is
     * released. One per locked section, on one thread.
     */
    final class Decisions {
        private final Instant now;
        private final List<Runnable> effects = new ArrayList<>();

        private Decisions(Instant now) {
            this.now = now;
        }

        Instant now() {
            return now;
        }

        String newId() {
            return uuids.get();
        }

        /**
         * Registers the build and launches it once the lock is released; while its item's merge is
         * pending, it stays registered and is launched when the merge is ready ({@link #launchAfterMerge}).
         */
        void launch(Build b) {
            revision++;
            builds.put(b.id, b);
            if (b.item.merge != QueueItem.Merge.PENDING) {
                launchNow(b);
            }
        }

        /** A registered build waiting for its item's merge, now ready: launched (once). */
        void launchAfterMerge(Build b) {
            if (b.isOpen() && builds.get(b.id) == b && b.launch == Build.Launch.NOT_YET && !b.settling) {
                launchNow(b);
            }
        }

        private void launchNow(Build b) {
            if (b.launchDecided) {
                return;
            }
            b.launchDecided = true;
            LaunchRequest req = request(b);
            effects.add(() -> Scheduler.this.launch(b, req));
        }

        /**
         * Asks the merger for the item (with the items ahead of it, oldest first, then itself) once
         * the lock is released. False, and nothing asked, without a merger.
         */
        boolean merge(QueueItem item, List<QueueItem> aheadAndItem) {
            if (merger == null) {
                return false;
            }
            revision++;
            item.merge = QueueItem.Merge.PENDING;
            List<Merger.Item> items = new ArrayList<>();
            for (QueueItem q : aheadAndItem) {
                items.add(mergeItem(q));
            }
            Merger.MergeRequest req = new Merger.MergeRequest(item.uuid, item.zuulRef(), items);
            effects.add(() -> requestMerge(item, req));
            return true;
        }

        void merged(QueueItem item) {
            ItemView view = item.view();
            Merger.MergeResult.Merged m = item.merged;
            effects.add(() -> listener.merged(view, m.ref(), m.commit()));
        }

        void mergeFailed(QueueItem item, String why) {
            ItemView view = item.view();
            effects.add(() -> listener.mergeFailed(view, why));
        }

        /** The build leaves the registry; a launcher that has it is told to cancel it. */
        void cancel(Build b) {
            revision++;
            builds.remove(b.id);
            b.state = Build.State.CANCELED;
            if (b.launch == Build.Launch.LAUNCHED) {
                String id = b.id;
                effects.add(() -> Scheduler.this.cancel(id));
            } // NOT_YET: launch() will skip it; LAUNCHING: launch() cancels it when the launcher returns
        }

        /**
         * Reports once the lock is released; until the reporter returns, the report counts as in
         * progress (saved as such), and a final report keeps its item in the saved state. An item
         * restored from a snapshot reports only what is not already made ({@link Reporter#reportIfAbsent}):
         * the snapshot may be older than the last report the stopped engine made.
         */
        void report(QueueItem item, Reporter r, Report report) {
            revision++;
            ReportAction action = report.action();
            item.reporting.add(action);
            if (action != ReportAction.START) {
                finishing.put(item.uuid, item);
            }
            effects.add(() -> {
                try {
                    if (item.restored) {
                        r.reportIfAbsent(report);
                    } else {
                        r.report(report);
                    }
                } finally {
                    reported(item, action);
                }
            });
        }

        void accepted(Pipeline p, GerritEvent event) {
            String name = p.name();
            effects.add(() -> listener.accepted(name, event));
        }

        void buildEnded(Build b) {
            ItemView view = b.item.view();
            String job = b.job.name();
            String id = b.id;
            BuildResult result = b.result;
            effects.add(() -> listener.buildEnded(view, job, id, result));
        }

        void enqueued(QueueItem item) {
            revision++;
            ItemView view = item.view();
            effects.add(() -> listener.enqueued(view));
        }

        void dequeued(QueueItem item, String reason) {
            revision++;
            ItemView view = item.view();
            effects.add(() -> listener.dequeued(view, reason));
        }

        void relaunched(QueueItem item, String job, int attempt, String why) {
            ItemView view = item.view();
            effects.add(() -> listener.relaunched(view, job, attempt, why));
        }

        void completed(QueueItem item, ReportAction action) {
            ItemView view = item.view();
            effects.add(() -> listener.completed(view, action.word()));
        }

        /** Runs each effect; one that throws (a plugin's listener, say) is logged and never stops the rest. */
        private void carryOut() {
            for (Runnable r : effects) {
                try {
                    r.run();
                } catch (RuntimeException ex) {
                    LOG.log(System.Logger.Level.WARNING, "scheduler effect failed: " + ex, ex);
                }
            }
        }
    }

    private LaunchRequest request(Build b) {
        QueueItem item = b.item;
        String pipeline = item.pipeline.name();
        return new LaunchRequest(b.id, b.job.name(), pipeline, item.changeRef.project(),
                JobParameters.build(item.event, pipeline, b.job, b.id, settings, item.merged), b.attempt);
    }

    /** What the merger needs of an item. Under the lock. */
    private Merger.Item mergeItem(QueueItem item) {
        Merger.Mode mode = config.mergeModes.getOrDefault(item.changeRef.project(), Merger.Mode.MERGE_RESOLVE);
        if (item.changeRef instanceof ChangeRef.Ref r) {
            return new Merger.Item(r.project(), JobParameters.branchOf(r.ref()), r.ref(), r.newRev(), mode, true);
        }
        return new Merger.Item(item.changeRef.project(), item.event.change().branch(),
                JobParameters.refspec(item.event.change(), item.event.patchSet()), item.event.patchSet().revision(),
                mode, false);
    }

    /**
     * Carried out after the lock is released, so a dequeue on another thread can come between the
     * decision to launch and the launch itself: a build dequeued before its launch is never started,
     * and one dequeued while launching is cancelled as soon as the launcher returns.
     */
    private void launch(Build b, LaunchRequest req) {
        lock.lock();
        try {
            if (!b.isOpen()) {
                return; // dequeued (or finished) before it was launched: nothing to start
            }
            b.launch = Build.Launch.LAUNCHING;
            revision++; // handed over: after a restart it is not launched again under this id
        } finally {
            lock.unlock();
        }
        try {
            launcher.launch(req);
        } catch (JobLauncher.LaunchException | RuntimeException ex) {
            LOG.log(System.Logger.Level.WARNING, "cannot launch " + req.job() + " (" + req.buildId() + ") for "
                    + req.project() + " in " + req.pipeline() + ": " + ex.getMessage(), ex);
            onJobCompleted(req.buildId(), BuildResult.LAUNCH_ERROR, null);
            return;
        }
        boolean cancelNow;
        lock.lock();
        try {
            cancelNow = b.launch == Build.Launch.LAUNCHING && b.state == Build.State.CANCELED;
            b.launch = Build.Launch.LAUNCHED;
        } finally {
            lock.unlock();
        }
        if (cancelNow) {
            cancel(b.id);
        }
    }

    private void cancel(String buildId) {
        try {
            launcher.cancel(buildId);
        } catch (RuntimeException ex) {
            LOG.log(System.Logger.Level.WARNING, "cannot cancel build " + buildId + ": " + ex, ex);
        }
    }

    private static ItemView view(Report r) {
        return new ItemView(r.itemUuid(), r.pipeline().name(), r.changeRef(), r.jobs());
    }
}
