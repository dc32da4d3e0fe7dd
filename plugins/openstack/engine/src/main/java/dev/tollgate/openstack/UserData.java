package dev.tollgate.openstack;

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
 * Fills a template's user data for one launch, as the EC2 engine does: {@code {{agentName}}},
 * {@code {{templateName}}} and every key of the launch's agent environment (controller URL, agent
 * secret). A placeholder without a value fails the launch naming the placeholder, never a value.
 */
final class UserData {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_.-]+)\\s*}}");

    private UserData() {
    }

    /** The base64 text Nova expects, or null when the template has no user data. */
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
        String b64 = Base64.getEncoder().encodeToString(out.toString().getBytes(StandardCharsets.UTF_8));
        if (b64.length() > OpenStackOptions.MAX_USER_DATA_BASE64) {
            throw new CloudException(CloudException.Kind.PERMANENT, "UserDataTooLarge",
                    "user data of template '" + spec.templateName() + "' is " + b64.length()
                            + " bytes of base64 once filled in; Nova allows " + OpenStackOptions.MAX_USER_DATA_BASE64);
        }
        return b64;
    }
}
