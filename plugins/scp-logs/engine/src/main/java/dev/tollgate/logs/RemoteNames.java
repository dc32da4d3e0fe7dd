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
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                return "a control character (U+" + String.format("%04X", (int) c) + ")";
            }
            if (c == '\\') {
                return "a backslash (some servers read it as a path separator)";
            }
            if (c == '/') {
                return "a slash inside a name";
            }
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

    /** The name with control characters shown as escapes, safe to put in a log line or message. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
