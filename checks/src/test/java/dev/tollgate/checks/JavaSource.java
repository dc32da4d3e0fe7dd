package dev.tollgate.checks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of a plugin class's Java source that Jenkins binds by name: getters, the
 * {@code @DataBoundConstructor}'s parameters, {@code @DataBoundSetter}s, {@code @Symbol}s and the
 * {@code @QueryParameter}s of web methods. Read from the text (the plugin cannot be compiled in the
 * default build); the patterns match the project's code style, one declaration per line.
 */
final class JavaSource {
    private static final Pattern GETTER = Pattern.compile("public\\s+[\\w<>,. ?\\[\\]]+\\s+(?:get|is)(\\w+)\\(\\)");
    private static final Pattern SETTER = Pattern.compile("@DataBoundSetter\\s+public\\s+void\\s+set(\\w+)\\(");
    private static final Pattern CONSTRUCTOR = Pattern.compile("@DataBoundConstructor\\s+public\\s+\\w+\\(([^)]*)\\)");
    private static final Pattern SYMBOL = Pattern.compile("@Symbol\\(\"([^\"]+)\"\\)");
    private static final Pattern TO_SETTINGS = Pattern.compile("public\\s+(\\w+)\\s+toSettings\\(\\)");
    private static final Pattern TO_RECORD = Pattern.compile("public\\s+(\\w+)\\s+toRecord\\(\\)");

    private final String text;

    private JavaSource(String text) {
        this.text = text;
    }

    static JavaSource of(Path p) {
        try {
            return new JavaSource(Files.readString(p));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The class of {@code p} with its superclasses whose sources are under one of {@code roots}
     * ({@code src/main/java} folders): Stapler, JCasC and Job DSL bind getters and
     * {@code @DataBoundSetter}s a describable inherits, so they count as its own. The class's own text
     * comes first: its {@code @DataBoundConstructor}, imports and package win.
     */
    static JavaSource withSuperclasses(Path p, List<Path> roots) {
        StringBuilder text = new StringBuilder();
        Set<Path> seen = new LinkedHashSet<>();
        Path current = p;
        while (current != null && seen.add(current)) {
            JavaSource one = of(current);
            text.append(one.text).append('\n');
            String parent = one.superclass();
            current = null;
            if (parent != null) {
                String qualified = one.resolve(parent);
                for (Path root : roots) {
                    Path candidate = root.resolve(qualified.replace('.', '/') + ".java");
                    if (Files.exists(candidate)) {
                        current = candidate;
                        break;
                    }
                }
            }
        }
        return new JavaSource(text.toString());
    }

    /** The simple name of the class the file's top-level class extends, or null. */
    String superclass() {
        Matcher c = Pattern.compile("\\bclass\\s+\\w+").matcher(text);
        if (!c.find()) {
            return null;
        }
        int i = c.end();
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        if (i < text.length() && text.charAt(i) == '<') { // the class's own type parameters
            int depth = 0;
            do {
                char ch = text.charAt(i++);
                depth += ch == '<' ? 1 : ch == '>' ? -1 : 0;
            } while (depth > 0 && i < text.length());
        }
        Matcher e = Pattern.compile("\\s*extends\\s+(\\w+)").matcher(text).region(i, text.length());
        return e.lookingAt() ? e.group(1) : null;
    }

    /** Whether the text (with its superclasses', when read so) contains {@code s}. */
    boolean contains(String s) {
        return text.contains(s);
    }

    static String cap(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static String decap(String s) {
        return Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }

    Set<String> getters() {
        Set<String> out = new LinkedHashSet<>();
        Matcher m = GETTER.matcher(text);
        while (m.find()) {
            out.add(decap(m.group(1)));
        }
        return out;
    }

    List<String> constructorParameters() {
        Matcher m = CONSTRUCTOR.matcher(text);
        List<String> out = new ArrayList<>();
        if (m.find()) {
            for (String p : splitParameters(m.group(1))) {
                String[] words = p.strip().split("\\s+");
                out.add(words[words.length - 1]);
            }
        }
        return out;
    }

    /** Constructor parameters and setters: the keys JCasC, Job DSL and forms can set. */
    List<String> boundProperties() {
        List<String> out = new ArrayList<>(constructorParameters());
        Matcher m = SETTER.matcher(text);
        while (m.find()) {
            out.add(decap(m.group(1)));
        }
        return out;
    }

    List<String> symbols() {
        List<String> out = new ArrayList<>();
        Matcher m = SYMBOL.matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** The return type of the global configuration's {@code toSettings()}, or null. */
    String toSettingsType() {
        Matcher m = TO_SETTINGS.matcher(text);
        return m.find() ? m.group(1) : null;
    }

    /** The fully qualified name of a simple class name, from the imports or else this file's package. */
    String resolve(String simpleName) {
        Matcher m = Pattern.compile("import\\s+([\\w.]+)\\." + simpleName + ";").matcher(text);
        if (m.find()) {
            return m.group(1) + "." + simpleName;
        }
        Matcher p = Pattern.compile("package\\s+([\\w.]+);").matcher(text);
        return (p.find() ? p.group(1) + "." : "") + simpleName;
    }

    String toRecordType() {
        Matcher m = TO_RECORD.matcher(text);
        return m.find() ? m.group(1) : null;
    }

    boolean isGlobalConfiguration() {
        return text.contains("extends GlobalConfiguration");
    }

    /** The {@code @QueryParameter} names of a web method, or null when the class has no such method. */
    List<String> queryParameters(String method) {
        Matcher m = Pattern.compile("public\\s+\\w+\\s+" + method + "\\(([^)]*)\\)").matcher(text);
        if (!m.find()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (String p : splitParameters(m.group(1))) {
            if (p.contains("@QueryParameter")) {
                String[] words = p.strip().split("\\s+");
                out.add(words[words.length - 1]);
            }
        }
        return out;
    }

    /** Splits a parameter list at commas outside generic brackets. */
    private static List<String> splitParameters(String list) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        StringBuilder cur = new StringBuilder();
        for (char c : list.toCharArray()) {
            if (c == '<') {
                depth++;
            } else if (c == '>') {
                depth--;
            }
            if (c == ',' && depth == 0) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (!cur.toString().isBlank()) {
            out.add(cur.toString());
        }
        return out;
    }
}
