package dev.tollgate.pipeline.scheduler;

import dev.tollgate.common.BuildResult;
import dev.tollgate.pipeline.event.ChangeRef;
import dev.tollgate.pipeline.event.EventType;
import dev.tollgate.pipeline.event.GerritEvent;
import dev.tollgate.pipeline.layout.Layout;
import dev.tollgate.pipeline.layout.LabelVote;
import dev.tollgate.pipeline.layout.PipelineConfig;
import dev.tollgate.pipeline.layout.PipelineJobs;
import dev.tollgate.pipeline.layout.ProjectConfig;
import dev.tollgate.pipeline.layout.ReporterConfig;
import dev.tollgate.pipeline.layout.TriggerConfig;
import dev.tollgate.pipeline.port.JobLauncher;
import dev.tollgate.pipeline.port.LaunchRequest;
import dev.tollgate.pipeline.port.Review;
import dev.tollgate.pipeline.port.ReviewPoster;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The pipeline engine: Gerrit events in, builds launched through {@link JobLauncher}, results in
 * through {@link #onJobCompleted}, reviews out through {@link ReviewPoster} — Zuul v2's
 * IndependentPipelineManager.
 *
 * <p>Queue rules, per pipeline: an item is keyed by project + change + patchset (or project + ref +
 * newrev for ref-updated); an item already queued or running is never enqueued again; a new
 * patchset dequeues the older ones of the same change and cancels their builds (unless
 * dequeue-on-new-patchset is false); change-abandoned dequeues the change everywhere. An event is
 * applied pipeline by pipeline in layout order, dequeues before the enqueue, as Zuul v2 did. A
 * build that ends without a result is launched again, up to its job's attempts (then its result is
 * RETRY_LIMIT). An item is done when all its jobs are done; non-voting jobs do not decide the result.
 *
 * <p>Thread-safe: events and completions may arrive on different threads. State changes happen
 * under one lock; launching, cancelling, posting and listener calls happen after it is released,
 * in the order they were decided, so a slow Gerrit never blocks event intake of other threads.
 */
public final class Scheduler {
    private static final System.Logger LOG = System.getLogger(Scheduler.class.getName());

    private final JobLauncher launcher;
    private final ReviewPoster poster;
    private final Clock clock;
    private final Supplier<String> uuids;
    private final LaunchSettings settings;
    private final SchedulerListener listener;
    private final ReentrantLock lock = new ReentrantLock();

    private volatile Config config;
    /** pipeline name -> items in enqueue order, by what they are about. */
    private final Map<String, LinkedHashMap<ChangeRef, Item>> queues = new LinkedHashMap<>();
    private final Map<String, Build> builds = new HashMap<>();

    /** The layout, indexed for the hot path. */
    private record Config(Layout layout, List<PipelineConfig> pipelines, List<EnumSet<EventType>> triggerTypes,
                          Map<String, Map<String, List<String>>> projectJobs, JobResolver jobs) {
        static Config of(Layout layout) {
            List<EnumSet<EventType>> types = new ArrayList<>();
            for (PipelineConfig p : layout.pipelines()) {
                EnumSet<EventType> s = EnumSet.noneOf(EventType.class);
                for (TriggerConfig t : p.triggers()) {
                    s.addAll(t.events());
                }
                types.add(s);
            }
            Map<String, Map<String, List<String>>> projectJobs = new HashMap<>();
            for (ProjectConfig pc : layout.projects()) {
                Map<String, List<String>> byPipeline = new HashMap<>();
                for (PipelineJobs pj : pc.pipelines()) {
                    byPipeline.put(pj.pipeline(), pj.jobs());
                }
                projectJobs.put(pc.name(), byPipeline);
            }
            return new Config(layout, layout.pipelines(), types, projectJobs, new JobResolver(layout.jobs()));
        }
    }

    private final class Item {
        final String uuid;
        final PipelineConfig pipeline;
        final ChangeRef key;
        final GerritEvent event;
        final List<Build> builds = new ArrayList<>();

        Item(String uuid, PipelineConfig pipeline, ChangeRef key, GerritEvent event) {
            this.uuid = uuid;
            this.pipeline = pipeline;
            this.key = key;
            this.event = event;
        }

        ItemView view() {
            List<String> jobs = new ArrayList<>(builds.size());
            for (Build b : builds) {
                jobs.add(b.job.name());
            }
            return new ItemView(uuid, pipeline.name(), key, jobs);
        }

        boolean done() {
            for (Build b : builds) {
                if (b.state != BuildState.ENDED) {
                    return false;
                }
            }
            return true;
        }
    }

    private enum Launch { NOT_YET, LAUNCHING, LAUNCHED }

    /** OPEN until the build ends: with a result (ENDED), by a dequeue (CANCELED), or without one (REPLACED). */
    private enum BuildState { OPEN, ENDED, CANCELED, REPLACED }

    private static final class Build {
        final String id;
        final Item item;
        final ResolvedJob job;
        final Instant launched;
        /** 1 for the first launch of the job for its item; a relaunch is a new Build with the next number. */
        final int attempt;
        Instant started;
        Instant ended;
        BuildState state = BuildState.OPEN;
        /** Set when ENDED. */
        BuildResult result;
        String url;
        /** Where the launch effect is (guarded by lock): a dequeue cancels only what was handed over. */
        Launch launch = Launch.NOT_YET;

        Build(String id, Item item, ResolvedJob job, Instant launched, int attempt) {
            this.id = id;
            this.item = item;
            this.job = job;
            this.launched = launched;
            this.attempt = attempt;
        }
    }

    private Scheduler(Builder b) {
        this.launcher = Objects.requireNonNull(b.launcher, "launcher");
        this.poster = Objects.requireNonNull(b.poster, "reviewPoster");
        this.clock = b.clock == null ? Clock.systemUTC() : b.clock;
        this.uuids = b.uuids == null ? () -> UUID.randomUUID().toString().replace("-", "") : b.uuids;
        this.settings = b.settings == null ? LaunchSettings.NONE : b.settings;
        this.listener = b.listener == null ? SchedulerListener.NONE : b.listener;
        this.config = Config.of(Objects.requireNonNull(b.layout, "layout"));
    }

    public static Builder builder(Layout layout) {
        return new Builder(layout);
    }

    /** Builds a scheduler; launcher and reviewPoster are required. */
    public static final class Builder {
        private final Layout layout;
        private JobLauncher launcher;
        private ReviewPoster poster;
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
     */
    public void reconfigure(Layout layout) {
        Config c = Config.of(layout);
        lock.lock();
        try {
            config = c;
        } finally {
            lock.unlock();
        }
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
        List<PipelineConfig> matched = new ArrayList<>();
        Map<String, List<String>> projectPipelines = c.projectJobs.get(event.project());
        if (projectPipelines != null) { // else a project the layout does not know: only dequeues apply
            for (int i = 0; i < c.pipelines.size(); i++) {
                PipelineConfig p = c.pipelines.get(i);
                if (c.triggerTypes.get(i).contains(event.type()) && projectPipelines.containsKey(p.name())
                        && triggers(p, event, now) && EventMatcher.meetsRequire(p.require(), event, now)
                        && !EventMatcher.rejected(p.reject(), event, now)) {
                    matched.add(p);
                }
            }
        }
        boolean abandoned = event.type() == EventType.CHANGE_ABANDONED && event.change() != null;
        boolean newPatchset = event.type() == EventType.PATCHSET_CREATED && event.change() != null
                && event.patchSet() != null;
        if (matched.isEmpty() && !abandoned && !newPatchset) {
            return;
        }
        List<Runnable> effects = new ArrayList<>();
        lock.lock();
        try {
            // Zuul v2 takes the pipelines one by one, in layout order: dequeues, then the enqueue
            List<String> order = new ArrayList<>();
            c.pipelines.forEach(p -> order.add(p.name()));
            queues.keySet().stream().filter(q -> !order.contains(q)).forEach(order::add); // dropped by a reload
            for (String name : order) {
                LinkedHashMap<ChangeRef, Item> q = queues.get(name);
                if (q != null && abandoned) {
                    int change = event.change().number();
                    removeWhere(q, effects, "abandoned", it -> it.key instanceof ChangeRef.Patchset p
                            && p.project().equals(event.project()) && p.change() == change);
                }
                if (q != null && newPatchset) {
                    // Zuul v2: a new patchset retires older ones in every pipeline that dequeues on new
                    // patchsets, whether or not the new one is enqueued there
                    int change = event.change().number();
                    int patchset = event.patchSet().number();
                    removeWhere(q, effects, "new-patchset", it -> it.pipeline.dequeueOnNewPatchset()
                            && it.key instanceof ChangeRef.Patchset p && p.project().equals(event.project())
                            && p.change() == change && p.patchset() < patchset);
                }
                for (PipelineConfig p : matched) {
                    if (p.name().equals(name)) {
                        enqueue(c, p, projectPipelines.get(p.name()), event, now, effects);
                    }
                }
            }
        } finally {
            lock.unlock();
            run(effects);
        }
    }

    private static boolean triggers(PipelineConfig p, GerritEvent e, Instant now) {
        for (TriggerConfig t : p.triggers()) {
            if (EventMatcher.matches(t, e, now)) {
                return true;
            }
        }
        return false;
    }

    private void enqueue(Config c, PipelineConfig p, List<String> jobNames, GerritEvent e, Instant now,
                         List<Runnable> effects) {
        ChangeRef key = ChangeRef.of(e).orElse(null);
        if (key == null) {
            LOG.log(System.Logger.Level.WARNING, "{0} for change {1} has no patchset: not enqueued",
                    e.typeName(), String.valueOf(e.change().number()));
            return;
        }
        String branch = key instanceof ChangeRef.Ref r ? JobParameters.branchOf(r.ref()) : e.change().branch();
        LinkedHashMap<ChangeRef, Item> q = queues.computeIfAbsent(p.name(), k -> new LinkedHashMap<>());
        if (q.containsKey(key)) {
            return; // already queued or running: never twice
        }
        List<ResolvedJob> jobs = new ArrayList<>(jobNames.size());
        for (String name : jobNames) {
            ResolvedJob j = c.jobs.resolve(name, e.project(), branch);
            if (j != null) {
                jobs.add(j);
            }
        }
        if (jobs.isEmpty()) {
            return; // every job filtered out: nothing to run, nothing to report
        }
        Item item = new Item(uuids.get(), p, key, e);
        for (ResolvedJob j : jobs) {
            Build b = new Build(uuids.get(), item, j, now, 1);
            item.builds.add(b);
            if (j.isNoop()) {
                b.state = BuildState.ENDED; // noop succeeds at once, nothing is launched
                b.result = BuildResult.SUCCESS;
                b.ended = now;
            } else {
                builds.put(b.id, b);
            }
        }
        q.put(key, item);
        ItemView view = item.view();
        effects.add(() -> listener.enqueued(view));
        if (p.start() != null) {
            addReport(item, "start", p.start(), ReportFormatter.start(p), effects);
        }
        for (Build b : item.builds) {
            if (b.state == BuildState.OPEN) {
                LaunchRequest req = request(b);
                effects.add(() -> launch(b, req));
            }
        }
        if (item.done()) {
            finish(item, effects);
        }
    }

    private LaunchRequest request(Build b) {
        Item item = b.item;
        String pipeline = item.pipeline.name();
        return new LaunchRequest(b.id, b.job.name(), pipeline, item.key.project(),
                JobParameters.build(item.event, pipeline, b.job, b.id, settings), b.attempt);
    }

    /**
     * Effects run after the lock is released, so a dequeue on another thread can come between the
     * decision to launch and the launch itself: a build dequeued before its launch is never started,
     * and one dequeued while launching is cancelled as soon as the launcher returns.
     */
    private void launch(Build b, LaunchRequest req) {
        lock.lock();
        try {
            if (b.state != BuildState.OPEN) {
                return; // dequeued (or finished) before it was launched: nothing to start
            }
            b.launch = Launch.LAUNCHING;
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
            cancelNow = b.launch == Launch.LAUNCHING && b.state == BuildState.CANCELED;
            b.launch = Launch.LAUNCHED;
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

    private void removeWhere(LinkedHashMap<ChangeRef, Item> q, List<Runnable> effects, String reason,
                             java.util.function.Predicate<Item> which) {
        for (Iterator<Item> it = q.values().iterator(); it.hasNext(); ) {
            Item item = it.next();
            if (!which.test(item)) {
                continue;
            }
            it.remove();
            for (Build b : item.builds) {
                if (b.state == BuildState.OPEN) {
                    builds.remove(b.id);
                    b.state = BuildState.CANCELED;
                    if (b.launch == Launch.LAUNCHED) {
                        String id = b.id;
                        effects.add(() -> cancel(id));
                    } // NOT_YET: launch() will skip it; LAUNCHING: launch() cancels it when the launcher returns
                }
            }
            ItemView view = item.view();
            effects.add(() -> listener.dequeued(view, reason));
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
        List<Runnable> effects = new ArrayList<>();
        lock.lock();
        try {
            Build b = builds.remove(buildId);
            if (b == null) {
                LOG.log(System.Logger.Level.DEBUG, "completion of unknown or cancelled build {0} ignored", buildId);
                return;
            }
            b.state = BuildState.ENDED;
            b.result = result;
            b.ended = clock.instant();
            if (url != null) {
                b.url = url;
            }
            Item item = b.item;
            LinkedHashMap<ChangeRef, Item> q = queues.get(item.pipeline.name());
            if (item.done() && q != null && q.get(item.key) == item) {
                finish(item, effects);
            }
        } finally {
            lock.unlock();
            run(effects);
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
        List<Runnable> effects = new ArrayList<>();
        lock.lock();
        try {
            Build lost = builds.remove(buildId);
            if (lost == null) {
                LOG.log(System.Logger.Level.DEBUG, "end of unknown or cancelled build {0} ignored", buildId);
                return;
            }
            lost.state = BuildState.REPLACED; // a launch still in progress must neither report nor cancel it
            Item item = lost.item;
            LinkedHashMap<ChangeRef, Item> q = queues.get(item.pipeline.name());
            if (q == null || q.get(item.key) != item) {
                return;
            }
            Instant now = clock.instant();
            int attempt = lost.attempt + 1;
            Build next = new Build(uuids.get(), item, lost.job, now, attempt);
            item.builds.set(item.builds.indexOf(lost), next);
            if (attempt > Math.max(1, lost.job.attempts())) {
                // Zuul v2 ends the job without launching it: a build that never started, with no time
                LOG.log(System.Logger.Level.WARNING, "{0} ({1}) for {2}: {3}; launched {4} time(s), giving up",
                        lost.job.name(), buildId, item.key.project(), why, String.valueOf(lost.attempt));
                next.state = BuildState.ENDED;
                next.result = BuildResult.RETRY_LIMIT;
                if (item.done()) {
                    finish(item, effects);
                }
                return;
            }
            LOG.log(System.Logger.Level.INFO, "{0} ({1}) for {2}: {3}; launching attempt {4}",
                    lost.job.name(), buildId, item.key.project(), why, String.valueOf(attempt));
            builds.put(next.id, next);
            ItemView view = item.view();
            LaunchRequest req = request(next);
            effects.add(() -> listener.relaunched(view, lost.job.name(), attempt, why));
            effects.add(() -> launch(next, req));
        } finally {
            lock.unlock();
            run(effects);
        }
    }

    private void finish(Item item, List<Runnable> effects) {
        queues.get(item.pipeline.name()).remove(item.key);
        boolean success = true;
        List<ReportFormatter.JobOutcome> outcomes = new ArrayList<>();
        for (Build b : item.builds) {
            if (b.job.voting() && b.result != BuildResult.SUCCESS) {
                success = false;
            }
            Instant from = b.started != null ? b.started : b.launched;
            outcomes.add(new ReportFormatter.JobOutcome(b.job, b.result, b.url,
                    b.ended == null ? null : Duration.between(from, b.ended))); // RETRY_LIMIT: no time
        }
        PipelineConfig p = item.pipeline;
        String action = success ? "success" : "failure";
        ItemView view = item.view();
        effects.add(() -> listener.completed(view, action));
        ReporterConfig r = success ? p.success() : p.failure();
        if (r != null) {
            addReport(item, action, r,
                    success ? ReportFormatter.success(p, outcomes) : ReportFormatter.failure(p, outcomes), effects);
        }
    }

    private void addReport(Item item, String action, ReporterConfig r, String message, List<Runnable> effects) {
        if (!(item.key instanceof ChangeRef.Patchset p)) {
            return; // a ref update has no change to review
        }
        Map<String, Integer> labels = new LinkedHashMap<>();
        for (LabelVote v : r.labels()) {
            labels.put(v.name(), v.value());
        }
        String revision = item.event.patchSet() == null ? null : item.event.patchSet().revision();
        Review review = new Review(p.project(), p.change(), p.patchset(), revision, labels, message,
                item.uuid + ":" + action);
        ItemView view = item.view();
        effects.add(() -> {
            try {
                listener.reporting(view, action, review);
            } catch (RuntimeException ex) {
                LOG.log(System.Logger.Level.WARNING, "listener failed on " + action + " report: " + ex, ex);
            }
            try {
                poster.post(review);
            } catch (ReviewPoster.ReviewException | RuntimeException ex) {
                // logged, never lost silently; the rest of the work goes on
                LOG.log(System.Logger.Level.WARNING, "cannot post " + action + " review for " + p.project()
                        + " change " + p + " in " + item.pipeline.name()
                        + " (item " + item.uuid + "): " + ex.getMessage(), ex);
            }
        });
    }

    /** Runs each effect; one that throws (a plugin's listener, say) is logged and never stops the rest. */
    private static void run(List<Runnable> effects) {
        for (Runnable r : effects) {
            try {
                r.run();
            } catch (RuntimeException ex) {
                LOG.log(System.Logger.Level.WARNING, "scheduler effect failed: " + ex, ex);
            }
        }
    }

    /** The items queued or running, per pipeline in layout order, oldest first. */
    public List<ItemView> items() {
        lock.lock();
        try {
            List<ItemView> out = new ArrayList<>();
            for (PipelineConfig p : config.pipelines) {
                LinkedHashMap<ChangeRef, Item> q = queues.get(p.name());
                if (q != null) {
                    for (Item it : q.values()) {
                        out.add(it.view());
                    }
                }
            }
            for (Map.Entry<String, LinkedHashMap<ChangeRef, Item>> e : queues.entrySet()) {
                if (config.layout.pipeline(e.getKey()).isEmpty()) {
                    for (Item it : e.getValue().values()) {
                        out.add(it.view());
                    }
                }
            }
            return out;
        } finally {
            lock.unlock();
        }
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
}
