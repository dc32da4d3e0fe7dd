package dev.tollgate.pipeline.regex;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * A user-supplied regular expression evaluated in linear time (RE2/J), so that no input — however
 * long or pathological — can hang or crash event processing. {@code java.util.regex} backtracks
 * recursively and overflows its stack on patterns like Zuul's recheck regex with long comments.
 *
 * <p>Zuul v2 (Python {@code re}) compatibility: {@link #search} is {@code re.search} (find anywhere),
 * {@link #match} is {@code re.match} (anchored at the start). Constructs RE2 cannot run in linear
 * time (backreferences, lookaround, atomic groups) are rejected with a clear message, as is Python's
 * {@code \Z} (RE2 spells it {@code \z}).
 *
 * <p>Equality is by source text, so configurations compare as values.
 */
public final class SafePattern {
    private final String source;
    private final Pattern pattern;

    private SafePattern(String source, Pattern pattern) {
        this.source = source;
        this.pattern = pattern;
    }

    /** Compiles a pattern, or throws {@link UnsupportedPatternException} saying what is wrong. */
    public static SafePattern compile(String source) {
        if (source == null) {
            throw new UnsupportedPatternException("no pattern given");
        }
        String unsupported = findUnsupported(source);
        if (unsupported != null) {
            throw new UnsupportedPatternException(unsupported);
        }
        try {
            return new SafePattern(source, Pattern.compile(source));
        } catch (PatternSyntaxException e) {
            throw new UnsupportedPatternException("invalid regex (RE2 syntax): " + e.getDescription()
                    + (e.getPattern() == null || e.getPattern().isEmpty() ? "" : " at `" + e.getPattern() + "`"));
        }
    }

    /** A pattern matching exactly the given text. */
    public static SafePattern literal(String text) {
        return compile(Pattern.quote(text));
    }

    public String source() {
        return source;
    }

    /** Python's {@code re.search}: a match anywhere in the text. */
    public boolean search(CharSequence text) {
        return text != null && pattern.matcher(text).find();
    }

    /** Python's {@code re.match}: a match that starts at the beginning of the text. */
    public boolean match(CharSequence text) {
        return text != null && pattern.matcher(text).lookingAt();
    }

    /** Walks the pattern once, outside character classes, looking for what RE2 cannot do. */
    private static String findUnsupported(String s) {
        boolean inClass = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                if (i + 1 >= s.length()) {
                    return "invalid regex: trailing backslash";
                }
                char n = s.charAt(i + 1);
                if (!inClass && n >= '1' && n <= '9') {
                    return "backreferences (\\" + n + ") are not supported: patterns run in linear time (RE2 syntax)";
                }
                if (!inClass && n == 'Z') {
                    return "\\Z is not supported: write \\z for the end of the text (RE2 syntax)";
                }
                i++;
                continue;
            }
            if (inClass) {
                if (c == ']') {
                    inClass = false;
                }
                continue;
            }
            if (c == '[') {
                inClass = true;
                // a ']' right after '[' or '[^' is a literal
                if (i + 1 < s.length() && s.charAt(i + 1) == '^') {
                    i++;
                }
                if (i + 1 < s.length() && s.charAt(i + 1) == ']') {
                    i++;
                }
                continue;
            }
            if (c == '(' && s.startsWith("(?", i)) {
                String rest = s.substring(i + 2, Math.min(s.length(), i + 4));
                if (rest.startsWith("=") || rest.startsWith("!") || rest.startsWith("<=") || rest.startsWith("<!")) {
                    return "lookahead/lookbehind ((?=, (?!, (?<=, (?<!) is not supported: patterns run in linear time (RE2 syntax)";
                }
                if (rest.startsWith(">")) {
                    return "atomic groups ((?>...)) are not supported (RE2 syntax)";
                }
                if (rest.startsWith("(")) {
                    return "conditional groups ((?(...)) are not supported (RE2 syntax)";
                }
                if (rest.startsWith("#")) {
                    return "comment groups ((?#...)) are not supported (RE2 syntax)";
                }
                if (rest.startsWith("P=")) {
                    return "named backreferences ((?P=name)) are not supported (RE2 syntax)";
                }
            }
        }
        return null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SafePattern other && other.source.equals(source);
    }

    @Override
    public int hashCode() {
        return source.hashCode();
    }

    @Override
    public String toString() {
        return source;
    }
}
