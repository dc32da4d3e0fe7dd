package dev.tollgate.cloud.jenkins;

import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.sf.json.JSONArray;
import net.sf.json.JSONObject;

/**
 * What the web form sends for the keys it cannot show as JCasC writes them: a list comes as the text
 * of a text area, an optional number as an empty text when left out. A list of texts is words (one
 * or more per line), unless the describable names it among its lists of arguments (one argument per
 * line, an argument may hold spaces). Turned here into the lists, or the absent key, the
 * describables' setters take; JCasC binds lists and absent keys directly and never comes here.
 * Every cloud's describables use it, fields of their Tollgate superclasses included. Stateless.
 */
public final class FormLists {
    private FormLists() {
    }

    /** The form's fields of a describable of {@code type} (and its superclasses) as its setters take them. */
    public static JSONObject fields(Class<?> type, JSONObject form) {
        return fields(type, form, Set.of());
    }

    /** As {@link #fields(Class, JSONObject)}, the lists named in {@code argumentLists} one argument per line. */
    public static JSONObject fields(Class<?> type, JSONObject form, Set<String> argumentLists) {
        JSONObject out = JSONObject.fromObject(form);
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (!out.containsKey(f.getName())) {
                    continue;
                }
                Object v = out.get(f.getName());
                if (List.class.isAssignableFrom(f.getType()) && v instanceof String text
                        && ((ParameterizedType) f.getGenericType()).getActualTypeArguments()[0] == String.class) {
                    JSONArray list = new JSONArray();
                    list.addAll(argumentLists.contains(f.getName()) ? argumentLines(text) : words(List.of(text)));
                    out.put(f.getName(), list);
                } else if (f.getType() == Integer.class && v instanceof String s && s.isBlank()) {
                    out.remove(f.getName());
                }
            }
        }
        return out;
    }

    /** A list as a text area shows it: one entry per line. */
    public static String lines(List<String> values) {
        return values == null ? "" : String.join("\n", values);
    }

    /** A list of words: each entry trimmed, blank entries left out, whitespace-separated entries split. */
    public static ArrayList<String> words(List<String> in) {
        ArrayList<String> out = new ArrayList<>();
        if (in != null) {
            for (String s : in) {
                if (s != null) {
                    for (String w : s.trim().split("\\s+")) {
                        if (!w.isEmpty()) {
                            out.add(w);
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Arguments as given, blank ones left out (an argument keeps its inner spaces). */
    public static ArrayList<String> arguments(List<String> in) {
        ArrayList<String> out = new ArrayList<>();
        if (in != null) {
            for (String s : in) {
                if (s != null && !s.isBlank()) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    /** A text area's lines as arguments: each line one argument, without its line break. */
    public static ArrayList<String> argumentLines(String text) {
        return arguments(text == null ? List.of() : List.of(text.split("\r?\n")));
    }

    /** A form's text, trimmed, or null when blank. */
    public static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
