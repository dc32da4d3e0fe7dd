package dev.tollgate.pipeline.reporter;

import dev.tollgate.common.BuildResult;
import dev.tollgate.pipeline.layout.PipelineConfig;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Review messages as Zuul v2 wrote them: the pipeline's success or failure message, a blank line,
 * one line per job ({@code - JOB URL : RESULT in 1m 02s (non-voting)}), then the footer.
 */
public final class ReportFormatter {
    private ReportFormatter() {}

    public static String start(PipelineConfig p) {
        return footer(p, p.startMessage().replace("{pipeline.name}", p.name()));
    }

    public static String success(PipelineConfig p, List<JobOutcome> jobs) {
        return footer(p, p.successMessage() + "\n\n" + jobLines(jobs));
    }

    public static String failure(PipelineConfig p, List<JobOutcome> jobs) {
        return footer(p, p.failureMessage() + "\n\n" + jobLines(jobs));
    }

    /** Zuul v2: the merge-failure message alone (no job ran), then the footer. */
    public static String mergeFailure(PipelineConfig p) {
        return footer(p, p.mergeFailureMessage());
    }

    static String footer(PipelineConfig p, String msg) {
        return p.footerMessage() == null || p.footerMessage().isEmpty() ? msg : msg + "\n" + p.footerMessage();
    }

    public static String jobLines(List<JobOutcome> jobs) {
        StringBuilder sb = new StringBuilder();
        for (JobOutcome o : jobs) {
            String result = o.result().name();
            if (o.result() == BuildResult.SUCCESS && o.successMessage() != null) {
                result = o.successMessage();
            } else if (o.result() == BuildResult.FAILURE && o.failureMessage() != null) {
                result = o.failureMessage();
            }
            sb.append("- ").append(o.job());
            if (o.url() != null && !o.url().isEmpty()) {
                sb.append(' ').append(o.url());
            }
            sb.append(" : ").append(result);
            if (o.elapsed() != null) {
                sb.append(" in ").append(elapsed(o.elapsed()));
            }
            if (!o.voting()) {
                sb.append(" (non-voting)");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Zuul's format: 1h 02m 03s, 2m 05s, 7s. */
    public static String elapsed(Duration d) {
        long t = Math.max(0, d.getSeconds());
        long h = t / 3600;
        long m = (t % 3600) / 60;
        long s = t % 60;
        if (h > 0) {
            return String.format(Locale.ROOT, "%dh %02dm %02ds", h, m, s);
        }
        if (m > 0) {
            return String.format(Locale.ROOT, "%dm %02ds", m, s);
        }
        return s + "s";
    }
}
