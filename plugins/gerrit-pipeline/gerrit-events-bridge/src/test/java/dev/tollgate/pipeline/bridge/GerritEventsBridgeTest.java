package dev.tollgate.pipeline.bridge;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.sonymobile.tools.gerrit.gerritevents.GerritJsonEventFactory;
import com.sonymobile.tools.gerrit.gerritevents.dto.GerritEventType;
import com.sonymobile.tools.gerrit.gerritevents.dto.GerritJsonEvent;
import com.sonymobile.tools.gerrit.gerritevents.dto.attr.Provider;
import com.sonymobile.tools.gerrit.gerritevents.dto.events.ChangeAbandoned;
import com.sonymobile.tools.gerrit.gerritevents.dto.events.CommentAdded;
import com.sonymobile.tools.gerrit.gerritevents.dto.events.GerritTriggeredEvent;
import com.sonymobile.tools.gerrit.gerritevents.dto.events.PatchsetCreated;
import com.sonymobile.tools.gerrit.gerritevents.dto.events.RefUpdated;
import com.sonymobile.tools.gerrit.gerritevents.dto.events.ReviewerAdded;
import dev.tollgate.pipeline.event.Account;
import dev.tollgate.pipeline.event.Approval;
import dev.tollgate.pipeline.event.EventParseException;
import dev.tollgate.pipeline.event.EventParser;
import dev.tollgate.pipeline.event.EventType;
import dev.tollgate.pipeline.event.GerritEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.Test;

public class GerritEventsBridgeTest {
    private final EventParser parser = new EventParser();
    private final GerritEventsBridge bridge = new GerritEventsBridge();

    // ---- the two intake paths agree -------------------------------------------------------

    @Test
    public void everyLineGivesEqualEventsThroughTheEngineParserAndThroughGerritEvents() throws Exception {
        List<StreamLines.Line> lines = new ArrayList<>(StreamLines.equivalentEvents());
        lines.addAll(StreamLines.metapluginExample());
        assertTrue("too few cases: " + lines.size(), lines.size() >= 25);
        List<String> failures = new ArrayList<>();
        int compared = 0;
        for (StreamLines.Line line : lines) {
            GerritEvent direct;
            try {
                direct = parser.parse(line.json());
            } catch (EventParseException e) {
                // bad lines (the example's cut-off line) must not get through the other path either
                GerritJsonEvent dto = GerritJsonEventFactory.getEventIfInteresting(line.json());
                if (dto != null) {
                    try {
                        bridge.convert(dto);
                        failures.add(line.description() + ": engine rejects (" + e.getMessage() + "), bridge accepts");
                    } catch (UnconvertibleEventException expected) {
                        // both reject
                    }
                }
                continue;
            }
            GerritJsonEvent dto = GerritJsonEventFactory.getEventIfInteresting(line.json());
            if (dto == null) {
                failures.add(line.description() + ": gerrit-events gave no event for a line the engine accepts");
                continue;
            }
            GerritEvent bridged;
            try {
                bridged = bridge.convert(dto).event();
            } catch (UnconvertibleEventException e) {
                failures.add(line.description() + ": bridge rejects: " + e.getMessage());
                continue;
            }
            compared++;
            if (direct.type() == EventType.UNKNOWN) {
                // ignored by the pipeline; only what identifies it must agree
                if (bridged.type() != EventType.UNKNOWN || !direct.typeName().equals(bridged.typeName())
                        || !java.util.Objects.equals(direct.change(), bridged.change())
                        || !java.util.Objects.equals(direct.patchSet(), bridged.patchSet())) {
                    failures.add(line.description() + ":\n  engine " + direct + "\n  bridge " + bridged);
                }
            } else if (!direct.equals(bridged)) {
                failures.add(line.description() + ":\n  engine " + direct + "\n  bridge " + bridged);
            }
        }
        if (!failures.isEmpty()) {
            fail(String.join("\n", failures));
        }
        assertTrue("compared " + compared, compared >= 25);
    }

    @Test
    public void numbersAsStringsAndAsIntegersGiveTheSameEvent() throws Exception {
        String asIntegers = "{\"type\":\"comment-added\",\"author\":{\"username\":\"bob\"},"
                + "\"change\":{\"project\":\"p\",\"branch\":\"main\",\"number\":12345},"
                + "\"patchSet\":{\"number\":3,\"revision\":\"abc\",\"ref\":\"refs/changes/45/12345/3\"},"
                + "\"approvals\":[{\"type\":\"Verified\",\"description\":\"Verified\",\"value\":-1,\"oldValue\":1}],"
                + "\"comment\":\"hi\",\"eventCreatedOn\":1763700000}";
        String asStrings = asIntegers.replace("\"number\":12345", "\"number\":\"12345\"")
                .replace("\"number\":3", "\"number\":\"3\"")
                .replace("\"value\":-1,\"oldValue\":1", "\"value\":\"-1\",\"oldValue\":\"+1\"")
                .replace("1763700000", "\"1763700000\"");
        GerritEvent a = viaBridge(asIntegers).event();
        GerritEvent b = viaBridge(asStrings).event();
        assertEquals(a, b);
        assertEquals(parser.parse(asStrings), b);
        assertEquals(12345, b.change().number());
        assertEquals(3, b.patchSet().number());
        assertEquals(List.of(new Approval("Verified", "Verified", -1, 1)), b.approvals());
        assertEquals(1763700000L, b.eventCreatedOn());
    }

    @Test
    public void carriesEveryFieldThePipelineUses() throws Exception {
        String line = "{\"type\":\"comment-added\",\"author\":{\"name\":\"Bob\",\"email\":\"bob@x.org\",\"username\":\"bob\"},"
                + "\"change\":{\"project\":\"tollgate/engine\",\"branch\":\"main\",\"number\":77,\"id\":\"I77\","
                + "\"url\":\"https://r/c/77\",\"subject\":\"Subj\",\"owner\":{\"name\":\"Al\",\"email\":\"al@x.org\",\"username\":\"al\"},"
                + "\"status\":\"NEW\",\"topic\":\"t\",\"commitMessage\":\"Subj\\n\\nChange-Id: I77\\n\"},"
                + "\"patchSet\":{\"number\":2,\"revision\":\"deadbeef\",\"ref\":\"refs/changes/77/77/2\","
                + "\"uploader\":{\"username\":\"al\"},\"author\":{\"name\":\"Al\"}},"
                + "\"approvals\":[{\"type\":\"Code-Review\",\"description\":\"Code-Review\",\"value\":\"2\",\"oldValue\":\"0\"},"
                + "{\"type\":\"Verified\",\"description\":\"Verified\",\"value\":\"1\"}],"
                + "\"comment\":\"Patch Set 2: Code-Review+2\",\"eventCreatedOn\":1763700001}";
        GerritEvent e = viaBridge(line).event();
        assertEquals(EventType.COMMENT_ADDED, e.type());
        assertEquals("comment-added", e.typeName());
        assertEquals("tollgate/engine", e.project());
        assertEquals("main", e.branch());
        assertEquals(77, e.change().number());
        assertEquals("I77", e.change().id());
        assertEquals("https://r/c/77", e.change().url());
        assertEquals("Subj", e.change().subject());
        assertEquals(new Account("al", "al@x.org", "Al"), e.change().owner());
        assertEquals("NEW", e.change().status());
        assertEquals("t", e.change().topic());
        assertEquals("Subj\n\nChange-Id: I77\n", e.change().commitMessage());
        assertEquals(2, e.patchSet().number());
        assertEquals("deadbeef", e.patchSet().revision());
        assertEquals("refs/changes/77/77/2", e.patchSet().ref());
        assertEquals(new Account("al", null, null), e.patchSet().uploader());
        assertEquals(new Account(null, null, "Al"), e.patchSet().author());
        assertEquals(new Account("bob", "bob@x.org", "Bob"), e.account());
        assertEquals("Patch Set 2: Code-Review+2", e.comment());
        assertEquals(List.of(new Approval("Code-Review", "Code-Review", 2, 0), new Approval("Verified", "Verified", 1, null)),
                e.approvals());
        assertEquals(1763700001L, e.eventCreatedOn());
        assertEquals(parser.parse(line), e);
    }

    @Test
    public void abandonerRestorerSubmitterAndUploaderBecomeTheEventAccount() throws Exception {
        String change = "\"change\":{\"project\":\"p\",\"branch\":\"main\",\"number\":1},\"patchSet\":{\"number\":1}";
        String[][] cases = {
            {"patchset-created", "uploader"}, {"draft-published", "uploader"}, {"comment-added", "author"},
            {"change-abandoned", "abandoner"}, {"change-restored", "restorer"}, {"change-merged", "submitter"},
        };
        for (String[] c : cases) {
            String line = "{\"type\":\"" + c[0] + "\",\"" + c[1] + "\":{\"username\":\"u-" + c[1] + "\"}," + change + "}";
            GerritEvent e = viaBridge(line).event();
            assertEquals(c[0], new Account("u-" + c[1], null, null), e.account());
            assertEquals(c[0], parser.parse(line), e);
        }
        String ref = "{\"type\":\"ref-updated\",\"submitter\":{\"username\":\"ci\"},\"refUpdate\":{\"project\":\"p\","
                + "\"refName\":\"refs/heads/main\",\"oldRev\":\"a\",\"newRev\":\"b\"}}";
        GerritEvent e = viaBridge(ref).event();
        assertEquals(new Account("ci", null, null), e.account());
        assertEquals("refs/heads/main", e.ref());
        assertEquals("p", e.project());
        assertNull(e.change());
        assertEquals(parser.parse(ref), e);
    }

    @Test
    public void serverNameTravelsBesideTheEvent() throws Exception {
        GerritJsonEvent dto = GerritJsonEventFactory.getEventIfInteresting(
                "{\"type\":\"patchset-created\",\"change\":{\"project\":\"p\",\"branch\":\"main\",\"number\":1},"
                        + "\"patchSet\":{\"number\":1}}");
        assertNull(bridge.convert(dto).serverName());
        ((GerritTriggeredEvent) dto).setProvider(
                new Provider("review-a", "review.example.org", "29418", "ssh", "https://review.example.org/", "3.10.2"));
        BridgedEvent b = bridge.convert(dto);
        assertEquals("review-a", b.serverName());
        assertEquals("p", b.event().project());
    }

    // ---- bad input: rejected with a reason, never an NPE ---------------------------------

    @Test
    public void rejectsWhatTheEngineRejectsWithAReason() throws Exception {
        String ps = "\"patchSet\":{\"number\":1}";
        String[][] cases = {
            {"{\"type\":\"patchset-created\",\"change\":{\"branch\":\"main\",\"number\":1}," + ps + "}", "change.project"},
            {"{\"type\":\"patchset-created\",\"change\":{\"project\":\"p\",\"number\":1}," + ps + "}", "change.branch"},
            {"{\"type\":\"patchset-created\",\"change\":{\"project\":\"p\",\"branch\":\"m\",\"number\":\"x1\"}," + ps + "}", "change.number"},
            {"{\"type\":\"patchset-created\",\"change\":{\"project\":\"p\",\"branch\":\"m\",\"number\":99999999999}," + ps + "}", "change.number"},
            {"{\"type\":\"patchset-created\",\"change\":{\"project\":\"p\",\"branch\":\"m\"}," + ps + "}", "change.number"},
            {"{\"type\":\"patchset-created\",\"change\":{\"project\":\"p\",\"branch\":\"m\",\"number\":1}}", "patchSet"},
            {"{\"type\":\"change-restored\",\"change\":{\"project\":\"p\",\"branch\":\"m\",\"number\":1},\"patchSet\":{\"number\":0}}", "patchSet.number"},
            {"{\"type\":\"comment-added\"," + ps + ",\"comment\":\"recheck\"}", "change"},
            {"{\"type\":\"comment-added\",\"change\":{\"project\":\"p\",\"branch\":\"m\",\"number\":1}," + ps
                    + ",\"approvals\":[{\"type\":\"Verified\"}]}", "approvals[0].value"},
            {"{\"type\":\"comment-added\",\"change\":{\"project\":\"p\",\"branch\":\"m\",\"number\":1}," + ps
                    + ",\"approvals\":[{\"type\":\"Verified\",\"value\":\"yes\"}]}", "approvals[0].value"},
            {"{\"type\":\"ref-updated\",\"submitter\":{\"username\":\"ci\"}}", "refUpdate"},
            {"{\"type\":\"ref-updated\",\"refUpdate\":{\"project\":\"p\",\"refName\":\"refs/heads/m\"}}", "refUpdate.newRev"},
            {"{\"type\":\"ref-updated\",\"refUpdate\":{\"refName\":\"refs/heads/m\",\"newRev\":\"b\"}}", "refUpdate.project"},
            {"{\"type\":\"ref-updated\",\"refUpdate\":{\"project\":\"p\",\"refName\":null,\"newRev\":\"b\"}}", "refUpdate.refName"},
            {"{\"type\":\"patchset-created\",\"change\":{\"project\":null,\"branch\":\"m\",\"number\":1}," + ps + "}", "change.project"},
            {"{\"type\":\"patchset-created\",\"change\":{\"project\":\"p\",\"branch\":\"m\",\"number\":1},\"patchSet\":{\"number\":null}}", "patchSet.number"},
        };
        for (String[] c : cases) {
            try {
                parser.parse(c[0]);
                fail("the engine accepts " + c[0]);
            } catch (EventParseException expected) {
                // the premise of the case
            }
            GerritJsonEvent dto = GerritJsonEventFactory.getEventIfInteresting(c[0]);
            assertNotNull("gerrit-events parses " + c[0], dto);
            try {
                BridgedEvent b = bridge.convert(dto);
                fail("the bridge accepts " + c[0] + " as " + b);
            } catch (UnconvertibleEventException e) {
                assertTrue(e.getMessage() + " should name " + c[1], e.getMessage().contains(c[1]));
                assertEquals(dto.getEventType().getTypeValue(), e.typeName());
            }
        }
        // not JSON, cut off, no type: gerrit-events itself gives nothing, the engine says why
        for (String bad : new String[] {"", "not json", "[]", "{}", "{\"type\":\"patchset-created\",\"change\":{\"proj"}) {
            assertNull(bad, GerritJsonEventFactory.getEventIfInteresting(bad));
            try {
                parser.parse(bad);
                fail("the engine accepts " + bad);
            } catch (EventParseException expected) {
                // both reject
            }
        }
    }

    @Test
    public void emptyDtosBuiltInCodeAreRejectedWithoutNullPointerExceptions() throws Exception {
        assertRejected(null, "no event");
        assertRejected(new PatchsetCreated(), "without \"change\"");
        assertRejected(new CommentAdded(), "without \"change\"");
        assertRejected(new ChangeAbandoned(), "without \"change\"");
        assertRejected(new RefUpdated(), "without \"refUpdate\"");
        PatchsetCreated noNumbers = new PatchsetCreated();
        noNumbers.setChange(new com.sonymobile.tools.gerrit.gerritevents.dto.attr.Change());
        assertRejected(noNumbers, "change.project");
        assertRejected(new com.sonymobile.tools.gerrit.gerritevents.dto.GerritEvent() {
            @Override
            public GerritEventType getEventType() {
                return GerritEventType.PATCHSET_CREATED;
            }

            @Override
            public boolean isScorable() {
                return false;
            }
        }, "not a Gerrit stream event");

        // a type the pipeline ignores converts to UNKNOWN even when empty
        GerritEvent unknown = bridge.convert(new ReviewerAdded()).event();
        assertEquals(EventType.UNKNOWN, unknown.type());
        assertEquals("reviewer-added", unknown.typeName());
        assertNull(unknown.change());
        assertTrue(unknown.approvals().isEmpty());
        assertEquals(0, unknown.eventCreatedOn());

        // change-abandoned with no abandoner at all: no account, no error
        ChangeAbandoned abandoned = (ChangeAbandoned) GerritJsonEventFactory.getEventIfInteresting(
                "{\"type\":\"change-abandoned\",\"change\":{\"project\":\"p\",\"branch\":\"m\",\"number\":4}}");
        GerritEvent a = bridge.convert(abandoned).event();
        assertNull(a.account());
        assertNull(a.patchSet());
    }

    // ---- differences, kept true by these tests (docs/gerrit-events-bridge.md) --------------

    @Test
    public void differenceUnreadableEventCreatedOnIsZeroThroughGerritEvents() throws Exception {
        String line = "{\"type\":\"patchset-created\",\"change\":{\"project\":\"p\",\"branch\":\"m\",\"number\":1},"
                + "\"patchSet\":{\"number\":1},\"eventCreatedOn\":\"yesterday\"}";
        assertEngineRejects(line, "eventCreatedOn");
        assertEquals(0, viaBridge(line).event().eventCreatedOn());
    }

    @Test
    public void differenceVoteWithoutTypeIsKeptByTheEngineAndRejectedByTheBridge() throws Exception {
        String line = "{\"type\":\"comment-added\",\"change\":{\"project\":\"p\",\"branch\":\"m\",\"number\":1},"
                + "\"patchSet\":{\"number\":1},\"approvals\":[{\"value\":\"1\"}]}";
        assertEquals(List.of(new Approval(null, null, 1, null)), parser.parse(line).approvals());
        assertBridgeRejects(line, "approvals[0].value missing");
    }

    @Test
    public void differenceVoteDescriptionIsTheLabelNameThroughGerritEvents() throws Exception {
        // Gerrit before 2.13 sent short codes with a long description; gerrit-events keeps no description
        String line = "{\"type\":\"comment-added\",\"change\":{\"project\":\"p\",\"branch\":\"m\",\"number\":1},"
                + "\"patchSet\":{\"number\":1},\"approvals\":[{\"type\":\"CRVW\",\"description\":\"Code Review\",\"value\":\"2\"}]}";
        assertEquals(new Approval("CRVW", "Code Review", 2, null), parser.parse(line).approvals().get(0));
        assertEquals(new Approval("CRVW", "CRVW", 2, null), viaBridge(line).event().approvals().get(0));
    }

    @Test
    public void differenceVoteWithoutDescriptionGetsTheLabelNameThroughGerritEvents() throws Exception {
        // the pipeline reads a vote's category as description, else type: the same either way
        String line = "{\"type\":\"comment-added\",\"change\":{\"project\":\"p\",\"branch\":\"m\",\"number\":1},"
                + "\"patchSet\":{\"number\":1},\"approvals\":[{\"type\":\"Verified\",\"value\":\"1\"}]}";
        assertEquals(new Approval("Verified", null, 1, null), parser.parse(line).approvals().get(0));
        assertEquals(new Approval("Verified", "Verified", 1, null), viaBridge(line).event().approvals().get(0));
    }

    @Test
    public void differenceShortBranchNameOfOldGerritIsCompletedThroughGerritEvents() throws Exception {
        // Gerrit before 2.12 sent "master" instead of "refs/heads/master" in ref-updated
        String line = "{\"type\":\"ref-updated\",\"refUpdate\":{\"project\":\"p\",\"refName\":\"master\","
                + "\"oldRev\":\"a\",\"newRev\":\"b\"}}";
        assertEquals("master", parser.parse(line).ref());
        assertEquals("refs/heads/master", viaBridge(line).event().ref());
    }

    @Test
    public void differenceEmptyAccountObjectIsNoAccountThroughGerritEvents() throws Exception {
        // json-lib cannot tell "uploader": {} from "uploader": null; neither names anybody
        String line = "{\"type\":\"patchset-created\",\"uploader\":{},\"change\":{\"project\":\"p\","
                + "\"branch\":\"m\",\"number\":1},\"patchSet\":{\"number\":1}}";
        assertEquals(new Account(null, null, null), parser.parse(line).account());
        assertNull(viaBridge(line).event().account());
    }

    @Test
    public void differenceUnfamiliarStatusAndEmptyTopicBecomeNullThroughGerritEvents() throws Exception {
        String line = "{\"type\":\"draft-published\",\"change\":{\"project\":\"p\",\"branch\":\"m\",\"number\":1,"
                + "\"status\":\"DRAFT\",\"topic\":\"\"},\"patchSet\":{\"number\":1}}";
        GerritEvent direct = parser.parse(line);
        assertEquals("DRAFT", direct.change().status());
        assertEquals("", direct.change().topic());
        GerritEvent bridged = viaBridge(line).event();
        assertNull(bridged.change().status());
        assertNull(bridged.change().topic());
    }

    @Test
    public void differenceJsonLibRewritesTextThatLooksLikeJavaScript() throws Exception {
        // json-lib quotes a string value that reads "null" or looks like a JavaScript function
        String line = "{\"type\":\"comment-added\",\"change\":{\"project\":\"p\",\"branch\":\"m\",\"number\":1,"
                + "\"subject\":\"function(){}\"},\"patchSet\":{\"number\":1},\"comment\":\"null\"}";
        GerritEvent direct = parser.parse(line);
        assertEquals("null", direct.comment());
        assertEquals("function(){}", direct.change().subject());
        GerritEvent bridged = viaBridge(line).event();
        assertEquals("\"null\"", bridged.comment());
        assertEquals("\"function(){}\"", bridged.change().subject());
    }

    @Test
    public void differenceTypesGerritEventsDoesNotKnowNeverReachTheBridge() throws Exception {
        // Gerrit 3.x sends batch-ref-updated and change-deleted; both paths ignore them
        for (String type : new String[] {"batch-ref-updated", "change-deleted"}) {
            String line = "{\"type\":\"" + type + "\",\"eventCreatedOn\":1}";
            assertEquals(EventType.UNKNOWN, parser.parse(line).type());
            assertNull(GerritJsonEventFactory.getEventIfInteresting(line));
        }
    }

    // ---- helpers -------------------------------------------------------------------------

    private BridgedEvent viaBridge(String line) throws UnconvertibleEventException {
        GerritJsonEvent dto = GerritJsonEventFactory.getEventIfInteresting(line);
        assertNotNull("gerrit-events gives no event for " + line, dto);
        return bridge.convert(dto);
    }

    private void assertRejected(com.sonymobile.tools.gerrit.gerritevents.dto.GerritEvent dto, String reason) {
        try {
            BridgedEvent b = bridge.convert(dto);
            fail("accepted " + b);
        } catch (UnconvertibleEventException e) {
            assertTrue(e.getMessage() + " should contain " + reason, e.getMessage().contains(reason));
        }
    }

    private void assertBridgeRejects(String line, String reason) {
        try {
            BridgedEvent b = viaBridge(line);
            fail("the bridge accepts " + b);
        } catch (UnconvertibleEventException e) {
            assertTrue(e.getMessage() + " should contain " + reason, e.getMessage().contains(reason));
        }
    }

    private void assertEngineRejects(String line, String reason) {
        try {
            GerritEvent e = parser.parse(line);
            fail("the engine accepts " + e);
        } catch (EventParseException e) {
            assertTrue(e.getMessage() + " should contain " + reason, e.getMessage().contains(reason));
        }
        assertFalse(line.isEmpty());
    }
}
