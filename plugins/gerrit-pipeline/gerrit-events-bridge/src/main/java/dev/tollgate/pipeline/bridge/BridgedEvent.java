package dev.tollgate.pipeline.bridge;

import dev.tollgate.pipeline.event.GerritEvent;
import java.util.Objects;

/**
 * An engine event converted from gerrit-events, with the name of the Gerrit server it came from.
 *
 * <p>The engine's event model has no place for the server: the engine's own connection knows which
 * server it reads. Events taken from the Gerrit Trigger plugin come from one handler shared by all
 * of its configured servers, so the server name travels beside the event.
 *
 * @param event      the engine event
 * @param serverName the gerrit-events provider name (the Gerrit Trigger plugin's server name), or
 *                   null when the event carried no provider
 */
public record BridgedEvent(GerritEvent event, String serverName) {
    public BridgedEvent {
        Objects.requireNonNull(event, "event");
    }
}
