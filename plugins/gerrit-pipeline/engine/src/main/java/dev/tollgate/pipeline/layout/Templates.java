package dev.tollgate.pipeline.layout;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** Python str.format-style substitution of {key} in project-template job names ({{ and }} escape). */
final class Templates {
    private Templates() {}

    /** The {key} fields a text uses (Python's Formatter().parse field names). */
    static Set<String> fields(String text) {
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '{' && i + 1 < text.length() && text.charAt(i + 1) == '{') {
                i++;
            } else if (c == '{') {
                int end = text.indexOf('}', i);
                if (end < 0) {
                    throw new IllegalArgumentException("unclosed `{`");
                }
                out.add(text.substring(i + 1, end));
                i = end;
            }
        }
        return out;
    }

    static String expand(String text, Map<String, String> params) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '{') {
                if (i + 1 < text.length() && text.charAt(i + 1) == '{') {
                    sb.append('{');
                    i++;
                    continue;
                }
                int end = text.indexOf('}', i);
                if (end < 0) {
                    throw new IllegalArgumentException("unclosed `{`");
                }
                String key = text.substring(i + 1, end);
                String v = params.get(key);
                if (v == null) {
                    throw new IllegalArgumentException("template parameter `" + key + "` is not given");
                }
                sb.append(v);
                i = end;
            } else if (c == '}') {
                if (i + 1 < text.length() && text.charAt(i + 1) == '}') {
                    i++;
                }
                sb.append('}');
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
