package dev.tollgate.pipeline.status;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import dev.tollgate.common.BuildResult;
import dev.tollgate.pipeline.event.ChangeRef;
import dev.tollgate.pipeline.scheduler.SchedulerStatus;
import dev.tollgate.pipeline.scheduler.SchedulerStatus.ItemStatus;
import dev.tollgate.pipeline.scheduler.SchedulerStatus.JobStatus;
import dev.tollgate.pipeline.scheduler.SchedulerStatus.PipelineStatus;
import dev.tollgate.testing.ManualClock;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.Test;

/**
 * {@link StatusJson}: Zuul v2's status.json. A golden file holds one fixed moment; the dashboard
 * test checks every key Zuul 2.5's status page script ({@code jquery.zuul.js}) reads, with its JSON
 * type, on every pipeline, item and job of that moment.
 */
public class StatusJsonTest {
    static final String VERSION = "tollgate 0.1.0";
    static final ObjectMapper JSON = new ObjectMapper();

    private static String golden() throws Exception {
        try (InputStream in = StatusJsonTest.class.getResourceAsStream("/status/status.json")) {
            return in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String goldenScenario() throws Exception {
        StatusScenario s = new StatusScenario();
        s.playGoldenScenario();
        return new StatusJson(s.clock, VERSION).renderPretty(s.scheduler.status());
    }

    @Test
    public void theGoldenScenarioRendersAsTheGoldenFile() throws Exception {
        String actual = goldenScenario() + "\n";
        if (!actual.equals(golden())) {
            Path out = Path.of("target", "status-actual.json");
            Files.createDirectories(out.getParent());
            Files.writeString(out, actual);
            assertEquals("status.json differs from src/test/resources/status/status.json; this run's output is in "
                    + out.toAbsolutePath(), golden(), actual);
        }
    }

    @Test
    public void everyKeyTheZuulDashboardReadsIsThereWithItsType() throws Exception {
        JsonNode root = JSON.readTree(goldenScenario());
        expect(root, "zuul_version", JsonNodeType.STRING);
        expect(root, "last_reconfigured", JsonNodeType.NUMBER);
        expect(expect(root, "trigger_event_queue", JsonNodeType.OBJECT), "length", JsonNodeType.NUMBER);
        expect(expect(root, "result_event_queue", JsonNodeType.OBJECT), "length", JsonNodeType.NUMBER);
        assertFalse("'message' is only for a paused Zuul; the page shows it when present", root.has("message"));
        JsonNode pipelines = expect(root, "pipelines", JsonNodeType.ARRAY);
        assertEquals(3, pipelines.size());
        int items = 0;
        int jobs = 0;
        for (JsonNode p : pipelines) {
            expect(p, "name", JsonNodeType.STRING);
            expect(p, "description", JsonNodeType.STRING, JsonNodeType.NULL);
            for (JsonNode q : expect(p, "change_queues", JsonNodeType.ARRAY)) {
                expect(q, "name", JsonNodeType.STRING);
                expect(q, "window", JsonNodeType.NUMBER);
                JsonNode heads = expect(q, "heads", JsonNodeType.ARRAY);
                assertEquals("an independent pipeline: each item is its own head", 1, heads.size());
                for (JsonNode head : heads) {
                    assertEquals(JsonNodeType.ARRAY, head.getNodeType());
                    assertEquals(1, head.size());
                    for (JsonNode item : head) {
                        items++;
                        jobs += checkItem(item, p.get("name").asText());
                    }
                }
            }
        }
        assertEquals(3, items);
        assertEquals(5, jobs);
    }

    /** The item's keys and types; returns how many jobs it has. */
    private static int checkItem(JsonNode item, String pipeline) {
        expect(item, "id", JsonNodeType.STRING);
        expect(item, "url", JsonNodeType.STRING, JsonNodeType.NULL);
        expect(item, "project", JsonNodeType.STRING);
        expect(item, "owner", JsonNodeType.OBJECT, JsonNodeType.NULL);
        expect(item, "active", JsonNodeType.BOOLEAN);
        expect(item, "live", JsonNodeType.BOOLEAN);
        expect(item, "item_ahead", JsonNodeType.STRING, JsonNodeType.NULL);
        for (JsonNode behind : expect(item, "items_behind", JsonNodeType.ARRAY)) {
            assertEquals(JsonNodeType.STRING, behind.getNodeType());
        }
        for (JsonNode reason : expect(item, "failing_reasons", JsonNodeType.ARRAY)) {
            assertEquals(JsonNodeType.STRING, reason.getNodeType());
        }
        expect(item, "zuul_ref", JsonNodeType.STRING);
        expect(item, "enqueue_time", JsonNodeType.NUMBER);
        assertTrue("enqueue_time is in milliseconds", item.get("enqueue_time").isIntegralNumber());
        expect(item, "remaining_time", JsonNodeType.NUMBER, JsonNodeType.NULL);
        JsonNode jobs = expect(item, "jobs", JsonNodeType.ARRAY);
        assertTrue(jobs.size() > 0);
        for (JsonNode job : jobs) {
            expect(job, "name", JsonNodeType.STRING);
            expect(job, "uuid", JsonNodeType.STRING);
            expect(job, "url", JsonNodeType.STRING, JsonNodeType.NULL);
            expect(job, "report_url", JsonNodeType.STRING);
            JsonNode result = expect(job, "result", JsonNodeType.STRING, JsonNodeType.NULL);
            if (result.isTextual()) {
                assertEquals("Zuul's results are upper case", result.asText().toUpperCase(), result.asText());
            }
            expect(job, "voting", JsonNodeType.BOOLEAN);
            assertEquals(pipeline, expect(job, "pipeline", JsonNodeType.STRING).asText());
            expect(job, "elapsed_time", JsonNodeType.NUMBER, JsonNodeType.NULL);
            expect(job, "remaining_time", JsonNodeType.NUMBER, JsonNodeType.NULL);
            expect(job, "estimated_time", JsonNodeType.NUMBER, JsonNodeType.NULL);
            expect(job, "launch_time", JsonNodeType.NUMBER);
            expect(job, "start_time", JsonNodeType.NUMBER, JsonNodeType.NULL);
            expect(job, "end_time", JsonNodeType.NUMBER, JsonNodeType.NULL);
            expect(job, "canceled", JsonNodeType.BOOLEAN);
            expect(job, "retry", JsonNodeType.BOOLEAN);
            expect(job, "number", JsonNodeType.NUMBER, JsonNodeType.NULL);
            expect(job, "node_labels", JsonNodeType.ARRAY);
            expect(job, "node_name", JsonNodeType.STRING, JsonNodeType.NULL);
            JsonNode worker = expect(job, "worker", JsonNodeType.OBJECT);
            expect(worker, "name", JsonNodeType.STRING);
            expect(worker, "ips", JsonNodeType.ARRAY);
            expect(worker, "extra", JsonNodeType.OBJECT);
        }
        return jobs.size();
    }

    private static JsonNode expect(JsonNode parent, String key, JsonNodeType... types) {
        assertTrue("missing key '" + key + "' in " + parent, parent.has(key));
        JsonNode v = parent.get(key);
        Set<JsonNodeType> allowed = EnumSet.of(types[0], types);
        assertTrue("'" + key + "' is " + v.getNodeType() + ", expected " + allowed + " in " + parent,
                allowed.contains(v.getNodeType()));
        return v;
    }

    @Test
    public void theDashboardTellsRunningFromQueuedByTheUrlAndShowsTheFailingReason() throws Exception {
        JsonNode root = JSON.readTree(goldenScenario());
        JsonNode check = root.get("pipelines").get(0).get("change_queues");
        JsonNode first = check.get(0).get("heads").get(0).get(0);
        JsonNode second = check.get(1).get("heads").get(0).get(0);
        assertEquals("12345,2", first.get("id").asText());
        JsonNode running = first.get("jobs").get(0);
        assertTrue("in progress: a url and no result", running.get("result").isNull() && running.get("url").isTextual());
        assertEquals(190_000, running.get("elapsed_time").asLong());
        assertEquals("a failing non-voting job does not fail the item", 0, first.get("failing_reasons").size());
        assertEquals(0, first.get("remaining_time").asLong());
        JsonNode queued = second.get("jobs").get(1);
        assertTrue("queued: neither", queued.get("result").isNull() && queued.get("url").isNull());
        assertEquals(2, queued.get("attempt").asInt());
        assertEquals(StatusJson.JOB_FAILED, second.get("failing_reasons").get(0).asText());
        assertTrue("not every job has started", second.get("remaining_time").isNull());
    }

    @Test
    public void elapsedTimesFollowTheInjectedClock() throws Exception {
        StatusScenario s = new StatusScenario();
        s.playGoldenScenario();
        ManualClock pageClock = new ManualClock(StatusScenario.T0.plusSeconds(100));
        StatusJson json = new StatusJson(pageClock, VERSION);
        SchedulerStatus status = s.scheduler.status();
        long before = runningElapsed(json, status);
        pageClock.advance(Duration.ofMillis(61_250));
        assertEquals(90_000, before);
        assertEquals(151_250, runningElapsed(json, status));
    }

    private static long runningElapsed(StatusJson json, SchedulerStatus status) throws Exception {
        return JSON.readTree(json.render(status)).get("pipelines").get(0).get("change_queues").get(0).get("heads")
                .get(0).get(0).get("jobs").get(0).get("elapsed_time").asLong();
    }

    @Test
    public void theOneLineTheStreamAndThePrettyFormsAreTheSameDocument() throws Exception {
        StatusScenario s = new StatusScenario();
        s.playGoldenScenario();
        StatusJson json = new StatusJson(s.clock, VERSION);
        SchedulerStatus status = s.scheduler.status();
        String line = json.render(status);
        assertFalse(line.contains("\n"));
        assertEquals(JSON.readTree(json.renderPretty(status)), JSON.readTree(line));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        json.write(status, out);
        assertArrayEquals(line.getBytes(StandardCharsets.UTF_8), out.toByteArray());
    }

    @Test
    public void timesAreWhatZuulWroteMillisecondsForTheItemSecondsForTheBuild() throws Exception {
        Instant launched = Instant.parse("2026-01-01T00:00:00.125Z");
        JobStatus job = new JobStatus("j", "b1", true, 1, launched, launched.plusMillis(1000), null, "u", null, false);
        ItemStatus item = new ItemStatus("i1", new ChangeRef.Patchset("p", 1, 1), "refs/changes/01/1/1", null, null,
                launched, List.of(job));
        SchedulerStatus status = new SchedulerStatus(launched, List.of(new PipelineStatus("check", null,
                "IndependentPipelineManager", List.of(item))));
        String line = new StatusJson(new ManualClock(launched.plusMillis(4000)), VERSION).render(status);
        assertTrue(line, line.contains("\"launch_time\":1767225600.125,\"start_time\":1767225601.125,"));
        JsonNode root = JSON.readTree(line);
        assertEquals(1767225600125L, root.get("last_reconfigured").asLong());
        JsonNode i = root.get("pipelines").get(0).get("change_queues").get(0).get("heads").get(0).get(0);
        assertEquals(1767225600125L, i.get("enqueue_time").asLong());
        JsonNode j = i.get("jobs").get(0);
        assertEquals(1767225600.125, j.get("launch_time").asDouble(), 0.0);
        assertEquals(1767225601.125, j.get("start_time").asDouble(), 0.0);
        assertEquals(3000, j.get("elapsed_time").asLong());
    }

    @Test
    public void aDescriptionOwnerAndUrlWithQuotesNewlinesAndNonAsciiSurviveTheRoundTrip() throws Exception {
        String description = "Line \"one\"\n\nSecond paragraph: Zürich \\ </script>";
        ItemStatus item = new ItemStatus("i1", new ChangeRef.Patchset("p", 1, 1), "refs/changes/01/1/1",
                "https://review.example.org/c/p/+/1?x=\"y\"", new dev.tollgate.pipeline.event.Account(null, null, "Jürgen \"J\""),
                Instant.EPOCH, List.of(new JobStatus("j", "b1", true, 1, Instant.EPOCH, null, null, null, null, false)));
        SchedulerStatus status = new SchedulerStatus(Instant.EPOCH, List.of(new PipelineStatus("check", description,
                "IndependentPipelineManager", List.of(item))));
        JsonNode root = JSON.readTree(new StatusJson(new ManualClock(), VERSION).render(status));
        JsonNode p = root.get("pipelines").get(0);
        assertEquals(description, p.get("description").asText());
        JsonNode i = p.get("change_queues").get(0).get("heads").get(0).get(0);
        assertEquals("https://review.example.org/c/p/+/1?x=\"y\"", i.get("url").asText());
        assertEquals("only the account fields Gerrit gave", Map.of("name", "Jürgen \"J\""),
                JSON.convertValue(i.get("owner"), Map.class));
    }

    @Test
    public void everyResultIsWrittenUnderItsZuulName() throws Exception {
        List<JobStatus> jobs = new ArrayList<>();
        for (BuildResult r : BuildResult.values()) {
            jobs.add(new JobStatus("j-" + r, "b-" + r, true, 1, Instant.EPOCH, null, Instant.EPOCH, null, r, false));
        }
        ItemStatus item = new ItemStatus("i1", new ChangeRef.Ref("p", "refs/tags/1", "ab12"), "refs/tags/1", null,
                null, Instant.EPOCH, jobs);
        SchedulerStatus status = new SchedulerStatus(Instant.EPOCH, List.of(new PipelineStatus("tag", null,
                "IndependentPipelineManager", List.of(item))));
        JsonNode i = JSON.readTree(new StatusJson(new ManualClock(), VERSION).render(status)).get("pipelines").get(0)
                .get("change_queues").get(0).get("heads").get(0).get(0);
        assertEquals("a ref update is known by its new revision", "ab12", i.get("id").asText());
        List<String> written = new ArrayList<>();
        i.get("jobs").forEach(j -> written.add(j.get("result").asText()));
        assertEquals(List.of("SUCCESS", "UNSTABLE", "FAILURE", "NOT_BUILT", "ABORTED", "LAUNCH_ERROR", "RETRY_LIMIT"),
                written);
    }

    @Test
    public void aSchedulerWithNothingQueuedShowsItsPipelinesWithoutQueues() throws Exception {
        StatusScenario s = new StatusScenario();
        JsonNode root = JSON.readTree(new StatusJson(s.clock, VERSION).render(s.scheduler.status()));
        List<String> names = new ArrayList<>();
        for (JsonNode p : root.get("pipelines")) {
            names.add(p.get("name").asText());
            assertEquals(0, p.get("change_queues").size());
        }
        assertEquals(List.of("check", "experimental", "post"), names);
        if (!root.get("pipelines").get(1).get("description").isNull()) {
            fail("a pipeline without a description has a null one, as in Zuul");
        }
    }
}
