package dev.tollgate.logs;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The destination folder under a log host's root: {@code ${LOG_PATH}} by default (the pipeline
 * engine's convention, e.g. {@code 21/12321/3/check/check-tempest-dsvm-metaplugin/abc1234}), or any
 * pattern with {@code ${VAR}} taken from the build parameters. The expanded path is normalised and
 * must stay inside the root.
 */
public final class DestinationPattern {
    public static final String DEFAULT = "${LOG_PATH}";
    private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private DestinationPattern() {}

    public static String resolve(String pattern, Map<String, String> parameters) {
        String p = pattern == null || pattern.isBlank() ? DEFAULT : pattern.trim();
        Matcher m = VAR.matcher(p);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = parameters.get(m.group(1));
            if (value == null || value.isEmpty()) {
                throw new IllegalArgumentException("destination '" + RemoteNames.printable(p) + "' uses ${" + m.group(1)
                        + "} but the build has no such parameter");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        if (out.indexOf("${") >= 0) {
            throw new IllegalArgumentException("destination '" + RemoteNames.printable(p)
                    + "' has a malformed ${...} reference");
        }
        return RemoteNames.normaliseRelative("destination", out.toString());
    }
}
