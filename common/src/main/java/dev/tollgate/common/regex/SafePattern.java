package dev.tollgate.common.regex;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * A user-supplied regular expression evaluated in linear time (RE2/J), so that no input — however
 * long or pathological — can hang or crash event processing. {@code java.util.regex} backtracks
 * recursively and overflows its stack on patterns like Zuul's recheck regex with long comments.
 *
 * <p>Zuul v2 (Python {@code re}) compatibility: {@link #search} is {@code re.search} (find anywhere),
 * {@link #match} is {@code re.match} (anchored at the start), and the pattern means what it meant to
 * Python where RE2 can say it ({@link PythonPattern} translates, e.g. {@code $} also matches before a
 * final newline). Constructs RE2 cannot run in linear time (backreferences, lookaround, atomic
 * groups) are rejected with a clear message.
 *
 * <p>Limits, checked before RE2/J compiles anything, because RE2/J itself has none on the size of
 * the program it builds: {@link #MAX_LENGTH}, {@link #MAX_NESTING}, {@link #MAX_REPEAT},
 * {@link #MAX_PROGRAM}.
 *
 * <p>Immutable and thread-safe. Equality is by source text, so configurations compare as values.
 */
public final class SafePattern {
    /** Characters in a pattern. Longer patterns are refused before any parsing. */
    public static final int MAX_LENGTH = 4096;
    /** Groups inside groups. RE2/J parses and compiles recursively, one level per group. */
    public static final int MAX_NESTING = 100;
    /**
     * Copies made by counted repetitions nested inside each other ({@code (x{20}){50}} makes 1000),
     * and the largest single count, as in Go's regexp and RE2/J's own single-count check.
     */
    public static final int MAX_REPEAT = 1000;
    /**
     * Estimated RE2 instructions. Matching costs at most this much work per character of input
     * (RE2/J simulates the program in lock-step), and memory in proportion.
     */
    public static final int MAX_PROGRAM = 10_000;

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
        String re2 = PythonPattern.translate(source);
        try {
            return new SafePattern(source, Pattern.compile(re2));
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

    /**
     * Python's {@code re.search} with its groups: null when nothing matches, else the matched text
     * at index 0 and each group's text after it (null for a group that took no part).
     */
    public String[] searchGroups(CharSequence text) {
        if (text == null) {
            return null;
        }
        Matcher m = pattern.matcher(text);
        if (!m.find()) {
            return null;
        }
        String[] groups = new String[m.groupCount() + 1];
        for (int i = 0; i < groups.length; i++) {
            groups[i] = m.group(i);
        }
        return groups;
    }

    /** Python's {@code re.match}: a match that starts at the beginning of the text. */
    public boolean match(CharSequence text) {
        return text != null && pattern.matcher(text).lookingAt();
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
