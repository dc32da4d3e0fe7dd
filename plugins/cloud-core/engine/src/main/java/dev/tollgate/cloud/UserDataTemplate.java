package dev.tollgate.cloud;

import dev.tollgate.cloud.port.CloudException;
import dev.tollgate.cloud.port.LaunchSpec;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills a template's user data (cloud-init, a shell script) for one launch, the same way for every
 * cloud. Placeholders are {@code {{name}}} (not {@code ${..}}, which shell scripts use themselves):
 * {@code {{agentName}}}, {@code {{templateName}}} and every key of the launch's agent environment
 * (the engine puts the controller URL and the agent's secret there). A placeholder without a value
 * fails the launch as PERMANENT naming the placeholder, never showing any value. Size limits differ
 * per cloud and stay with the driver. Stateless.
 */
public final class UserDataTemplate {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_.-]+)\\s*}}");

    private UserDataTemplate() {}

    /** The filled text, or null when the template has no user data. */
    public static String fill(String template, LaunchSpec spec) throws CloudException {
        if (template == null) {
            return null;
        }
        Map<String, String> vars = new LinkedHashMap<>(spec.agentEnv());
        vars.put("agentName", spec.agentName());
        vars.put("templateName", spec.templateName());
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        TreeSet<String> missing = new TreeSet<>();
        while (m.find()) {
            String v = vars.get(m.group(1));
            if (v == null) {
                missing.add(m.group(1));
                v = "";
            }
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        m.appendTail(out);
        if (!missing.isEmpty()) {
            throw new CloudException(CloudException.Kind.PERMANENT, "UserDataTemplate",
                    "user data of template '" + spec.templateName() + "' uses " + missing
                            + " but the launch provides only " + new TreeSet<>(vars.keySet()));
        }
        return out.toString();
    }
}
