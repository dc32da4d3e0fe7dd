package dev.tollgate.cloud.jenkins;

import dev.tollgate.cloud.AgentNamePattern;
import dev.tollgate.cloud.CloudSettings;
import hudson.model.Failure;
import jenkins.model.Jenkins;

/**
 * Node names for the suite's clouds. Jenkins refuses '/' (and a few other characters) in a node's
 * name, while administrators name clouds and templates after paths ({@code where/os/tag}); the
 * mapping to '-' is done here, once, and the result is checked with Jenkins' own rule. Stateless.
 */
public final class AgentNames {
    private AgentNames() {
    }

    /** {@code name} with each '/', '\\' and white space as '-'. */
    public static String nodeSafe(String name) {
        return AgentNamePattern.nodeSafe(name); // the engine's mapping: one rule for both sides
    }

    /** Null when {@code name}, mapped, is a good node name; else why not. */
    public static String problem(String name) {
        String mapped = nodeSafe(name);
        if (mapped == null || mapped.isEmpty()) {
            return "a name is required";
        }
        try {
            Jenkins.checkGoodName(mapped);
        } catch (Failure e) {
            return e.getMessage();
        }
        try {
            // the engine's own rule for a cloud's name (it prefixes every agent name and fingerprint)
            CloudSettings.builder(mapped, "check").build();
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }
}
