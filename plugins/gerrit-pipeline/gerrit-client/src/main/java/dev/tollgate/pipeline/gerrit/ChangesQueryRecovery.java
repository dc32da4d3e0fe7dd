package dev.tollgate.pipeline.gerrit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Recovery from Gerrit's change index: {@code GET /a/changes/?q=since:"..."} with all revisions,
 * messages and accounts, paged, then {@link ChangeEventSynthesizer}. Works on any Gerrit, no plugin
 * needed; see the synthesiser for what it cannot recover.
 */
public final class ChangesQueryRecovery implements EventRecovery {
    private static final Logger LOG = Logger.getLogger(ChangesQueryRecovery.class.getName());
    private static final DateTimeFormatter SINCE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
    private static final int PAGE = 200;
    private static final int MAX_PAGES = 50;

    private final GerritRest rest;
    private final ChangeEventSynthesizer synthesizer;

    public ChangesQueryRecovery(GerritRest rest, String webUrl) {
        this.rest = rest;
        this.synthesizer = new ChangeEventSynthesizer(webUrl == null ? rest.base().toString() : webUrl);
    }

    static String query(Instant since) {
        // the zone is explicit: Gerrit reads a bare time in the server's own time zone
        return "since:\"" + SINCE.format(since) + " +0000\"";
    }

    @Override
    public List<String> eventsSince(Instant since) throws IOException, InterruptedException {
        ArrayNode all = GerritRest.JSON.createArrayNode();
        for (int page = 0; page < MAX_PAGES; page++) {
            String path = "a/changes/?q=" + GerritRest.encode(query(since))
                    + "&o=ALL_REVISIONS&o=MESSAGES&o=DETAILED_ACCOUNTS&o=DETAILED_LABELS"
                    + "&n=" + PAGE + "&S=" + (page * PAGE);
            GerritRest.Response r = rest.get(path);
            if (!r.ok()) {
                throw new IOException("change query for recovery failed: HTTP " + r.status() + ": "
                        + r.body().strip());
            }
            JsonNode changes = r.json();
            changes.forEach(all::add);
            if (changes.isEmpty() || !changes.get(changes.size() - 1).path("_more_changes").asBoolean(false)) {
                break;
            }
            if (page == MAX_PAGES - 1) {
                LOG.log(Level.WARNING, "more than {0} changes updated since {1}: recovering the newest only",
                        new Object[] {MAX_PAGES * PAGE, since});
            }
        }
        List<String> out = new ArrayList<>();
        for (ObjectNode e : synthesizer.events(all, since)) {
            out.add(GerritRest.JSON.writeValueAsString(e));
        }
        return out;
    }
}
