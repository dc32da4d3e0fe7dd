package dev.tollgate.ec2;

import dev.tollgate.cloud.port.CloudException;
import dev.tollgate.cloud.port.LaunchSpec;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills a user-data template for one launch. Placeholders are {@code {{name}}} (not {@code ${..}},
 * which shell scripts use themselves): {@code {{agentName}}}, {@code {{templateName}}} and every key
 * of the launch's agent environment (the engine passes the controller URL and the agent secret
 * there). A placeholder without a value fails the launch naming it, never showing any value.
 */
final class UserData {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_.-]+)\\s*}}");

    private UserData() {}

    /** The base64 EC2 expects, or null when the template has no user data. */
    static String render(String template, LaunchSpec spec) throws CloudException {
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
        byte[] bytes = out.toString().getBytes(StandardCharsets.UTF_8);
        if (bytes.length > Ec2Options.MAX_USER_DATA_BYTES) {
            throw new CloudException(CloudException.Kind.PERMANENT, "UserDataTooLarge",
                    "user data of template '" + spec.templateName() + "' is " + bytes.length
                            + " bytes once filled in; EC2 allows " + Ec2Options.MAX_USER_DATA_BYTES);
        }
        return Base64.getEncoder().encodeToString(bytes);
    }
}
