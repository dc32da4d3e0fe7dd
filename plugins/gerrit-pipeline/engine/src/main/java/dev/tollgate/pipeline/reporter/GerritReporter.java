package dev.tollgate.pipeline.reporter;

import dev.tollgate.pipeline.event.ChangeRef;
import dev.tollgate.pipeline.layout.LabelVote;
import dev.tollgate.pipeline.layout.ReporterConfig;
import dev.tollgate.pipeline.port.Review;
import dev.tollgate.pipeline.port.ReviewPoster;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The gerrit reporter: one review per report, with the action's labels and Zuul v2's message, posted
 * through the {@link ReviewPoster} port. A ref update has no change to review and is not reported.
 * A review that cannot be posted is logged (WARNING) with the project, change, pipeline and item,
 * and dropped. {@link #reportIfAbsent} posts through {@link ReviewPoster#postIfAbsent}, which looks
 * for the review's key on the change first. Immutable, thread-safe.
 */
public final class GerritReporter implements Reporter {
    private static final System.Logger LOG = System.getLogger(GerritReporter.class.getName());

    /** Hears each review just before it is posted (logs, {@code tollgate simulate}, a status page). */
    @FunctionalInterface
    public interface Observer {
        void posting(Report report, Review review);

        Observer NONE = (report, review) -> { };
    }

    private final ReporterConfig config;
    private final ReviewPoster poster;
    private final Observer observer;

    public GerritReporter(ReporterConfig config, ReviewPoster poster, Observer observer) {
        this.config = Objects.requireNonNull(config, "config");
        this.poster = Objects.requireNonNull(poster, "poster");
        this.observer = observer == null ? Observer.NONE : observer;
    }

    @Override
    public void report(Report report) {
        send(report, false);
    }

    /** Posted through {@link ReviewPoster#postIfAbsent}: the poster looks for the review's key first. */
    @Override
    public void reportIfAbsent(Report report) {
        send(report, true);
    }

    private void send(Report report, boolean mayHaveLanded) {
        if (!(report.changeRef() instanceof ChangeRef.Patchset p)) {
            return; // a ref update has no change to review
        }
        Map<String, Integer> labels = new LinkedHashMap<>();
        for (LabelVote v : config.labels()) {
            labels.put(v.name(), v.value());
        }
        String action = report.action().word();
        Review review = new Review(p.project(), p.change(), p.patchset(), report.revision(), labels,
                report.message(), report.itemUuid() + ":" + action);
        try {
            observer.posting(report, review);
        } catch (RuntimeException ex) {
            LOG.log(System.Logger.Level.WARNING, "listener failed on " + action + " report: " + ex, ex);
        }
        try {
            if (!mayHaveLanded) {
                poster.post(review);
            } else if (!poster.postIfAbsent(review)) {
                LOG.log(System.Logger.Level.INFO, "{0} review for {1} change {2} (item {3}) had been posted before "
                        + "the restart; not posted again", action, p.project(), p, report.itemUuid());
            }
        } catch (ReviewPoster.ReviewException | RuntimeException ex) {
            // logged, never lost silently; the rest of the work goes on
            LOG.log(System.Logger.Level.WARNING, "cannot post " + action + " review for " + p.project()
                    + " change " + p + " in " + report.pipeline().name() + " (item " + report.itemUuid() + "): "
                    + ex.getMessage(), ex);
        }
    }
}
