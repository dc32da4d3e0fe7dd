package dev.tollgate.logs;

import java.util.ArrayList;
import java.util.List;

/**
 * Rules for remote path names. Everything that ends up in a remote path (the destination, each file
 * name, the console log name) goes through here, so a hostile or broken name can never address a
 * file outside the host's root.
 */
final class RemoteNames {
    private RemoteNames() {}

    /** Why this single path segment is unsafe, or null when it is fine. */
    static String problemWithSegment(String segment) {
        if (segment.isEmpty()) {
            return "an empty name";
        }
        if (segment.equals("..")) {
            return "'..' (a parent-directory reference)";
        }
        if (segment.equals(".")) {
            return "'.' (a current-directory reference)";
        }
        for (int i = 0; i < segment.length(); ) {
            int cp = segment.codePointAt(i);
            if (isInvisible(cp)) {
                return "an invisible or control character (U+" + String.format("%04X", cp) + ")";
            }
            if (cp == '\\') {
                return "a backslash (some servers read it as a path separator)";
            }
            if (cp == '/') {
                return "a slash inside a name";
            }
            i += Character.charCount(cp);
        }
        return null;
    }

    /**
     * Normalises a relative remote path: drops {@code .} and empty segments, rejects {@code ..}, an
     * absolute path, backslashes and control characters. Returns the segments joined by '/'.
     */
    static String normaliseRelative(String what, String path) {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException(what + " is empty");
        }
        if (path.startsWith("/")) {
            throw new IllegalArgumentException(what + " '" + printable(path)
                    + "' is absolute; it must be relative to the log host's root");
        }
        if (path.length() > 1 && path.charAt(1) == ':' && Character.isLetter(path.charAt(0))) {
            throw new IllegalArgumentException(what + " '" + printable(path) + "' looks like a drive path");
        }
        if (path.startsWith("~")) {
            throw new IllegalArgumentException(what + " '" + printable(path)
                    + "' starts with '~' (a home directory reference)");
        }
        List<String> kept = new ArrayList<>();
        for (String seg : path.split("/", -1)) {
            if (seg.isEmpty() || seg.equals(".")) {
                continue;
            }
            String problem = problemWithSegment(seg);
            if (problem != null) {
                throw new IllegalArgumentException(what + " '" + printable(path) + "' contains " + problem
                        + "; it must stay inside the log host's root");
            }
            kept.add(seg);
        }
        if (kept.isEmpty()) {
            throw new IllegalArgumentException(what + " '" + printable(path)
                    + "' names the root itself; give a directory under it");
        }
        return String.join("/", kept);
    }

    /**
     * Characters a name must not carry: C0/C1 controls, Unicode format characters (bidirectional
     * overrides and isolates such as U+202E, zero-width characters, the BOM, tag characters), line and
     * paragraph separators, and lone surrogates. They make a name display as something else than it is
     * (a bidi override turns {@code exe.txt} into what reads as {@code txt.exe}), or break log lines.
     */
    static boolean isInvisible(int cp) {
        if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
            return true;
        }
        int type = Character.getType(cp);
        return type == Character.FORMAT || type == Character.CONTROL || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE;
    }

    /** The name with invisible and control characters shown as escapes, safe in a log line or message. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int n = Character.charCount(cp);
            if (isInvisible(cp)) {
                for (int k = 0; k < n; k++) {
                    b.append(String.format("\\u%04x", (int) s.charAt(i + k)));
                }
            } else {
                b.append(s, i, i + n);
            }
            i += n;
        }
        return b.toString();
    }
}
