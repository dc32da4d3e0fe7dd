package dev.tollgate.pipeline.status;

import dev.tollgate.common.BuildResult;
import dev.tollgate.pipeline.event.GerritEvent;
import dev.tollgate.pipeline.port.JobLauncher;
import dev.tollgate.pipeline.port.LaunchRequest;
import dev.tollgate.pipeline.port.Review;
import dev.tollgate.pipeline.port.ReviewPoster;
import dev.tollgate.pipeline.reporter.ReportAction;
import dev.tollgate.pipeline.scheduler.ItemView;
import dev.tollgate.pipeline.scheduler.SchedulerListener;
import dev.tollgate.pipeline.scheduler.SchedulerStatus;
import dev.tollgate.pipeline.scheduler.SchedulerStatus.ItemStatus;
import dev.tollgate.pipeline.scheduler.SchedulerStatus.JobStatus;
import dev.tollgate.pipeline.scheduler.SchedulerStatus.PipelineStatus;
import java.util.Locale;
import java.util.SortedMap;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The pipeline engine's metrics, by dotted name, for a metrics registry to publish. Counters are
 * counted as things happen: as the scheduler's {@link SchedulerListener} (events accepted, items
 * enqueued, dequeued and completed, builds relaunched and ended by result) and around its two ports
 * ({@link #counting(JobLauncher)}: builds launched and launch errors; {@link #counting(ReviewPoster)}:
 * reviews posted and failed, by action), where the outcome of each call is known. Gauges (queue
 * lengths, running builds) are read from a {@link SchedulerStatus} when a snapshot is taken, so
 * they are always those of the scheduler itself.
 *
 * <p>Wiring: {@code Scheduler.builder(layout).launcher(m.counting(launcher)).reviewPoster(m.counting(poster))
 * .listener(m)}, then {@code m.snapshot(scheduler.status(), stream.metrics())} whenever the registry
 * asks.
 *
 * <p>Thread-safe: counting never blocks (one {@link LongAdder} per name), and the listener calls
 * return at once, as the scheduler expects of them.
 */
public final class PipelineMetrics implements SchedulerListener {
    static final String PREFIX = "tollgate.";
    /** The dequeue reasons the scheduler gives ({@link SchedulerListener#dequeued}). */
    private static final String[] DEQUEUE_REASONS = {"new-patchset", "abandoned"};

    private final ConcurrentHashMap<String, LongAdder> counters = new ConcurrentHashMap<>();

    /** The launcher, counting each launch as launched or as a launch error, by pipeline. */
    public JobLauncher counting(JobLauncher launcher) {
        Objects.requireNonNull(launcher, "launcher");
        return new JobLauncher() {
            @Override
            public void launch(LaunchRequest request) throws LaunchException {
                try {
                    launcher.launch(request);
                } catch (LaunchException | RuntimeException e) {
                    count(pipeline(request.pipeline()) + "builds.launch_errors");
                    throw e;
                }
                count(pipeline(request.pipeline()) + "builds.launched");
            }

            @Override
            public void cancel(String buildId) {
                launcher.cancel(buildId);
            }
        };
    }

    /**
     * The poster, counting each review as posted or failed, by reporter action (start, success,
     * failure). {@link ReviewPoster#postIfAbsent} is handed on too (a restored item's reviews go
     * through it); a review the change had already is neither posted nor failed.
     */
    public ReviewPoster counting(ReviewPoster poster) {
        Objects.requireNonNull(poster, "poster");
        return new ReviewPoster() {
            @Override
            public void post(Review review) throws ReviewException {
                String action = PREFIX + "reports." + action(review) + ".";
                try {
                    poster.post(review);
                } catch (ReviewException | RuntimeException e) {
                    count(action + "failed");
                    throw e;
                }
                count(action + "posted");
            }

            @Override
            public boolean postIfAbsent(Review review) throws ReviewException {
                String action = PREFIX + "reports." + action(review) + ".";
                boolean posted;
                try {
                    posted = poster.postIfAbsent(review);
                } catch (ReviewException | RuntimeException e) {
                    count(action + "failed");
                    throw e;
                }
                if (posted) {
                    count(action + "posted");
                }
                return posted;
            }
        };
    }

    @Override
    public void accepted(String pipeline, GerritEvent event) {
        count(pipeline(pipeline) + "events.accepted");
    }

    @Override
    public void enqueued(ItemView item) {
        count(pipeline(item.pipeline()) + "enqueued");
    }

    @Override
    public void dequeued(ItemView item, String reason) {
        count(pipeline(item.pipeline()) + "dequeued." + word(reason));
    }

    @Override
    public void relaunched(ItemView item, String job, int attempt, String reason) {
        count(pipeline(item.pipeline()) + "builds.relaunched");
    }

    @Override
    public void buildEnded(ItemView item, String job, String buildId, BuildResult result) {
        count(pipeline(item.pipeline()) + "builds.result." + word(result.name()));
    }

    @Override
    public void completed(ItemView item, String action) {
        count(pipeline(item.pipeline()) + "completed." + word(action));
    }

    /**
     * Every metric now. Each pipeline of {@code status} has all its names, at 0 until something
     * happens, so a registry can create them up front; counters of a pipeline a reload removed stay.
     *
     * @param stream the event stream's snapshot, or null when there is none to show
     */
    public MetricsSnapshot snapshot(SchedulerStatus status, StreamMetrics stream) {
        Objects.requireNonNull(status, "status");
        SortedMap<String, Long> c = new TreeMap<>();
        SortedMap<String, Long> g = new TreeMap<>();
        for (String action : new String[] {ReportAction.START.word(), ReportAction.SUCCESS.word(),
                ReportAction.FAILURE.word()}) {
            c.put(PREFIX + "reports." + action + ".posted", 0L);
            c.put(PREFIX + "reports." + action + ".failed", 0L);
        }
        long items = 0;
        long running = 0;
        for (PipelineStatus p : status.pipelines()) {
            String name = pipeline(p.name());
            for (String counter : pipelineCounters()) {
                c.put(name + counter, 0L);
            }
            long pipelineRunning = 0;
            for (ItemStatus item : p.items()) {
                for (JobStatus job : item.jobs()) {
                    if (job.running()) {
                        pipelineRunning++;
                    }
                }
            }
            g.put(name + "queue", (long) p.items().size());
            g.put(name + "builds.running", pipelineRunning);
            items += p.items().size();
            running += pipelineRunning;
        }
        g.put(PREFIX + "queue", items);
        g.put(PREFIX + "builds.running", running);
        counters.forEach((name, n) -> c.put(name, n.sum()));
        if (stream != null) {
            g.put(PREFIX + "stream.connected", stream.connected() ? 1L : 0L);
            c.put(PREFIX + "stream.reconnects", stream.reconnects());
            c.put(PREFIX + "stream.events", stream.delivered());
            c.put(PREFIX + "stream.duplicates_dropped", stream.duplicatesDropped());
            c.put(PREFIX + "stream.dropped_outputs", stream.droppedOutputs());
            c.put(PREFIX + "stream.oversized_lines", stream.oversizedLines());
        }
        return new MetricsSnapshot(c, g, stream);
    }

    /** The counter names of one pipeline, after its {@code tollgate.pipeline.<name>.} prefix. */
    static String[] pipelineCounters() {
        BuildResult[] results = BuildResult.values();
        String[] names = new String[7 + DEQUEUE_REASONS.length + results.length];
        int i = 0;
        names[i++] = "events.accepted";
        names[i++] = "enqueued";
        names[i++] = "completed.success";
        names[i++] = "completed.failure";
        names[i++] = "builds.launched";
        names[i++] = "builds.launch_errors";
        names[i++] = "builds.relaunched";
        for (String reason : DEQUEUE_REASONS) {
            names[i++] = "dequeued." + word(reason);
        }
        for (BuildResult r : results) {
            names[i++] = "builds.result." + word(r.name());
        }
        return names;
    }

    private void count(String name) {
        counters.computeIfAbsent(name, k -> new LongAdder()).increment();
    }

    /**
     * {@code tollgate.pipeline.<name>.}; a character other than a letter, digit, {@code _} or
     * {@code -} becomes {@code _}, so a pipeline's name is always one segment of the dotted name.
     */
    static String pipeline(String name) {
        StringBuilder b = new StringBuilder(PREFIX.length() + 10 + name.length()).append(PREFIX).append("pipeline.");
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            b.append(ch < 128 && (Character.isLetterOrDigit(ch) || ch == '_' || ch == '-') ? ch : '_');
        }
        return b.append('.').toString();
    }

    /** A word of a metric name: lower case, {@code _} between words ({@code new-patchset} → {@code new_patchset}). */
    static String word(String s) {
        return s.toLowerCase(Locale.ROOT).replace('-', '_');
    }

    /** The reporter action of a review: the end of its key ({@code <item uuid>:<action>}). */
    private static String action(Review review) {
        String key = review.key();
        int colon = key.lastIndexOf(':');
        return colon < 0 ? "unknown" : word(key.substring(colon + 1));
    }
}
