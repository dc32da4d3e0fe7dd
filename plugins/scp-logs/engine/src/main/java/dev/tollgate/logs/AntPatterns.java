package dev.tollgate.logs;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Ant-style path patterns as Jenkins uses them: a comma-separated list such as
 * {@code logs/**, *.txt}. {@code *} and {@code ?} match within one path segment, {@code **} matches
 * zero or more whole segments, a pattern ending in {@code /} means everything below that directory.
 * Matching is done on '/'-separated paths relative to the source directory.
 */
public final class AntPatterns {
    private static final String ANY_DEPTH = "**";
    private final List<String> sources;
    private final List<List<Object>> compiled; // each segment: ANY_DEPTH or a Pattern

    private AntPatterns(List<String> sources, List<List<Object>> compiled) {
        this.sources = sources;
        this.compiled = compiled;
    }

    /** Parses a comma-separated list; blank entries are ignored. A blank list matches nothing. */
    public static AntPatterns parse(String list) {
        List<String> sources = new ArrayList<>();
        List<List<Object>> compiled = new ArrayList<>();
        if (list != null) {
            for (String raw : list.split(",")) {
                String p = raw.trim().replace('\\', '/');
                if (p.isEmpty()) {
                    continue;
                }
                if (p.endsWith("/")) {
                    p = p + ANY_DEPTH;
                }
                while (p.startsWith("./")) {
                    p = p.substring(2);
                }
                if (p.startsWith("/")) {
                    throw new IllegalArgumentException("pattern '" + raw.trim()
                            + "' is absolute; patterns are relative to the source directory");
                }
                List<Object> segs = new ArrayList<>();
                for (String seg : p.split("/")) {
                    if (seg.isEmpty()) {
                        continue;
                    }
                    if (seg.equals("..")) {
                        throw new IllegalArgumentException("pattern '" + raw.trim()
                                + "' contains '..'; patterns cannot leave the source directory");
                    }
                    if (seg.equals(ANY_DEPTH)) {
                        // "a/**/**/b" is the same as "a/**/b"
                        if (segs.isEmpty() || segs.get(segs.size() - 1) != ANY_DEPTH) {
                            segs.add(ANY_DEPTH);
                        }
                    } else {
                        segs.add(segmentPattern(seg));
                    }
                }
                sources.add(raw.trim());
                compiled.add(segs);
            }
        }
        return new AntPatterns(List.copyOf(sources), compiled);
    }

    private static Pattern segmentPattern(String seg) {
        StringBuilder re = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : seg.toCharArray()) {
            if (c == '*' || c == '?') {
                if (literal.length() > 0) {
                    re.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                re.append(c == '*' ? "[^/]*" : "[^/]");
            } else {
                literal.append(c);
            }
        }
        if (literal.length() > 0) {
            re.append(Pattern.quote(literal.toString()));
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    public boolean isEmpty() {
        return compiled.isEmpty();
    }

    /** True when any pattern of the list matches the relative path ('/'-separated). */
    public boolean matches(String relativePath) {
        String[] path = relativePath.split("/");
        for (List<Object> p : compiled) {
            if (match(p, 0, path, 0)) {
                return true;
            }
        }
        return false;
    }

    private static boolean match(List<Object> pat, int pi, String[] path, int si) {
        while (pi < pat.size()) {
            Object seg = pat.get(pi);
            if (seg == ANY_DEPTH) {
                if (pi == pat.size() - 1) {
                    return true; // trailing ** matches the rest, including nothing
                }
                for (int k = si; k <= path.length; k++) {
                    if (match(pat, pi + 1, path, k)) {
                        return true;
                    }
                }
                return false;
            }
            if (si >= path.length || !((Pattern) seg).matcher(path[si]).matches()) {
                return false;
            }
            pi++;
            si++;
        }
        return si == path.length;
    }

    @Override
    public String toString() {
        return String.join(",", sources);
    }
}
