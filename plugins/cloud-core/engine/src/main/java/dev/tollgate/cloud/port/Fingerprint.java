package dev.tollgate.cloud.port;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Marks every resource the controller creates, so that the reaper can tell what this controller
 * owns and what live agent (if any) accounts for it. Drivers store it as tags or metadata using
 * {@link #toTags()}; keys are short and portable across clouds.
 */
public record Fingerprint(String controllerId, String cloud, String template, String agentName, Instant createdAt) {
    public static final String CONTROLLER = "tollgate:controller";
    public static final String CLOUD = "tollgate:cloud";
    public static final String TEMPLATE = "tollgate:template";
    public static final String AGENT = "tollgate:agent";
    public static final String CREATED_AT = "tollgate:created-at";

    public Fingerprint {
        Objects.requireNonNull(controllerId, "controllerId");
        Objects.requireNonNull(cloud, "cloud");
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(agentName, "agentName");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    public Map<String, String> toTags() {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(CONTROLLER, controllerId);
        tags.put(CLOUD, cloud);
        tags.put(TEMPLATE, template);
        tags.put(AGENT, agentName);
        tags.put(CREATED_AT, createdAt.toString());
        return tags;
    }

    /** The fingerprint read back from tags, or null when the tags do not carry a whole one. */
    public static Fingerprint fromTags(Map<String, String> tags) {
        String c = tags.get(CONTROLLER), cl = tags.get(CLOUD), t = tags.get(TEMPLATE), a = tags.get(AGENT),
                at = tags.get(CREATED_AT);
        if (c == null || cl == null || t == null || a == null || at == null) {
            return null;
        }
        try {
            return new Fingerprint(c, cl, t, a, Instant.parse(at));
        } catch (RuntimeException e) {
            return null;
        }
    }
}
