package dev.tollgate.pipeline.status;

import java.time.Instant;
import java.util.Objects;

/**
 * The event stream's state at one moment, in terms any event source can give: the SSH stream of
 * {@code gerrit-client} ({@code GerritStream.metrics()}) or a plugin's own connection. Immutable.
 *
 * @param state                the source's own word for its state, e.g. {@code CONNECTED},
 *                             {@code WAITING_TO_RECONNECT}, {@code STOPPED}
 * @param connected            events can arrive now
 * @param reconnects           how many times the connection was lost or could not be made (each is
 *                             followed by a reconnect attempt while the stream runs)
 * @param delivered            events handed on to the engine
 * @param duplicatesDropped    events seen twice (live and recovered) and handed on once
 * @param droppedOutputs       how often Gerrit said it dropped events for a slow reader
 * @param oversizedLines       lines over the event size limit, skipped
 * @param connectedSince       null while not connected
 * @param lastLineAt           when the last line arrived; null before the first
 * @param lastEventCreatedOn   Gerrit's time of the newest event handed on; null before the first
 * @param lastDisconnectReason why the connection was last lost; null if it never was
 */
public record StreamMetrics(String state, boolean connected, long reconnects, long delivered, long duplicatesDropped,
                            long droppedOutputs, long oversizedLines, Instant connectedSince, Instant lastLineAt,
                            Instant lastEventCreatedOn, String lastDisconnectReason) {
    public StreamMetrics {
        Objects.requireNonNull(state, "state");
    }
}
