package dev.tollgate.cloud.jenkins;

import dev.tollgate.cloud.AgentNamePattern;
import dev.tollgate.cloud.CloudSettings;
import hudson.model.Failure;
import hudson.util.FormValidation;
import java.util.List;
import java.util.Set;
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

    /**
     * The form check of a template's agent name pattern, for every cloud plugin's template form: the
     * engine's problems, or the first names the pattern gives (after '/' becomes '-').
     */
    public static FormValidation checkNamePattern(String cloudName, String templateName, String pattern) {
        String p = pattern == null || pattern.isBlank() ? null : pattern.trim();
        List<String> problems = AgentNamePattern.problems(p);
        if (!problems.isEmpty()) {
            return FormValidation.error(String.join("; ", problems));
        }
        if (p == null) {
            return FormValidation.ok("Agents will be named " + AgentNamePattern.DEFAULT);
        }
        String cloud = nodeSafe(cloudName == null || cloudName.isBlank() ? "cloud" : cloudName);
        String template = templateName == null || templateName.isBlank() ? "template" : templateName.trim();
        String first = AgentNamePattern.name(p, cloud, template, Set.of(), () -> "x7k2m9qa");
        String second = AgentNamePattern.name(p, cloud, template, Set.of(first), () -> "b3n8c1zd");
        String problem = problem(first);
        return problem != null ? FormValidation.error("Agents would be named " + first + ": " + problem)
                : FormValidation.ok("Agents will be named " + first + ", " + second + ", ...");
    }
}
