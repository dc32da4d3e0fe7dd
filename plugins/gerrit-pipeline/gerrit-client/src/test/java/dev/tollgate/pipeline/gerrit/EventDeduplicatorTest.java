package dev.tollgate.pipeline.gerrit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.Test;

public class EventDeduplicatorTest {
    private static JsonNode json(String s) throws Exception {
        return GerritRest.JSON.readTree(s.replace('\'', '"'));
    }

    private static JsonNode comment(String user, String text, long at, Object ps) throws Exception {
        return json("{'type':'comment-added','change':{'project':'p','number':7},'patchSet':{'number':" + ps + "},"
                + "'author':{'username':'" + user + "'},'comment':'" + text + "','eventCreatedOn':" + at + "}");
    }

    @Test
    public void aLiveCommentAndItsRecoveredCopyCountOnceEvenASecondApart() throws Exception {
        EventDeduplicator d = new EventDeduplicator(100, 5);
        assertTrue(d.firstTime(comment("ci", "recheck", 1000, 1)));
        // recovered from REST: patchset as a string, time from the message, a second earlier
        assertFalse(d.firstTime(comment("ci", "recheck", 999, "'1'")));
        assertFalse(d.firstTime(comment("ci", "recheck", 1005, 1)));
    }

    @Test
    public void theSameCommentLaterIsANewEvent() throws Exception {
        EventDeduplicator d = new EventDeduplicator(100, 5);
        assertTrue(d.firstTime(comment("ci", "recheck", 1000, 1)));
        assertTrue(d.firstTime(comment("ci", "recheck", 1006, 1)));
        assertTrue(d.firstTime(comment("other", "recheck", 1000, 1)));
        assertTrue(d.firstTime(comment("ci", "recheck", 1000, 2)));
        assertTrue(d.firstTime(comment("ci", "metaplugin-recheck", 1000, 1)));
    }

    @Test
    public void onceInALifetimeEventsIgnoreTime() throws Exception {
        EventDeduplicator d = new EventDeduplicator(100, 5);
        String ps = "{'type':'patchset-created','change':{'project':'p','number':7},'patchSet':{'number':2},'eventCreatedOn':%d}";
        assertTrue(d.firstTime(json(String.format(ps, 1000))));
        assertFalse(d.firstTime(json(String.format(ps, 1100))));
        String ref = "{'type':'ref-updated','refUpdate':{'project':'p','refName':'refs/heads/master','oldRev':'a','newRev':'b'},'eventCreatedOn':1}";
        assertTrue(d.firstTime(json(ref)));
        assertFalse(d.firstTime(json(ref.replace("'eventCreatedOn':1", "'eventCreatedOn':2"))));
        assertTrue(d.firstTime(json(ref.replace("'newRev':'b'", "'newRev':'c'"))));
    }

    @Test
    public void abandonAndRestoreCanRepeat() throws Exception {
        EventDeduplicator d = new EventDeduplicator(100, 5);
        String ab = "{'type':'change-abandoned','change':{'project':'p','number':7},'patchSet':{'number':1},"
                + "'abandoner':{'username':'u'},'reason':'','eventCreatedOn':%d}";
        assertTrue(d.firstTime(json(String.format(ab, 1000))));
        assertFalse(d.firstTime(json(String.format(ab, 1001))));
        assertTrue(d.firstTime(json(String.format(ab, 2000))));
    }

    @Test
    public void memoryIsBounded() throws Exception {
        EventDeduplicator d = new EventDeduplicator(10, 0);
        for (int i = 0; i < 100; i++) {
            assertTrue(d.firstTime(comment("ci", "c" + i, 1000, 1)));
        }
        assertEquals(10, d.size());
        assertTrue("the oldest was forgotten", d.firstTime(comment("ci", "c0", 1000, 1)));
        assertFalse(d.firstTime(comment("ci", "c99", 1000, 1)));
    }

    @Test
    public void unknownEventsAreDuplicatesOnlyWhenIdentical() throws Exception {
        EventDeduplicator d = new EventDeduplicator(100, 5);
        assertTrue(d.firstTime(json("{'type':'project-created','projectName':'x','eventCreatedOn':1}")));
        assertFalse(d.firstTime(json("{'type':'project-created','projectName':'x','eventCreatedOn':1}")));
        assertTrue(d.firstTime(json("{'type':'project-created','projectName':'y','eventCreatedOn':1}")));
    }
}
