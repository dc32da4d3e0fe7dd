package dev.tollgate.testing;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The check of a JCasC export against the YAML that was applied (both as SnakeYAML reads them):
 * every value written is exported at the same key, numbers and texts alike. A value that is a JCasC
 * variable is skipped (the export has what it stood for); a key the export leaves out counts when the
 * written value is the key's default (JCasC leaves out what the describable has by default).
 * Stateless.
 */
public final class ExportedYaml {
    private ExportedYaml() {
    }

    /**
     * Each value of {@code expected} is in {@code actual} at the same key.
     *
     * @param where    the path shown in a failure, e.g. the section's symbol
     * @param defaults a key's default as text, or null when it has none
     */
    @SuppressWarnings("unchecked")
    public static void assertContains(String where, Object expected, Object actual, Function<String, String> defaults) {
        if (expected instanceof Map<?, ?> m) {
            assertTrue(where + ": expected a mapping, got " + actual, actual instanceof Map);
            for (Map.Entry<?, ?> e : m.entrySet()) {
                assertContains(where + "." + e.getKey(), e.getValue(),
                        ((Map<String, Object>) actual).get(String.valueOf(e.getKey())), defaults);
            }
        } else if (expected instanceof List<?> l) {
            List<Object> kept = l.stream().filter(x -> !String.valueOf(x).contains("${")).map(x -> (Object) x).toList();
            List<Object> got = actual == null ? List.of() : (List<Object>) actual;
            assertEquals(where + " length", kept.size(), got.size());
            for (int i = 0; i < kept.size(); i++) {
                assertContains(where + "[" + i + "]", kept.get(i), got.get(i), defaults);
            }
        } else if (!String.valueOf(expected).contains("${")) {
            String key = where.substring(where.lastIndexOf('.') + 1);
            if (actual == null && String.valueOf(expected).equals(defaults.apply(key))) {
                return;
            }
            assertEquals(where, String.valueOf(expected), String.valueOf(actual));
        }
    }
}
