package dev.tollgate.pipeline.scheduler;

import dev.tollgate.common.BuildResult;
import dev.tollgate.pipeline.event.ChangeRef;
import dev.tollgate.pipeline.event.EventType;
import dev.tollgate.pipeline.event.GerritEvent;
import dev.tollgate.pipeline.layout.Layout;
import dev.tollgate.pipeline.layout.PipelineConfig;
import dev.tollgate.pipeline.layout.PipelineJobs;
import dev.tollgate.pipeline.layout.ProjectConfig;
import dev.tollgate.pipeline.port.JobLauncher;
import dev.tollgate.pipeline.port.LaunchRequest;
import dev.tollgate.pipeline.port.ReviewPoster;
import dev.tollgate.pipeline.reporter.GerritReporter;
import dev.tollgate.pipeline.reporter.Report;
import dev.tollgate.pipeline.reporter.ReportAction;
import dev.tollgate.pipeline.reporter.Reporter;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 */
public final class Scheduler {
    private static final System.Logger LOG = System.getLogger(Scheduler.class.getName());

    private final JobLauncher launcher;
    private final ReviewPoster poster;
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

    /**
     * The layout, compiled for the hot path. Immutable: read without the lock. {@code managers} are
     * those of {@code pipelines}, same order; only their pure {@code accepts} is called outside the lock.
     */
    private record Config(Layout layout, List<Pipeline> pipelines, List<PipelineManager> managers,
                          Map<String, Map<String, List<String>>> projectJobs, JobResolver jobs) { }

    private Scheduler(Builder b) {
        this.launcher = Objects.requireNonNull(b.launcher, "launcher");
        this.poster = Objects.requireNonNull(b.poster, "reviewPoster");
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
        for (ProjectConfig pc : layout.projects()) {
            Map<String, List<String>> byPipeline = new HashMap<>();
            for (PipelineJobs pj : pc.pipelines()) {
                byPipeline.put(pj.name(), pj.jobs());
            }
            projectJobs.put(pc.name(), byPipeline);
        }
        return new Config(layout, pipelines, fresh, projectJobs, new JobResolver(layout.jobs()));
    }

    /** A pipeline seen before keeps its manager, and so its queue. Under the lock (or in the constructor). */
    private Config adopt(Config compiled) {
        List<PipelineManager> kept = new ArrayList<>();
        for (int i = 0; i < compiled.pipelines.size(); i++) {
            PipelineManager fresh = compiled.managers.get(i);
            kept.add(managers.computeIfAbsent(compiled.pipelines.get(i).name(), name -> fresh));
        }
        configuredAt = clock.instant();
        return new Config(compiled.layout, compiled.pipelines, kept, compiled.projectJobs, compiled.jobs);
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
        Decisions d = null;
        lock.lock();
        try {
            Build b = builds.remove(buildId);
            if (b == null) {
                LOG.log(System.Logger.Level.DEBUG, "completion of unknown or cancelled build {0} ignored", buildId);
                return;
            }
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

        /** Registers the build and launches it once the lock is released. */
        void launch(Build b) {
            builds.put(b.id, b);
            LaunchRequest req = request(b);
            effects.add(() -> Scheduler.this.launch(b, req));
        }

        /** The build leaves the registry; a launcher that has it is told to cancel it. */
        void cancel(Build b) {
            builds.remove(b.id);
            b.state = Build.State.CANCELED;
            if (b.launch == Build.Launch.LAUNCHED) {
                String id = b.id;
                effects.add(() -> Scheduler.this.cancel(id));
            } // NOT_YET: launch() will skip it; LAUNCHING: launch() cancels it when the launcher returns
        }

        void report(Reporter r, Report report) {
            effects.add(() -> r.report(report));
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
            ItemView view = item.view();
            effects.add(() -> listener.enqueued(view));
        }

        void dequeued(QueueItem item, String reason) {
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
                JobParameters.build(item.event, pipeline, b.job, b.id, settings), b.attempt);
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
