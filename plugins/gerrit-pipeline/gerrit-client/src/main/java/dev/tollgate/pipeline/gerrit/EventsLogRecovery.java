package dev.tollgate.pipeline.gerrit;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Recovery from the events-log plugin, which stores the stream itself:
 * {@code GET /a/plugins/events-log/events/?t1=yyyy-MM-dd HH:mm:ss} answers the stored events, one
 * stream-events JSON line each. Exact (ref-updated included), but only where the plugin is
 * installed. {@code t1} is read in the Gerrit server's time zone, so it is configurable.
 */
public final class EventsLogRecovery implements EventRecovery {
    private final GerritRest rest;
    private final DateTimeFormatter t1;

    public EventsLogRecovery(GerritRest rest, ZoneId serverZone) {
        this.rest = rest;
        this.t1 = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(serverZone);
    }

    /** Null when the plugin is not installed (404), so that the caller can fall back. */
    List<String> tryEventsSince(Instant since) throws IOException, InterruptedException {
        GerritRest.Response r = rest.get("a/plugins/events-log/events/?t1=" + GerritRest.encode(t1.format(since)));
        if (r.status() == 404) {
            return null;
        }
        if (!r.ok()) {
            throw new IOException("events-log recovery failed: HTTP " + r.status() + ": " + r.body().strip());
        }
        List<String> out = new ArrayList<>();
        for (String line : r.body().split("\\R")) {
            if (!line.isBlank()) {
                out.add(line.strip());
            }
        }
        return out;
    }

    @Override
    public List<String> eventsSince(Instant since) throws IOException, InterruptedException {
        List<String> events = tryEventsSince(since);
        if (events == null) {
            throw new IOException("the events-log plugin is not installed on " + rest.base());
        }
        return events;
    }
}
