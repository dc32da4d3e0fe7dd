package dev.tollgate.pipeline.layout;

import java.util.Locale;

/** Label and category names as Zuul v2 and Gerrit spell them. */
public final class Labels {
    private Labels() {}

    /** Zuul v2's normalizeCategory: lower case, spaces to dashes ("Code Review" -> "code-review"). */
    public static String normalizeCategory(String name) {
        return name == null ? null : name.toLowerCase(Locale.ROOT).replace(' ', '-');
    }

    /**
     * The Gerrit label name for a Zuul reporter key: {@code verified} -> {@code Verified},
     * {@code code-review} -> {@code Code-Review}, {@code workflow} -> {@code Workflow}; each
     * dash-separated word capitalised. A key that already has capitals is taken as written.
     */
    public static String gerritLabel(String key) {
        if (!key.equals(key.toLowerCase(Locale.ROOT))) {
            return key;
        }
        StringBuilder sb = new StringBuilder(key.length());
        boolean up = true;
        for (char c : key.toCharArray()) {
            sb.append(up ? Character.toUpperCase(c) : c);
            up = c == '-' || c == '_' || c == ' ';
        }
        return sb.toString();
    }
}
