package dev.tollgate.cloud.port;

import java.util.Map;
import java.util.Objects;

/**
 * What the engine asks a driver to start: one instance of a template for one agent.
 *
 * @param templateName the template as the engine knows it; the driver maps it to its own settings
 * @param agentName    the agent the instance will connect as
 * @param fingerprint  to apply at creation (see {@link Fingerprint})
 * @param agentEnv     what the instance needs to connect (controller URL, agent secret, ...); goes into
 *                     user data or metadata, never into logs
 */
public record LaunchSpec(String templateName, String agentName, Fingerprint fingerprint, Map<String, String> agentEnv) {
    public LaunchSpec {
        Objects.requireNonNull(templateName, "templateName");
        Objects.requireNonNull(agentName, "agentName");
        Objects.requireNonNull(fingerprint, "fingerprint");
        agentEnv = Map.copyOf(agentEnv);
    }

    @Override
    public String toString() {
        // agentEnv holds the agent secret: never print it
        return "LaunchSpec[template=" + templateName + ", agent=" + agentName + "]";
    }
}
