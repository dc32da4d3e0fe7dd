package dev.tollgate.pipeline.scheduler.state;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.common.BuildResult;
import dev.tollgate.pipeline.event.Account;
import dev.tollgate.pipeline.event.Approval;
import dev.tollgate.pipeline.event.Change;
import dev.tollgate.pipeline.event.EventType;
import dev.tollgate.pipeline.event.GerritEvent;
import dev.tollgate.pipeline.event.PatchSet;
import dev.tollgate.pipeline.event.RefUpdate;
import dev.tollgate.pipeline.layout.LabelVote;
import dev.tollgate.pipeline.layout.ReporterConfig;
import dev.tollgate.pipeline.reporter.ReportAction;
import java.io.StringReader;
import java.io.StringWriter;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.Test;

public class SchedulerStateCodecTest {
    static final Instant T0 = Instant.parse("2026-03-01T10:15:30.123456789Z");
    static final SavedPipeline CHECK = new SavedPipeline("check", "IndependentPipelineManager",
            new ReporterConfig(List.of()), new ReporterConfig(List.of(new LabelVote("Verified", 1))),
            new ReporterConfig(List.of(new LabelVote("Verified", -1), new LabelVote("Code-Review", -1))),
            "Starting {pipeline.name} jobs.", "Build succeeded.", "Build failed.\n\u00dcbel: \"quotes\" \t tab",
            "", true);
    static final SavedPipeline POST = new SavedPipeline("post", "IndependentPipelineManager", null, null, null,
            "s", "ok", "ko", null, false);

    static GerritEvent comment() {
        Account owner = new Account("alice", "alice@example.org", "Alice Dev");
        return GerritEvent.ofChange(EventType.COMMENT_ADDED,
                new Change("openstack/neutron", "stable/2026.1", 12345, "Iabc", "https://review.example.org/c/12345",
                        "Fix \u2603 snowman", owner, "NEW", null, "line one\n\nChange-Id: Iabc\n"),
                new PatchSet(2, "0123456789abcdef", "refs/changes/45/12345/2", owner, new Account(null, null, null)),
                new Account("bob", null, "Bob"), "Patch Set 2:\n\nmetaplugin-recheck \u00e9\u0000",
                List.of(new Approval("Code-Review", "Code-Review", -2, null), new Approval("Verified", "Verified", 1, 0)),
                1763700000L);
    }

    static GerritEvent refUpdated() {
        return GerritEvent.ofRefUpdate(new RefUpdate("a/b", "refs/tags/1.0", RefUpdate.NULL_REV, "c0ffee"), null, 0L);
    }

    static SavedBuild build(String id, String job, SavedBuild.State state, BuildResult result) {
        return new SavedBuild(id, new SavedJob(job, true, null, null, 3), 1, T0, null, null, null, state, result, false);
    }

    static SchedulerState sample() {
        SavedItem queued = new SavedItem("u1", CHECK, comment(), T0, List.of(
                new SavedBuild("b1", new SavedJob("tempest", true, "passed", "broke", 2), 2, T0, T0.plusSeconds(3),
                        null, "https://jenkins/job/tempest/7/", SavedBuild.State.OPEN, null, true),
                new SavedBuild("b2", new SavedJob("docs-nv", false, null, null, 1), 1, T0, T0.plusSeconds(1),
                        T0.plusSeconds(61), "https://logs/b2", SavedBuild.State.ENDED, BuildResult.UNSTABLE, true),
                build("b3", "noop", SavedBuild.State.ENDED, BuildResult.SUCCESS)),
                Set.of(ReportAction.START), Set.of());
        SavedItem finishing = new SavedItem("u2", CHECK, comment(), T0.minusSeconds(600),
                List.of(build("b4", "unit", SavedBuild.State.ENDED, BuildResult.RETRY_LIMIT)),
                Set.of(), EnumSet.of(ReportAction.FAILURE, ReportAction.START));
        SavedItem ref = new SavedItem("u3", POST, refUpdated(), T0,
                List.of(build("b5", "release", SavedBuild.State.OPEN, null)), Set.of(), Set.of());
        return new SchedulerState(42, T0.plusSeconds(90), List.of(queued, finishing, ref));
    }

    @Test
    public void aStateComesBackEqualFromItsJson() throws Exception {
        SchedulerState state = sample();
        String json = SchedulerStateCodec.toJson(state);
        SchedulerState back = SchedulerStateCodec.fromJson(json);
        assertNotSame(state, back);
        assertEquals(state, back);
        assertEquals("the same state is written the same way", json, SchedulerStateCodec.toJson(back));
        assertTrue(json, json.startsWith("{\n  \"format\" : 1,\n"));
        assertTrue(json, json.contains("\"type\" : \"COMMENT_ADDED\""));
        assertTrue(json, json.contains("\"takenAt\" : \"2026-03-01T10:17:00.123456789Z\""));
    }

    @Test
    public void everyEventTypeAndEveryOptionalFieldSurvivesTheRoundTrip() throws Exception {
        Change bare = new Change("p", null, 1, null, null, null, null, null, null, null);
        List<GerritEvent> events = new java.util.ArrayList<>();
        for (EventType t : EventType.values()) {
            if (t != EventType.REF_UPDATED && t != EventType.UNKNOWN) {
                events.add(GerritEvent.ofChange(t, bare, new PatchSet(1, null, null, null, null), null, null, List.of(), 0));
            }
        }
        // an event type the engine does not act on keeps the name Gerrit gave it
        events.add(new GerritEvent(EventType.UNKNOWN, "reviewer-added", bare, new PatchSet(3, "r", null, null, null),
                null, null, null, null, -1L));
        events.add(refUpdated());
        events.add(comment());
        List<SavedItem> items = new java.util.ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            items.add(new SavedItem("u" + i, CHECK, events.get(i), T0,
                    List.of(build("b" + i, "j", SavedBuild.State.OPEN, null)), Set.of(), Set.of()));
        }
        SchedulerState state = new SchedulerState(0, T0, items);
        SchedulerState back = SchedulerStateCodec.fromJson(SchedulerStateCodec.toJson(state));
        for (int i = 0; i < events.size(); i++) {
            assertEquals(events.get(i), back.items().get(i).event());
        }
        assertEquals("reviewer-added", back.items().get(events.size() - 3).event().typeName());
        assertEquals(state, back);
    }

    @Test
    public void writingToAWriterLeavesItOpen() throws Exception {
        StringWriter w = new StringWriter() {
            @Override
            public void close() {
                throw new AssertionError("the caller owns the writer");
            }
        };
        SchedulerStateCodec.write(sample(), w);
        StringReader r = new StringReader(w.toString());
        assertEquals(sample(), SchedulerStateCodec.read(r));
        r.reset(); // still open
    }

    private static String refused(String json) {
        return assertThrows(SchedulerStateException.class, () -> SchedulerStateCodec.fromJson(json)).getMessage();
    }

    private static String sampleWith(String from, String to) {
        String json = SchedulerStateCodec.toJson(sample());
        assertTrue(from, json.contains(from));
        return json.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to));
    }

    @Test
    public void aDamagedFileIsRefusedSayingWhereAndWhy() throws Exception {
        String json = SchedulerStateCodec.toJson(sample());
        assertEquals("scheduler state is empty", refused(""));
        assertEquals("scheduler state is empty", refused("  \n"));
        String truncated = refused(json.substring(0, json.length() / 2));
        assertTrue(truncated, truncated.startsWith("scheduler state is not valid JSON: Unexpected end-of-input"));
        assertTrue(truncated, truncated.contains("(line "));
        String garbage = refused("\u0000\u0001PK\u0003\u0004");
        assertTrue(garbage, garbage.startsWith("scheduler state is not valid JSON: "));
        assertTrue(refused(json + "{}").startsWith("scheduler state is not valid JSON: "));
        assertEquals("not a scheduler state: expected a JSON object, got ARRAY", refused("[]"));
        assertEquals("not a scheduler state: no \"format\" number", refused("{\"items\": []}"));
        assertEquals("not a scheduler state: no \"format\" number", refused("{\"format\": \"1\"}"));
        assertEquals("not a scheduler state: format 0", refused("{\"format\": 0}"));

        assertEquals("scheduler state is damaged at items[0].builds[0]: attempt must be at least 1, not 0",
                refused(sampleWith("\"attempt\" : 2", "\"attempt\" : 0")));
        assertEquals("scheduler state is damaged at items[0]: missing enqueued",
                refused(sampleWith("\"enqueued\" : \"2026-03-01T10:15:30.123456789Z\"", "\"enqueued\" : null")));
        assertEquals("scheduler state is damaged at items[0].builds[0].job.voting: missing",
                refused(sampleWith("\"voting\" : true,", "")));
        assertEquals("scheduler state is damaged at items[0].builds[0].job.priority: unknown key",
                refused(sampleWith("\"attempts\" : 2", "\"attempts\" : 2, \"priority\" : 1")));
        assertEquals("scheduler state is damaged at items[0].builds[0].launched: expected an ISO-8601 instant such "
                + "as 2026-01-01T00:00:00Z, got yesterday", refused(sampleWith(
                        "\"launched\" : \"2026-03-01T10:15:30.123456789Z\"", "\"launched\" : \"yesterday\"")));
        assertEquals("scheduler state is damaged at items[0].builds[0].state: expected one of [OPEN, ENDED], got PAUSED",
                refused(sampleWith("\"state\" : \"OPEN\"", "\"state\" : \"PAUSED\"")));
        assertEquals("scheduler state is damaged at items[0].builds[0].attempt: expected a whole number, got two",
                refused(sampleWith("\"attempt\" : 2", "\"attempt\" : \"two\"")));
        assertEquals("scheduler state is damaged at items[0].event.type: expected one of " + java.util.Arrays.toString(
                EventType.values()) + ", got COMMENT_EDITED",
                refused(sampleWith("\"COMMENT_ADDED\"", "\"COMMENT_EDITED\"")));
        assertEquals("scheduler state is damaged at items[0].builds[0]: an OPEN build has no result yet, not FAILURE",
                refused(sampleWith("\"result\" : null", "\"result\" : \"FAILURE\"")));
        String dup = refused(sampleWith("\"revision\" : 42", "\"revision\" : 42, \"revision\" : 43"));
        assertTrue(dup, dup.startsWith("scheduler state is not valid JSON: Duplicate field 'revision'"));
        ObjectNode tree = (ObjectNode) new ObjectMapper().readTree(json);
        ObjectNode event = (ObjectNode) tree.path("items").get(0).path("event");
        event.putObject("comment");
        assertEquals("scheduler state is damaged at items[0].event.comment: expected a string", refused(tree.toString()));
        event.put("comment", "c");
        event.putNull("patchSet");
        assertEquals("scheduler state is damaged at items[0]: the event names neither a patchset nor a ref update",
                refused(tree.toString()));
    }

    @Test
    public void aFileOfANewerFormatIsRefusedAsSuch() {
        String json = SchedulerStateCodec.toJson(sample()).replace("\"format\" : 1,", "\"format\" : 2,");
        assertEquals("scheduler state is in format 2, written by a newer version of Tollgate; this version reads "
                + "format 1 and older", refused(json));
        assertEquals("scheduler state is in format 9, written by a newer version of Tollgate; this version reads "
                + "format 1 and older", refused("{\"format\": 9, \"whatever\": [1, 2]}"));
    }
}
