package dev.tollgate.pipeline.bridge;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import com.sonymobile.tools.gerrit.gerritevents.GerritHandler;
import com.sonymobile.tools.gerrit.gerritevents.GerritJsonEventFactory;
import com.sonymobile.tools.gerrit.gerritevents.dto.GerritEventType;
import com.sonymobile.tools.gerrit.gerritevents.dto.attr.Provider;
import com.sonymobile.tools.gerrit.gerritevents.dto.events.PatchsetCreated;
import dev.tollgate.pipeline.event.EventParser;
import dev.tollgate.pipeline.event.GerritEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Test;

public class GerritEventsListenerAdapterTest {
    private static final String GOOD = "{\"type\":\"patchset-created\",\"uploader\":{\"username\":\"alice\"},"
            + "\"change\":{\"project\":\"p\",\"branch\":\"main\",\"number\":11},\"patchSet\":{\"number\":1},"
            + "\"eventCreatedOn\":1763700000}";
    private static final String NO_CHANGE = "{\"type\":\"patchset-created\",\"patchSet\":{\"number\":1}}";

    @Test
    public void forwardsConvertedEventsAndDropsWhatCannotBeConverted() {
        List<BridgedEvent> got = new ArrayList<>();
        GerritEventsListenerAdapter adapter = new GerritEventsListenerAdapter("tollgate", got::add);

        adapter.gerritEvent(GerritJsonEventFactory.getEventIfInteresting(GOOD));
        adapter.gerritEvent(GerritJsonEventFactory.getEventIfInteresting(NO_CHANGE));
        adapter.gerritEvent(null);
        adapter.gerritEvent(new PatchsetCreated());
        adapter.gerritEvent(new com.sonymobile.tools.gerrit.gerritevents.dto.GerritEvent() {
            @Override
            public GerritEventType getEventType() {
                return GerritEventType.COMMENT_ADDED;
            }

            @Override
            public boolean isScorable() {
                return true;
            }
        });
        adapter.gerritEvent(GerritJsonEventFactory.getEventIfInteresting(GOOD.replace("\"number\":11", "\"number\":12")));

        assertEquals(2, got.size());
        assertEquals(11, got.get(0).event().change().number());
        assertEquals(12, got.get(1).event().change().number());
        assertEquals(2, adapter.forwardedCount());
        assertEquals(4, adapter.droppedCount());
    }

    @Test
    public void aFailingConsumerNeverThrowsIntoTheHandlerThread() {
        List<BridgedEvent> got = new ArrayList<>();
        GerritEventsListenerAdapter adapter = new GerritEventsListenerAdapter("tollgate", e -> {
            if (e.event().change().number() == 13) {
                throw new IllegalStateException("scheduler bug");
            }
            got.add(e);
        });
        adapter.gerritEvent(GerritJsonEventFactory.getEventIfInteresting(GOOD.replace("\"number\":11", "\"number\":13")));
        adapter.gerritEvent(GerritJsonEventFactory.getEventIfInteresting(GOOD));
        assertEquals(1, got.size());
        assertEquals(1, adapter.forwardedCount());
        assertEquals(1, adapter.droppedCount());
    }

    @Test
    public void forEngineEventsHandsOverTheEngineEventOnly() {
        List<GerritEvent> got = new ArrayList<>();
        GerritEventsListenerAdapter adapter = GerritEventsListenerAdapter.forEngineEvents("tollgate", got::add);
        adapter.gerritEvent(GerritJsonEventFactory.getEventIfInteresting(GOOD));
        adapter.gerritEvent(GerritJsonEventFactory.getEventIfInteresting(NO_CHANGE));
        assertEquals(1, got.size());
        assertEquals("p", got.get(0).project());
        assertEquals(new GerritEventsListenerAdapter("tollgate", e -> { }), adapter);
    }

    @Test
    public void listenersAreEqualByNameSoTheHandlersSetKeepsOne() {
        GerritEventsListenerAdapter a = new GerritEventsListenerAdapter("tollgate", e -> { });
        GerritEventsListenerAdapter sameName = new GerritEventsListenerAdapter("tollgate", e -> { });
        GerritEventsListenerAdapter other = new GerritEventsListenerAdapter("other", e -> { });
        assertEquals(a, sameName);
        assertEquals(a.hashCode(), sameName.hashCode());
        assertNotEquals(a, other);
        Set<Object> listeners = new HashSet<>();
        assertTrue(listeners.add(a));
        assertFalse(listeners.add(sameName));
        assertTrue(listeners.add(other));
        assertTrue(listeners.remove(new GerritEventsListenerAdapter("tollgate", e -> { })));
        assertEquals(Set.of(other), listeners);
    }

    /**
     * The way the Gerrit Trigger plugin delivers events: its GerritHandler parses each line on a
     * worker thread, sets the server (provider) and calls every registered listener.
     */
    @Test
    public void receivesEveryServersEventsThroughARealGerritHandler() throws Exception {
        List<StreamLines.Line> lines = StreamLines.equivalentEvents();
        EventParser parser = new EventParser();
        List<GerritEvent> expected = new ArrayList<>();
        for (StreamLines.Line l : lines) {
            expected.add(parser.parse(l.json()));
        }
        // the handler drops unparsable lines itself; a line without a change reaches the adapter and is dropped there
        int delivered = lines.size();
        CountDownLatch done = new CountDownLatch(delivered);
        List<BridgedEvent> got = Collections.synchronizedList(new ArrayList<>());
        GerritEventsListenerAdapter adapter = new GerritEventsListenerAdapter("tollgate", e -> {
            got.add(e);
            done.countDown();
        });
        AtomicInteger duplicate = new AtomicInteger();
        GerritHandler handler = new GerritHandler(1);
        try {
            handler.addListener(adapter);
            // a second registration under the same name must not be kept
            handler.addListener(new GerritEventsListenerAdapter("tollgate", e -> duplicate.incrementAndGet()));
            Provider a = new Provider("review-a", "review-a.example.org", "29418", "ssh", "https://review-a/", "3.10.2");
            Provider b = new Provider("review-b", "review-b.example.org", "29418", "ssh", "https://review-b/", "3.10.2");
            handler.post("{\"type\":\"patchset-created\",\"change\":{\"proj", a);
            handler.post(NO_CHANGE, b);
            for (int i = 0; i < lines.size(); i++) {
                handler.post(lines.get(i).json(), i % 2 == 0 ? a : b);
            }
            assertTrue("events not delivered in time: " + got.size(), done.await(30, TimeUnit.SECONDS));
        } finally {
            handler.shutdown(true);
        }
        assertEquals(delivered, got.size());
        assertEquals(0, duplicate.get());
        assertEquals(1, adapter.droppedCount());
        // one worker thread: delivery order is posting order
        for (int i = 0; i < lines.size(); i++) {
            BridgedEvent e = got.get(i);
            assertEquals(lines.get(i).description(), i % 2 == 0 ? "review-a" : "review-b", e.serverName());
            GerritEvent want = expected.get(i);
            assertEquals(lines.get(i).description(), want.typeName(), e.event().typeName());
            if (want.type() != dev.tollgate.pipeline.event.EventType.UNKNOWN) {
                assertEquals(lines.get(i).description(), want, e.event());
            }
        }
    }
}
