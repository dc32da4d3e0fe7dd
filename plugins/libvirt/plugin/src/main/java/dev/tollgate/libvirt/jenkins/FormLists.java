package dev.tollgate.libvirt.jenkins;

import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.util.List;
import net.sf.json.JSONArray;
import net.sf.json.JSONObject;

/**
 * What the web form sends for the keys it cannot show as JCasC writes them: a list of domain names
 * comes as the text of a text area (one or more per line), an optional number as an empty text when
 * left out. Turned here into the list, or the absent key, the describables' setters take; JCasC binds
 * lists and absent keys directly and never comes here. Stateless.
 */
final class FormLists {
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
                JSONArray words = new JSONArray();
                words.addAll(FieldChecks.words(List.of(text)));
                out.put(f.getName(), words);
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
}
