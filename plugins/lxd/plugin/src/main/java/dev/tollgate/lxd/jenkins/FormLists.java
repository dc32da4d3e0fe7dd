package dev.tollgate.lxd.jenkins;

import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.sf.json.JSONArray;
import net.sf.json.JSONObject;

/**
 * What the web form sends for the keys it cannot show as JCasC writes them: a list comes as the text
 * of a text area, an optional number as an empty text when left out. Profiles are words (one or more
 * per line); the agent's command is one argument per line, since an argument may hold spaces and the
 * command runs without a shell. Turned here into the lists, or the absent key, the describables'
 * setters take; JCasC binds lists and absent keys directly and never comes here. Stateless.
 */
final class FormLists {
    /** Lists of arguments rather than words. */
    private static final Set<String> ARGUMENTS = Set.of("agentCommand");

    private FormLists() {
    }

    /** The form's fields of a describable of {@code type} as its setters take them. */
    static JSONObject fields(Class<?> type, JSONObject form) {
        JSONObject out = JSONObject.fromObject(form);
        for (Field f : type.getDeclaredFields()) {
            if (!out.containsKey(f.getName())) {
                continue;
            }
            Object v = out.get(f.getName());
            if (List.class.isAssignableFrom(f.getType()) && v instanceof String text
                    && ((ParameterizedType) f.getGenericType()).getActualTypeArguments()[0] == String.class) {
                JSONArray list = new JSONArray();
                list.addAll(ARGUMENTS.contains(f.getName()) ? argumentLines(text) : words(List.of(text)));
                out.put(f.getName(), list);
            } else if (f.getType() == Integer.class && v instanceof String s && s.isBlank()) {
                out.remove(f.getName());
            }
        }
        return out;
    }

    /** A list as a text area shows it: one entry per line. */
    static String lines(List<String> values) {
        return values == null ? "" : String.join("\n", values);
    }

    /** A list of words: each entry trimmed, blank entries left out, whitespace-separated entries split. */
    static ArrayList<String> words(List<String> in) {
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
    static ArrayList<String> arguments(List<String> in) {
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
    static ArrayList<String> argumentLines(String text) {
        return arguments(text == null ? List.of() : List.of(text.split("\r?\n")));
    }
}
