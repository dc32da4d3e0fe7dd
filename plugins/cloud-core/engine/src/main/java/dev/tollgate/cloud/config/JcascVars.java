package dev.tollgate.cloud.config;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Values as a cloud's checks see them: as given, or, for a JCasC file before Jenkins reads it
 * ({@code variables}), each value that is one whole JCasC variable ({@code ${NAME}} or
 * {@code ${NAME:-default}}) as its default or as a valid sample of its key, since only the
 * controller's environment knows it. Immutable.
 */
public record JcascVars(boolean variables) {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{[A-Za-z0-9_.]+(?::-([^{}]*))?}");

    /** The value, or for one whole variable its default, else the sample. */
    public String or(String value, String sample) {
        if (!variables || value == null) {
            return value;
        }
        Matcher m = VARIABLE.matcher(value.strip());
        if (!m.matches()) {
            return value;
        }
        return m.group(1) != null ? m.group(1) : sample;
    }

    /** Each entry as {@link #or}; samples numbered, so that two variables of one list never look alike. */
    public List<String> all(List<String> values, IntFunction<String> sample) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            out.add(or(values.get(i), sample.apply(i)));
        }
        return out;
    }

    /** A decimal written as text, or null when absent or not a finite number ("2d", "0x1p1" are not). */
    public static Double decimal(String v) {
        if (v == null) {
            return null;
        }
        try {
            double d = Double.parseDouble(v.trim());
            return Double.isFinite(d) && !v.trim().matches(".*[dDfFxX].*") ? d : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** An engine message without its "what: " prefix. */
    public static String afterColon(String m) {
        int i = m.indexOf(": ");
        return i < 0 ? m : m.substring(i + 2);
    }
}
