package dev.tollgate.checks;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The bindings a Jelly form view makes: its {@code field=} names and its validate buttons. */
final class Jelly {
    private static final Pattern FIELD = Pattern.compile("\\sfield=\"(\\w+)\"");
    private static final Pattern BUTTON = Pattern.compile("<f:validateButton\\b([^>]*)/>", Pattern.DOTALL);
    private static final Pattern ATTRIBUTE = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    private Jelly() {}

    static Set<String> fields(String view) {
        Set<String> out = new LinkedHashSet<>();
        Matcher m = FIELD.matcher(view);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** Each validate button's method and the fields it sends. */
    static Map<String, List<String>> validateButtons(String view) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        Matcher b = BUTTON.matcher(view);
        while (b.find()) {
            Map<String, String> attrs = new LinkedHashMap<>();
            Matcher a = ATTRIBUTE.matcher(b.group(1));
            while (a.find()) {
                attrs.put(a.group(1), a.group(2));
            }
            List<String> with = attrs.getOrDefault("with", "").isEmpty() ? List.of()
                    : Arrays.stream(attrs.get("with").split(",")).map(String::strip).collect(Collectors.toList());
            out.put(attrs.get("method"), with);
        }
        return out;
    }
}
