package dev.tollgate.pipeline.gerrit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

public class GerritRestRecoveryTest {
    private FakeGerritHttp http;
    private GerritRest rest;

    @Before
    public void start() throws Exception {
        http = new FakeGerritHttp();
        rest = new GerritRest(http.uri(), () -> new HttpCredentials("ci", "pw"));
    }

    @After
    public void stop() {
        http.close();
    }

    private static final String CHANGE_PAGE = ")]}'\n[{\"project\":\"p\",\"branch\":\"master\",\"change_id\":\"I1\",\"_number\":5,"
            + "\"revisions\":{\"abc\":{\"_number\":1,\"created\":\"2026-11-21 10:00:01.000000000\"}},"
            + "\"messages\":[{\"author\":{\"username\":\"u\"},\"date\":\"2026-11-21 10:00:02.000000000\","
            + "\"message\":\"Patch Set 1:\\n\\nrecheck\",\"_revision_number\":1}]%s}]";

    @Test
    public void withoutTheEventsLogPluginTheChangeQueryIsUsedAndPaged() throws Exception {
        http.handler = r -> {
            if (r.uri().contains("events-log")) {
                return FakeGerritHttp.Answer.of(404, "Not found");
            }
            boolean first = r.uri().contains("&S=0");
            return FakeGerritHttp.Answer.of(200, String.format(CHANGE_PAGE, first ? ",\"_more_changes\":true" : ""));
        };
        GerritRestRecovery recovery = new GerritRestRecovery(rest, "http://gerrit/", ZoneOffset.UTC);
        List<String> events = recovery.eventsSince(Instant.parse("2026-11-21T10:00:00Z"));
        assertEquals(4, events.size()); // two pages of the same change: the stream's deduplicator sorts that out
        assertTrue(events.get(0), events.get(0).contains("\"type\":\"patchset-created\""));
        assertTrue(events.get(3), events.get(3).contains("recheck"));
        String query = URLDecoder.decode(http.requests().get(1).uri(), StandardCharsets.UTF_8);
        assertTrue(query, query.startsWith("/a/changes/?q=since:\"2026-11-21 10:00:00.000 +0000\""
                + "&o=ALL_REVISIONS&o=MESSAGES&o=DETAILED_ACCOUNTS&o=DETAILED_LABELS&n=200&S=0"));
        recovery.eventsSince(Instant.parse("2026-11-21T10:00:00Z"));
        assertEquals("the plugin is asked for once", 1, http.count("GET", "events-log"));
    }

    @Test
    public void theEventsLogPluginIsUsedWhenInstalled() throws Exception {
        http.handler = r -> FakeGerritHttp.Answer.of(200,
                "{\"type\":\"ref-updated\",\"eventCreatedOn\":1}\n\n{\"type\":\"comment-added\",\"eventCreatedOn\":2}\n");
        List<String> events = new GerritRestRecovery(rest, null, ZoneOffset.UTC).eventsSince(Instant.parse("2026-11-21T10:00:00Z"));
        assertEquals(2, events.size());
        assertEquals("/a/plugins/events-log/events/?t1=2026-11-21%2010%3A00%3A00", http.requests().get(0).uri());
    }

    @Test
    public void aFailingQueryIsAnErrorNotAnEmptyAnswer() {
        http.handler = r -> r.uri().contains("events-log") ? FakeGerritHttp.Answer.of(404, "Not found")
                : FakeGerritHttp.Answer.of(500, "index down");
        IOException e = assertThrows(IOException.class,
                () -> new GerritRestRecovery(rest, null, ZoneOffset.UTC).eventsSince(Instant.EPOCH));
        assertTrue(e.getMessage(), e.getMessage().contains("HTTP 500: index down"));
    }
    @Test
    public void anAnswerAboveTheSizeLimitIsAnErrorAndIsNotReadWhole() throws Exception {
        GerritRest small = new GerritRest(http.uri(), () -> new HttpCredentials("ci", "pw"), Duration.ofSeconds(5),
                Duration.ofSeconds(10), 4096);
        http.handler = r -> FakeGerritHttp.Answer.of(200, "x".repeat(100_000));
        IOException e = assertThrows(IOException.class, () -> small.get("a/plugins/events-log/events/"));
        assertTrue(e.getMessage(), e.getMessage().contains("more than 4096 bytes"));
        http.handler = r -> FakeGerritHttp.Answer.of(200, ")]}'\n" + "y".repeat(4091));
        assertEquals("an answer of exactly the limit is read", 4091, small.get("a/changes/").body().length());
    }
}
