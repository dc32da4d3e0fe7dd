package dev.tollgate.pipeline.jenkins.config;

import dev.tollgate.common.regex.SafePattern;
import dev.tollgate.common.regex.UnsupportedPatternException;
import dev.tollgate.pipeline.event.EventType;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Conversions from the describables' plain values (what forms, JCasC and XStream hold) to the
 * engine's record values. A value the engine cannot take (a bad regex, an unknown event type) throws
 * {@link SpecException} naming its key; the configuration then refuses the whole save, and the
 * engine's validator checks everything else.
 */
public final class Specs {
    private Specs() {}

    /** A key's value cannot be converted. */
    public static final class SpecException extends IllegalArgumentException {
        private final String key;

        SpecException(String key, String message) {
            super(key + ": " + message);
            this.key = key;
        }

        public String key() {
            return key;
        }
    }

    /**
     * A copy without nulls; null (a form or file that leaves the key out) is an empty list. An
     * ArrayList, which Jenkins' XStream persists as a plain list (the JDK's immutable lists it cannot
     * open on Java 17).
     */
    static <T> List<T> list(List<T> values) {
        List<T> out = new ArrayList<>(values == null ? 0 : values.size());
        if (values != null) {
            for (T v : values) {
                if (v != null) {
                    out.add(v);
                }
            }
        }
        return out;
    }

    /** An empty text field means the key is not set. */
    static String text(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    static String textOr(String s, String fallback) {
        return s == null ? fallback : s;
    }

    static SafePattern pattern(String key, String source) {
        if (source == null || source.isEmpty()) {
            return null;
        }
        try {
            return SafePattern.compile(source);
        } catch (UnsupportedPatternException e) {
            throw new SpecException(key, "bad regex `" + shorten(source) + "`: " + e.getMessage());
        }
    }

    static List<SafePattern> patterns(String key, List<String> sources) {
        List<SafePattern> out = new ArrayList<>();
        for (String s : list(sources)) {
            SafePattern p = pattern(key, s);
            if (p != null) {
                out.add(p);
            }
        }
        return out;
    }

    static List<EventType> events(String key, List<String> names) {
        List<EventType> out = new ArrayList<>();
        for (String n : list(names)) {
            EventType t = EventType.known(n.strip());
            if (t == null) {
                throw new SpecException(key, "unknown event type `" + shorten(n) + "`");
            }
            out.add(t);
        }
        return out;
    }

    static <S, R> List<R> records(List<S> specs, Function<S, R> toRecord) {
        List<R> out = new ArrayList<>();
        for (S s : list(specs)) {
            out.add(toRecord.apply(s));
        }
        return out;
    }

    static String shorten(String s) {
        return s.length() <= 80 ? s : s.substring(0, 60) + "... (" + s.length() + " characters)";
    }
}
