package dev.tollgate.common.regex;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Turns a Python {@code re} pattern (Zuul v2 ran Python 2.7) into the RE2 pattern that answers the
 * same yes/no question, and refuses, before RE2/J sees it, any pattern that would be too costly to
 * compile or to run. RE2/J has no program-size limit of its own: it expands {@code x{n}} into n
 * copies of {@code x}, so {@code ((a{1000}){1000}){1000}}, 23 characters, asks for a billion
 * instructions and exhausts the heap; its parser and compiler recurse once per nested group.
 *
 * <p>One pass over the text, with an explicit stack of open groups (no recursion, so no input can
 * overflow this scanner's own stack). It reads only as much syntax as it needs: escapes, character
 * classes, groups, alternation and repetition operators. Text it has no rule for is copied as it
 * is and counted as literals; syntax errors it sees in passing (an unbalanced parenthesis, a
 * repetition of nothing) are left for RE2/J to report, since RE2/J then compiles nothing; a group
 * syntax it cannot read is refused, so that nothing it failed to count can reach RE2/J.
 * Stateless between calls; thread-safe.
 *
 * <p>Translations (Python meaning on the left, RE2 spelling on the right):
 * <ul>
 *   <li>{@code $} without multiline mode matches at the end or before a final newline:
 *       {@code (?:\n?\z)};</li>
 *   <li>{@code \Z} is the very end: {@code \z};</li>
 *   <li>{@code {,n}} is zero to n: {@code {0,n}};</li>
 *   <li>a bare flag group {@code (?i)}, {@code (?m)}, {@code (?s)} applies to the whole pattern
 *       wherever it stands: it is moved to the front;</li>
 *   <li>{@code (?#...)} is a comment: dropped;</li>
 *   <li>{@code [} inside a class is a literal {@code [} (RE2 would read {@code [[:alpha:]]} as a
 *       POSIX class): {@code \[}.</li>
 * </ul>
 */
final class PythonPattern {
    private final String s;
    private final StringBuilder out;
    private final Deque<Group> open = new ArrayDeque<>();
    private int i;

    /** One open group, or the whole pattern at the bottom of the stack. */
    private static final class Group {
        final boolean capture;
        /** Is {@code $} end-of-line here (multiline mode)? */
        boolean multiline;
        /** Estimated instructions of every branch so far, the current one included. */
        long size;
        int branches = 1;
        /** Size of the item a repetition operator would apply to; -1 when there is none. */
        long lastSize = -1;
        /** Product of the counted repetitions nested inside that item. */
        long lastCopies = 1;
        /** Largest product of nested counted repetitions anywhere in this group. */
        long copies = 1;

        Group(boolean capture, boolean multiline) {
            this.capture = capture;
            this.multiline = multiline;
        }
    }

    private PythonPattern(String s) {
        this.s = s;
        this.out = new StringBuilder(s.length() + 16);
    }

    /**
     * The RE2 form of a Python pattern, or an {@link UnsupportedPatternException} that says what is
     * wrong. Syntax errors that RE2/J reports itself are left in the result for it to report.
     */
    static String translate(String source) {
        if (source.length() > SafePattern.MAX_LENGTH) {
            throw new UnsupportedPatternException("the pattern is " + source.length()
                    + " characters long, more than the limit of " + SafePattern.MAX_LENGTH);
        }
        return new PythonPattern(source).run();
    }

    private String run() {
        String global = globalFlags();
        if (!global.isEmpty()) {
            out.append("(?").append(global).append(')');
        }
        open.push(new Group(false, global.indexOf('m') >= 0));
        while (i < s.length()) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> escape();
                case '[' -> characterClass();
                case '(' -> openGroup();
                case ')' -> closeGroup();
                case '|' -> {
                    Group g = open.peek();
                    g.branches++;
                    g.lastSize = -1;
                    out.append(c);
                    i++;
                }
                case '*', '+', '?' -> {
                    out.append(c);
                    i++;
                    repeat(0, c == '?' ? 1 : -1, 1);
                }
                case '{' -> brace();
                case '$' -> {
                    if (open.peek().multiline) {
                        out.append('$');
                        atom(1, 1);
                    } else {
                        out.append("(?:\\n?\\z)");
                        atom(3, 1);
                    }
                    i++;
                }
                default -> {
                    out.append(c);
                    atom(1, 1);
                    i++;
                }
            }
        }
        Group root = open.getLast();
        // + capture 0 (two instructions), the final match, the fail instruction
        long total = root.size + (root.branches - 1) + 4;
        if (total > SafePattern.MAX_PROGRAM) {
            throw tooLarge();
        }
        return out.toString();
    }

    // ------------------------------------------------------------------ escapes and classes

    private void escape() {
        if (i + 1 >= s.length()) {
            throw new UnsupportedPatternException("invalid regex: trailing backslash");
        }
        char n = s.charAt(i + 1);
        if (n >= '1' && n <= '9') {
            throw new UnsupportedPatternException("backreferences (\\" + n
                    + ") are not supported: patterns run in linear time (RE2 syntax)");
        }
        if (n == 'Z') {
            out.append("\\z");
            atom(1, 1);
            i += 2;
            return;
        }
        if (n == 'Q') {
            // RE2 literal text: each character is one instruction, a repetition applies to the last
            int end = skipEscape(s, i);
            int body = end - (s.startsWith("\\E", end - 2) ? 2 : 0) - (i + 2);
            out.append(s, i, end);
            if (body > 0) {
                atom(body, 1);
                open.peek().lastSize = 1;
            } // an empty \Q\E is nothing: RE2 applies a repetition after it to the item before it
            i = end;
            return;
        }
        int end = skipEscape(s, i);
        out.append(s, i, end);
        atom(1, 1);
        i = end;
    }

    /** Index just after the escape that starts at {@code at} (a backslash), as RE2 reads it. */
    private static int skipEscape(String s, int at) {
        int n = at + 1;
        if (n >= s.length()) {
            return s.length();
        }
        char c = s.charAt(n);
        if (c == 'Q') {
            int e = s.indexOf("\\E", n + 1);
            return e < 0 ? s.length() : e + 2;
        }
        if (c == 'x' || c == 'p' || c == 'P') {
            if (n + 1 < s.length() && s.charAt(n + 1) == '{') {
                int close = s.indexOf('}', n + 2);
                return close < 0 ? s.length() : close + 1;
            }
            return Math.min(s.length(), n + (c == 'x' ? 3 : 2));
        }
        return n + 1;
    }

    /** A class is one instruction whatever its size; its text is copied with {@code [} made literal. */
    private void characterClass() {
        int end = skipClass(s, i);
        int j = i + 1;
        out.append('[');
        // the leading ^ and a ] right after [ or [^ are part of the syntax
        if (j < end && s.charAt(j) == '^') {
            out.append('^');
            j++;
        }
        if (j < end && s.charAt(j) == ']') {
            out.append(']');
            j++;
        }
        while (j < end) {
            char c = s.charAt(j);
            if (c == '\\') {
                int e = skipEscape(s, j);
                out.append(s, j, e);
                j = e;
            } else {
                out.append(c == '[' ? "\\[" : String.valueOf(c));
                j++;
            }
        }
        atom(1, 1);
        i = end;
    }

    /** Index just after the class that starts at {@code at}, read as Python reads it (no nesting). */
    private static int skipClass(String s, int at) {
        int j = at + 1;
        if (j < s.length() && s.charAt(j) == '^') {
            j++;
        }
        if (j < s.length() && s.charAt(j) == ']') {
            j++;
        }
        while (j < s.length()) {
            char c = s.charAt(j);
            if (c == '\\') {
                j = skipEscape(s, j);
            } else if (c == ']') {
                return j + 1;
            } else {
                j++;
            }
        }
        return s.length(); // unterminated: RE2/J says so
    }

    // ------------------------------------------------------------------ groups and flags

    private void openGroup() {
        Group parent = open.peek();
        if (!s.startsWith("(?", i)) {
            out.append('(');
            push(new Group(true, parent.multiline));
            i++;
            return;
        }
        String rest = s.substring(i + 2, Math.min(s.length(), i + 4));
        if (rest.startsWith("=") || rest.startsWith("!") || rest.startsWith("<=") || rest.startsWith("<!")) {
            throw new UnsupportedPatternException("lookahead/lookbehind ((?=, (?!, (?<=, (?<!) is not supported: "
                    + "patterns run in linear time (RE2 syntax)");
        }
        if (rest.startsWith(">")) {
            throw new UnsupportedPatternException("atomic groups ((?>...)) are not supported (RE2 syntax)");
        }
        if (rest.startsWith("(")) {
            throw new UnsupportedPatternException("conditional groups ((?(...)) are not supported (RE2 syntax)");
        }
        if (rest.startsWith("P=")) {
            throw new UnsupportedPatternException("named backreferences ((?P=name)) are not supported (RE2 syntax)");
        }
        if (rest.startsWith("#")) {
            // a Python comment runs to the first ')'; it matches nothing and is dropped
            int close = s.indexOf(')', i);
            if (close < 0) {
                throw new UnsupportedPatternException("invalid regex: missing ) after the comment (?#");
            }
            i = close + 1;
            return;
        }
        if (rest.startsWith(":")) {
            out.append("(?:");
            push(new Group(false, parent.multiline));
            i += 3;
            return;
        }
        if (rest.startsWith("P<") || rest.startsWith("<")) {
            int close = s.indexOf('>', i);
            if (close < 0) {
                throw new UnsupportedPatternException("invalid regex: missing > after the group name");
            }
            out.append(s, i, close + 1);
            push(new Group(true, parent.multiline));
            i = close + 1;
            return;
        }
        FlagGroup f = rest.startsWith("P") ? null : FlagGroup.read(s, i);
        if (f == null) {
            throw new UnsupportedPatternException("invalid regex: unknown group syntax `"
                    + s.substring(i, Math.min(s.length(), i + 4)) + "`");
        }
        if (f.bare) {
            // already moved to the front by globalFlags()
            i = f.end;
            return;
        }
        boolean multiline = parent.multiline;
        if (f.on.indexOf('m') >= 0) {
            multiline = true;
        }
        if (f.off.indexOf('m') >= 0) {
            multiline = false;
        }
        out.append(s, i, f.end);
        push(new Group(false, multiline));
        i = f.end;
    }

    private void push(Group g) {
        if (open.size() > SafePattern.MAX_NESTING) {
            throw new UnsupportedPatternException("groups are nested more than " + SafePattern.MAX_NESTING
                    + " deep");
        }
        open.push(g);
    }

    private void closeGroup() {
        out.append(')');
        i++;
        if (open.size() == 1) {
            return; // unbalanced: RE2/J says so
        }
        Group g = open.pop();
        long size = g.size + (g.branches - 1) + (g.capture ? 2 : 0);
        atom(size, g.copies);
    }

    /**
     * The flags of the bare flag groups anywhere in the pattern: Python applies them to the whole
     * pattern, RE2 only from where they stand. Bare groups that Python does not accept are refused.
     */
    private String globalFlags() {
        StringBuilder flags = new StringBuilder();
        int j = 0;
        while (j < s.length()) {
            char c = s.charAt(j);
            if (c == '\\') {
                j = skipEscape(s, j);
            } else if (c == '[') {
                j = skipClass(s, j);
            } else if (s.startsWith("(?#", j)) {
                int close = s.indexOf(')', j);
                j = close < 0 ? s.length() : close + 1;
            } else if (s.startsWith("(?", j) && j + 2 < s.length()
                    && (s.charAt(j + 2) == '-' || Character.isLetter(s.charAt(j + 2)) && s.charAt(j + 2) != 'P')) {
                FlagGroup f = FlagGroup.read(s, j);
                if (f != null && f.bare) {
                    if (!f.off.isEmpty()) {
                        throw new UnsupportedPatternException("`" + s.substring(j, f.end) + "`: turning a flag off "
                                + "needs a scoped group such as (?-" + f.off + ":...) (Python syntax)");
                    }
                    for (char x : f.on.toCharArray()) {
                        if (flags.indexOf(String.valueOf(x)) < 0) {
                            flags.append(x);
                        }
                    }
                }
                j += 2;
            } else {
                j++;
            }
        }
        return flags.toString();
    }

    /** {@code (?flags)} or {@code (?flags-flags:}, as both Python and RE2 write them. */
    private record FlagGroup(String on, String off, boolean bare, int end) {
        /** The flag group at {@code at}, null when the text there is not one (RE2/J then judges it). */
        static FlagGroup read(String s, int at) {
            StringBuilder on = new StringBuilder();
            StringBuilder off = null;
            for (int j = at + 2; j < s.length(); j++) {
                char c = s.charAt(j);
                if (c == ')' || c == ':') {
                    if (on.isEmpty() && (off == null || off.isEmpty())) {
                        return null;
                    }
                    return new FlagGroup(on.toString(), off == null ? "" : off.toString(), c == ')', j + 1);
                }
                if (c == '-' && off == null) {
                    off = new StringBuilder();
                    continue;
                }
                if (c == 'x') {
                    throw new UnsupportedPatternException("the verbose flag (?x) is not supported (RE2 syntax)");
                }
                if (c != 'i' && c != 'm' && c != 's' && c != 'U') {
                    if (Character.isLetter(c)) {
                        throw new UnsupportedPatternException("the inline flag `" + c + "` is not supported "
                                + "(RE2 syntax: i, m, s)");
                    }
                    return null;
                }
                (off == null ? on : off).append(c);
            }
            return null;
        }
    }

    // ------------------------------------------------------------------ repetition and size

    /** {@code {n}}, {@code {n,}}, {@code {n,m}}, Python's {@code {,m}}; anything else is a literal brace. */
    private void brace() {
        int j = i + 1;
        int minStart = j;
        while (j < s.length() && Character.isDigit(s.charAt(j))) {
            j++;
        }
        String min = s.substring(minStart, j);
        String max = null;
        if (j < s.length() && s.charAt(j) == ',') {
            int maxStart = ++j;
            while (j < s.length() && Character.isDigit(s.charAt(j))) {
                j++;
            }
            max = s.substring(maxStart, j);
        }
        if (j >= s.length() || s.charAt(j) != '}' || (min.isEmpty() && max == null)) {
            out.append('{'); // a literal, as in both Python and RE2
            atom(1, 1);
            i++;
            return;
        }
        String text = s.substring(i, j + 1);
        int lo = min.isEmpty() ? 0 : count(min, text);
        int hi = max == null ? lo : max.isEmpty() ? -1 : count(max, text);
        out.append('{').append(lo);
        if (max != null) {
            out.append(',').append(max);
        }
        out.append('}');
        i = j + 1;
        if (hi >= 0 && hi < lo) {
            return; // RE2/J reports the bad range
        }
        repeat(lo, hi, hi >= 0 ? hi : Math.max(lo, 1));
    }

    private static int count(String digits, String text) {
        if (digits.length() > 4 || Integer.parseInt(digits) > SafePattern.MAX_REPEAT) {
            throw new UnsupportedPatternException("the repetition count in `" + text + "` is more than "
                    + SafePattern.MAX_REPEAT + " (RE2 syntax)");
        }
        return Integer.parseInt(digits);
    }

    /**
     * Applies a repetition ({@code max} -1: unbounded) to the last item. RE2 compiles {@code x{n,m}}
     * to m copies of x, so counts nested inside each other multiply.
     */
    private void repeat(int min, int max, int copiesFactor) {
        if (i < s.length() && s.charAt(i) == '?') {
            out.append('?'); // non-greedy: the same program
            i++;
        }
        Group g = open.peek();
        if (g.lastSize < 0) {
            return; // nothing to repeat: RE2/J reports it
        }
        long copies = g.lastCopies * copiesFactor;
        if (copies > SafePattern.MAX_REPEAT) {
            throw new UnsupportedPatternException("counted repetitions nested inside each other make " + copies
                    + " copies, more than the limit of " + SafePattern.MAX_REPEAT
                    + " (RE2 compiles x{n} as n copies of x)");
        }
        long sub = g.lastSize;
        long size;
        if (max < 0) {
            size = sub * Math.max(min, 1) + 1;           // x*, x+, x{n,}
        } else if (max == 1 && min == 0) {
            size = sub + 1;                               // x?
        } else {
            size = Math.max(1, sub * max + (max - min));  // x{n}, x{n,m}: optional copies add a split each
        }
        g.size += size - sub;
        g.lastSize = size;
        g.lastCopies = copies;
        g.copies = Math.max(g.copies, copies);
        checkSize(g);
    }

    private void atom(long size, long copies) {
        Group g = open.peek();
        g.size += size;
        g.lastSize = size;
        g.lastCopies = copies;
        g.copies = Math.max(g.copies, copies);
        checkSize(g);
    }

    /** Sizes only grow as the scan goes on: stop as soon as one part alone is over the limit. */
    private static void checkSize(Group g) {
        if (g.size > SafePattern.MAX_PROGRAM) {
            throw tooLarge();
        }
    }

    private static UnsupportedPatternException tooLarge() {
        return new UnsupportedPatternException("the pattern is too large: it would compile to more than "
                + SafePattern.MAX_PROGRAM + " instructions (counted repetitions such as x{n} copy x n times)");
    }
}
