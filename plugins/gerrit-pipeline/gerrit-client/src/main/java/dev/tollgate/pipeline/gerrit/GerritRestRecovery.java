package dev.tollgate.pipeline.gerrit;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Recovery that uses the events-log plugin when the server has it and Gerrit's change query
 * otherwise; the first 404 from the plugin's endpoint settles it for the life of this object.
 */
public final class GerritRestRecovery implements EventRecovery {
    private static final Logger LOG = Logger.getLogger(GerritRestRecovery.class.getName());

    private final EventsLogRecovery eventsLog;
    private final ChangesQueryRecovery changesQuery;
    private volatile boolean eventsLogMissing;

    public GerritRestRecovery(GerritRest rest, String webUrl, ZoneId serverZone) {
        this.eventsLog = new EventsLogRecovery(rest, serverZone);
        this.changesQuery = new ChangesQueryRecovery(rest, webUrl);
    }

    @Override
    public List<String> eventsSince(Instant since) throws IOException, InterruptedException {
        if (!eventsLogMissing) {
            List<String> events = eventsLog.tryEventsSince(since);
            if (events != null) {
                return events;
            }
            eventsLogMissing = true;
            LOG.log(Level.INFO, "events-log plugin not installed; recovering missed events from the change query");
        }
        return changesQuery.eventsSince(since);
    }
}
