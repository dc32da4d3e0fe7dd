package dev.tollgate.pipeline.gerrit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A sink that keeps everything and lets a test wait (bounded) for what it expects. */
class RecordingSink implements GerritEventSink {
    final List<JsonNode> events = new ArrayList<>();
    final List<String> raw = new ArrayList<>();
    final List<String> disconnects = new ArrayList<>();
    int connects;

    @Override
    public synchronized void accept(String jsonLine) {
        raw.add(jsonLine);
        try {
            events.add(GerritRest.JSON.readTree(jsonLine));
        } catch (IOException e) {
            // kept in raw only: the stream hands on lines it cannot read, the engine rejects them
        }
        notifyAll();
    }

    @Override
    public synchronized void connected() {
        connects++;
        notifyAll();
    }

    @Override
    public synchronized void disconnected(String reason) {
        disconnects.add(reason);
        notifyAll();
    }

    synchronized List<JsonNode> events() {
        return new ArrayList<>(events);
    }

    synchronized List<String> raw() {
        return new ArrayList<>(raw);
    }

    synchronized List<String> disconnects() {
        return new ArrayList<>(disconnects);
    }

    synchronized int connects() {
        return connects;
    }

    /** Waits until {@code condition} holds on this sink, at most {@code seconds}. */
    synchronized void await(String what, int seconds, Predicate<RecordingSink> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.test(this)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("timed out waiting for " + what + "; events=" + events.size()
                        + " connects=" + connects + " disconnects=" + disconnects);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /**
     * Gerrit subscribes a stream-events command to events a moment after it has accepted it, on
     * its own thread: comment on {@code change} until every sink has seen such a comment, so that
     * a test's own events are not sent into that moment.
     */
    static void awaitSubscribed(GerritAdmin admin, int change, RecordingSink... sinks) throws Exception {
        for (int attempt = 1; ; attempt++) {
            String text = "subscription check " + java.util.UUID.randomUUID();
            admin.comment(change, text);
            try {
                for (RecordingSink s : sinks) {
                    s.await("subscription check", 5, r -> r.has(change, "comment-added",
                            e -> e.path("comment").asText().endsWith(text)));
                }
                return;
            } catch (AssertionError notYet) {
                if (attempt == 5) {
                    throw notYet;
                }
            }
        }
    }

    synchronized boolean has(int change, String type, Predicate<JsonNode> p) {
        return events.stream().anyMatch(e -> e.path("change").path("number").asInt() == change
                && type.equals(e.path("type").asText()) && p.test(e));
    }
}
