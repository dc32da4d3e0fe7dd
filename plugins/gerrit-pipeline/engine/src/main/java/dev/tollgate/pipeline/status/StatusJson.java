package dev.tollgate.pipeline.status;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import dev.tollgate.common.BuildResult;
import dev.tollgate.pipeline.event.Account;
import dev.tollgate.pipeline.event.ChangeRef;
import dev.tollgate.pipeline.scheduler.SchedulerStatus;
import dev.tollgate.pipeline.scheduler.SchedulerStatus.ItemStatus;
import dev.tollgate.pipeline.scheduler.SchedulerStatus.JobStatus;
import dev.tollgate.pipeline.scheduler.SchedulerStatus.PipelineStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Writes a {@link SchedulerStatus} as Zuul v2's {@code status.json}, with the keys and value types
 * Zuul 2.5 served, so the dashboards written for it (Zuul's own status page and its descendants)
 * read Tollgate unchanged.
 *
 * <p>The shape, as Zuul 2.5 had it for an independent pipeline:
 * <pre>
 * {zuul_version, last_reconfigured (ms), trigger_event_queue: {length}, result_event_queue: {length},
 *  pipelines: [{name, description, change_queues: [{name, window, heads: [[item]]}]}]}
 * item: {id ("change,patchset", or the new revision of a ref update), url, project, owner, active, live,
 *        item_ahead, items_behind, failing_reasons, zuul_ref, enqueue_time (ms), remaining_time (ms),
 *        jobs: [...]}
 * job:  {name, uuid, url, report_url, result (upper case, null while running), voting, pipeline,
 *        elapsed_time and remaining_time (ms), estimated_time, launch_time, start_time, end_time
 *        (seconds since the epoch, with milliseconds, as Zuul's floats), canceled, retry, number,
 *        node_labels, node_name, worker}
 * </pre>
 * An independent pipeline gives every item a change queue of its own, named after its project, in
 * which the item is the only head: nothing is ahead of it or behind it. What Tollgate does not know
 * is written as Zuul wrote an unknown: the estimated time (no build-time history is kept; so the
 * remaining time of a running job is null, of an ended one 0), the Jenkins build number, the node,
 * the worker's details. Events are processed as they arrive, so both event queues are always empty.
 * One key is added: a job's {@code attempt} (1, then 2 for the relaunch after a lost build, ...).
 *
 * <p>Elapsed times are measured against the injected clock. Immutable and thread-safe.
 */
public final class StatusJson {
    /** Zuul's failing reason for an item with a voting job that did not succeed; the dashboard shows it. */
    public static final String JOB_FAILED = "at least one job failed";

    private static final JsonFactory JSON = JsonFactory.builder()
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .build();

    private final Clock clock;
    private final String version;

    /**
     * @param clock   the time elapsed times are measured to
     * @param version shown as {@code zuul_version} (e.g. the plugin's name and version)
     */
    public StatusJson(Clock clock, String version) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.version = Objects.requireNonNull(version, "version");
    }

    /** The document on one line, as served. */
    public String render(SchedulerStatus status) {
        return render(status, false);
    }

    /** The document indented by two spaces, lines ending in {@code \n} whatever the platform. */
    public String renderPretty(SchedulerStatus status) {
        return render(status, true);
    }

    /** Writes the one-line document as UTF-8; the stream is flushed, not closed. */
    public void write(SchedulerStatus status, OutputStream out) throws IOException {
        try (JsonGenerator g = JSON.createGenerator(out)) {
            write(status, g);
        }
    }

    private String render(SchedulerStatus status, boolean pretty) {
        Writer w = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(w)) {
            if (pretty) {
                DefaultIndenter lf = new DefaultIndenter("  ", "\n");
                g.setPrettyPrinter(new DefaultPrettyPrinter().withObjectIndenter(lf).withArrayIndenter(lf));
            }
            write(status, g);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return w.toString();
    }

    private void write(SchedulerStatus status, JsonGenerator g) throws IOException {
        Instant now = clock.instant();
        g.writeStartObject();
        g.writeStringField("zuul_version", version);
        g.writeNumberField("last_reconfigured", status.lastReconfigured().toEpochMilli());
        g.writeObjectFieldStart("trigger_event_queue");
        g.writeNumberField("length", 0);
        g.writeEndObject();
        g.writeObjectFieldStart("result_event_queue");
        g.writeNumberField("length", 0);
        g.writeEndObject();
        g.writeArrayFieldStart("pipelines");
        for (PipelineStatus p : status.pipelines()) {
            writePipeline(p, now, g);
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private void writePipeline(PipelineStatus p, Instant now, JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", p.name());
        g.writeStringField("description", p.description());
        g.writeArrayFieldStart("change_queues");
        for (ItemStatus item : p.items()) {
            // independent: one queue per item, named as Zuul named it, after the item's project
            g.writeStartObject();
            g.writeStringField("name", item.project());
            g.writeNumberField("window", 0);
            g.writeArrayFieldStart("heads");
            g.writeStartArray();
            writeItem(p, item, now, g);
            g.writeEndArray();
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private void writeItem(PipelineStatus p, ItemStatus item, Instant now, JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", id(item.changeRef()));
        g.writeStringField("url", item.url());
        g.writeStringField("project", item.project());
        g.writeFieldName("owner");
        writeAccount(item.owner(), g);
        g.writeBooleanField("active", true); // an independent queue has no window: every item is active
        g.writeBooleanField("live", true);   // and none is enqueued only as another's dependency
        g.writeNullField("item_ahead");
        g.writeArrayFieldStart("items_behind");
        g.writeEndArray();
        g.writeArrayFieldStart("failing_reasons");
        if (anyVotingJobFailed(item)) {
            g.writeString(JOB_FAILED);
        }
        g.writeEndArray();
        g.writeStringField("zuul_ref", item.ref());
        g.writeNumberField("enqueue_time", item.enqueued().toEpochMilli());
        // Zuul: known once every job has started; the longest remaining time of the jobs, which
        // without estimates is 0
        boolean allStarted = item.jobs().stream().allMatch(j -> j.started() != null);
        writeNumberOrNull("remaining_time", allStarted ? Long.valueOf(0) : null, g);
        g.writeArrayFieldStart("jobs");
        for (JobStatus job : item.jobs()) {
            writeJob(p, job, now, g);
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private void writeJob(PipelineStatus p, JobStatus job, Instant now, JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", job.name());
        g.writeStringField("uuid", job.buildId());
        g.writeStringField("url", job.url());
        // what a report links to: the build's URL, or the job's name while it has none (as Zuul)
        g.writeStringField("report_url", job.url() != null ? job.url() : job.name());
        BuildResult result = job.result();
        g.writeStringField("result", result == null ? null : result.name());
        g.writeBooleanField("voting", job.voting());
        g.writeStringField("pipeline", p.name());
        Long elapsed = null;
        Long remaining = null;
        if (job.started() != null) {
            Instant until = job.ended() != null ? job.ended() : now;
            elapsed = Math.max(0, Duration.between(job.started(), until).toMillis());
            remaining = job.ended() != null ? Long.valueOf(0) : null; // no estimate to count down from
        }
        writeNumberOrNull("elapsed_time", elapsed, g);
        writeNumberOrNull("remaining_time", remaining, g);
        g.writeNullField("estimated_time");
        writeSeconds("launch_time", job.launched(), g);
        writeSeconds("start_time", job.started(), g);
        writeSeconds("end_time", job.ended(), g);
        g.writeBooleanField("canceled", job.canceled());
        // Zuul's retry marks a build that ended without a result; here that build is replaced at once
        g.writeBooleanField("retry", false);
        g.writeNumberField("attempt", job.attempt());
        g.writeNullField("number");
        g.writeArrayFieldStart("node_labels");
        g.writeEndArray();
        g.writeNullField("node_name");
        writeUnknownWorker(g);
        g.writeEndObject();
    }

    /** Zuul's worker before the worker said anything about itself. */
    private static void writeUnknownWorker(JsonGenerator g) throws IOException {
        g.writeObjectFieldStart("worker");
        g.writeStringField("name", "Unknown");
        g.writeNullField("hostname");
        g.writeArrayFieldStart("ips");
        g.writeEndArray();
        g.writeNullField("fqdn");
        g.writeNullField("program");
        g.writeNullField("version");
        g.writeObjectFieldStart("extra");
        g.writeEndObject();
        g.writeEndObject();
    }

    /** Zuul's item id: {@code change,patchset}, or the new revision for a ref update. */
    static String id(ChangeRef ref) {
        return ref instanceof ChangeRef.Patchset p ? p.change() + "," + p.patchset() : ((ChangeRef.Ref) ref).newRev();
    }

    /** Gerrit's account object, as Zuul passed the change's owner on: only the fields Gerrit gave. */
    private static void writeAccount(Account a, JsonGenerator g) throws IOException {
        if (a == null) {
            g.writeNull();
            return;
        }
        g.writeStartObject();
        if (a.name() != null) {
            g.writeStringField("name", a.name());
        }
        if (a.email() != null) {
            g.writeStringField("email", a.email());
        }
        if (a.username() != null) {
            g.writeStringField("username", a.username());
        }
        g.writeEndObject();
    }

    private static boolean anyVotingJobFailed(ItemStatus item) {
        for (JobStatus j : item.jobs()) {
            if (j.voting() && j.result() != null && j.result() != BuildResult.SUCCESS) {
                return true;
            }
        }
        return false;
    }

    private static void writeNumberOrNull(String field, Long value, JsonGenerator g) throws IOException {
        if (value == null) {
            g.writeNullField(field);
        } else {
            g.writeNumberField(field, value.longValue());
        }
    }

    /** Seconds since the epoch with three decimals (Zuul wrote Python's time.time() floats). */
    private static void writeSeconds(String field, Instant at, JsonGenerator g) throws IOException {
        if (at == null) {
            g.writeNullField(field);
        } else {
            g.writeNumberField(field, BigDecimal.valueOf(at.toEpochMilli(), 3));
        }
    }
}
