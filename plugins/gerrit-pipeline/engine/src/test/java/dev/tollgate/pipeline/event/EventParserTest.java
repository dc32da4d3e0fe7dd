package dev.tollgate.pipeline.event;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.Test;

public class EventParserTest {
    private final EventParser parser = new EventParser();

    static final String PATCHSET_CREATED_INT = "{\"uploader\":{\"name\":\"Alice\",\"email\":\"alice@example.org\","
            + "\"username\":\"alice\"},\"patchSet\":{\"number\":2,\"revision\":\"abc123\",\"parents\":[\"p\"],"
            + "\"ref\":\"refs/changes/45/12345/2\",\"uploader\":{\"name\":\"Alice\"},\"createdOn\":1,"
            + "\"author\":{\"name\":\"Al\"},\"kind\":\"REWORK\"},\"change\":{\"project\":\"openstack/neutron\","
            + "\"branch\":\"master\",\"id\":\"I1\",\"number\":12345,\"subject\":\"Fix it\",\"owner\":{\"name\":\"Owner\","
            + "\"email\":\"o@example.org\"},\"url\":\"https://r/c/12345\",\"commitMessage\":\"Fix it\\n\",\"status\":\"NEW\"},"
            + "\"project\":\"openstack/neutron\",\"refName\":\"refs/heads/master\",\"changeKey\":{\"key\":\"I1\"},"
            + "\"type\":\"patchset-created\",\"eventCreatedOn\":1763700100}";

    @Test
    public void parsesPatchsetCreatedWithIntegerNumbers() throws Exception {
        GerritEvent e = parser.parse(PATCHSET_CREATED_INT);
        assertEquals(EventType.PATCHSET_CREATED, e.type());
        assertEquals("openstack/neutron", e.project());
        assertEquals("master", e.branch());
        assertNull(e.ref());
        assertEquals(12345, e.change().number());
        assertEquals("I1", e.change().id());
        assertEquals("https://r/c/12345", e.change().url());
        assertEquals("Fix it", e.change().subject());
        assertEquals(new Account(null, "o@example.org", "Owner"), e.change().owner());
        assertEquals(2, e.patchSet().number());
        assertEquals("abc123", e.patchSet().revision());
        assertEquals("refs/changes/45/12345/2", e.patchSet().ref());
        assertEquals(new Account("alice", "alice@example.org", "Alice"), e.account());
        assertEquals(1763700100L, e.eventCreatedOn());
    }

    @Test
    public void acceptsNumbersAsStrings() throws Exception {
        String line = "{\"type\":\"comment-added\",\"eventCreatedOn\":\"1763700160\",\"author\":{\"username\":\"bob\"},"
                + "\"approvals\":[{\"type\":\"Code-Review\",\"description\":\"Code-Review\",\"value\":\"-1\",\"oldValue\":\"0\"},"
                + "{\"type\":\"Verified\",\"description\":\"Verified\",\"value\":1}],"
                + "\"comment\":\"Patch Set 1:\\n\\nrecheck\",\"patchSet\":{\"number\":\"1\",\"revision\":\"r\"},"
                + "\"change\":{\"project\":\"p\",\"branch\":\"b\",\"number\":\"77\"}}";
        GerritEvent e = parser.parse(line);
        assertEquals(EventType.COMMENT_ADDED, e.type());
        assertEquals(77, e.change().number());
        assertEquals(1, e.patchSet().number());
        assertEquals(1763700160L, e.eventCreatedOn());
        assertEquals("Patch Set 1:\n\nrecheck", e.comment());
        assertEquals(List.of(new Approval("Code-Review", "Code-Review", -1, 0), new Approval("Verified", "Verified", 1, null)),
                e.approvals());
        assertEquals("bob", e.account().username());
    }

    @Test
    public void takesTheActorFromTheFieldOfEachType() throws Exception {
        String change = "\"change\":{\"project\":\"p\",\"branch\":\"b\",\"number\":1},\"patchSet\":{\"number\":1}";
        assertEquals("ab", parser.parse("{\"type\":\"change-abandoned\",\"abandoner\":{\"username\":\"ab\"},"
                + "\"uploader\":{\"username\":\"x\"}," + change + "}").account().username());
        assertEquals("re", parser.parse("{\"type\":\"change-restored\",\"restorer\":{\"username\":\"re\"},"
                + change + "}").account().username());
        assertEquals("su", parser.parse("{\"type\":\"change-merged\",\"submitter\":{\"username\":\"su\"},"
                + change + "}").account().username());
        assertEquals(EventType.DRAFT_PUBLISHED, parser.parse("{\"type\":\"draft-published\","
                + change + "}").type());
    }

    @Test
    public void parsesRefUpdated() throws Exception {
        GerritEvent e = parser.parse("{\"submitter\":{\"username\":\"ci\"},\"refUpdate\":{\"oldRev\":\"a\","
                + "\"newRev\":\"c0ffee\",\"refName\":\"refs/heads/master\",\"project\":\"openstack/neutron\"},"
                + "\"type\":\"ref-updated\",\"eventCreatedOn\":5}");
        assertEquals(EventType.REF_UPDATED, e.type());
        assertEquals("openstack/neutron", e.project());
        assertEquals("refs/heads/master", e.ref());
        assertNull(e.branch());
        assertEquals(new RefUpdate("openstack/neutron", "refs/heads/master", "a", "c0ffee"), e.refUpdate());
        assertEquals("ci", e.account().username());
    }

    @Test
    public void otherTypesAreUnknownNotErrors() throws Exception {
        GerritEvent e = parser.parse("{\"type\":\"reviewer-added\",\"reviewer\":{\"name\":\"x\"},\"eventCreatedOn\":3}");
        assertEquals(EventType.UNKNOWN, e.type());
        assertEquals("reviewer-added", e.typeName());
    }

    @Test
    public void malformedLinesGiveAClearReason() {
        assertRejected("", "empty line");
        assertRejected("not json", "invalid JSON");
        assertRejected("[1,2]", "not a JSON object");
        assertRejected("{\"change\":{}}", "missing \"type\"");
        assertRejected("{\"type\":\"patchset-created\"}", "without \"change\"");
        assertRejected("{\"type\":\"patchset-created\",\"change\":{\"project\":\"p\",\"branch\":\"b\",\"number\":\"x1\"}}",
                "change.number: expected a number, got \"x1\"");
        assertRejected("{\"type\":\"patchset-created\",\"change\":{\"project\":\"p\",\"branch\":\"b\",\"number\":1}}",
                "without \"patchSet\"");
        assertRejected("{\"type\":\"comment-added\",\"change\":{\"project\":\"p\",\"branch\":\"b\",\"number\":1},"
                + "\"patchSet\":{\"number\":1},\"approvals\":{}}", "approvals: expected an array");
        assertRejected("{\"type\":\"comment-added\",\"change\":[]}", "change: expected an object");
        assertRejected("{\"type\":\"ref-updated\"}", "without \"refUpdate\"");
        assertRejected("{\"type\":\"ref-updated\",\"refUpdate\":{\"project\":\"p\",\"newRev\":\"a\"}}",
                "missing \"refUpdate.refName\"");
        assertRejected("{\"type\":\"x\"} {\"type\":\"y\"}", "trailing content");
        assertRejected("{\"type\":\"patchset-created\",\"change\":{\"project\":\"p\",\"bra", "invalid JSON");
        assertRejected("{\"type\":\"change-merged\",\"change\":{\"project\":\"p\",\"branch\":\"b\",\"number\":99999999999},"
                + "\"patchSet\":{\"number\":1}}", "out of range");
        assertRejected("{\"type\":\"change-merged\",\"change\":{\"project\":\"p\",\"branch\":\"b\",\"number\":1},"
                + "\"patchSet\":{\"number\":1.5}}", "patchSet.number: expected a whole number, got 1.5");
    }

    /** A comment-added event whose whole line is exactly {@code bytes} long in UTF-8. */
    static String commentEventOfSize(int bytes, String filler) {
        String head = "{\"type\":\"comment-added\",\"change\":{\"project\":\"p\",\"branch\":\"b\",\"number\":1},"
                + "\"patchSet\":{\"number\":1},\"comment\":\"";
        String tail = "\"}";
        int room = bytes - head.length() - tail.length();
        int fillerBytes = filler.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        return head + filler.repeat(room / fillerBytes) + "x".repeat(room % fillerBytes) + tail;
    }

    @Test
    public void anEventLargerThanTheLimitIsRefusedBeforeParsing() throws Exception {
        assertEquals(1024 * 1024, EventParser.MAX_EVENT_BYTES);
        String atLimit = commentEventOfSize(EventParser.MAX_EVENT_BYTES, "x");
        assertEquals(EventType.COMMENT_ADDED, parser.parse(atLimit).type());
        assertRejected(commentEventOfSize(EventParser.MAX_EVENT_BYTES + 1, "x"),
                "event too large: more than 1048576 bytes");
        // counted in UTF-8 bytes, as a stream reader counts them: 400,000 chars of 3 bytes each
        String wide = commentEventOfSize(1_200_000, "\u20ac");
        assertTrue(wide.length() < EventParser.MAX_EVENT_BYTES);
        assertRejected(wide, "event too large");
        assertTrue(parser.parse(commentEventOfSize(1_000_000, "\u20ac")).comment().length() > 300_000);
    }

    private void assertRejected(String line, String reason) {
        try {
            parser.parse(line);
            fail("accepted: " + (line.length() > 200 ? line.substring(0, 200) + "..." : line));
        } catch (EventParseException e) {
            assertTrue("`" + e.getMessage() + "` should contain `" + reason + "`", e.getMessage().contains(reason));
        }
    }

    @Test
    public void bundledExampleParsesExceptItsMalformedLine() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("../../../examples/metaplugin-ci/events.jsonl"));
        assertEquals(11, lines.size());
        for (int i = 0; i < lines.size(); i++) {
            try {
                parser.parse(lines.get(i));
                assertTrue("line " + (i + 1) + " should be malformed", i + 1 != 10);
            } catch (EventParseException e) {
                assertEquals("only line 10 is malformed, line " + (i + 1) + ": " + e.getMessage(), 10, i + 1);
            }
        }
    }
}
