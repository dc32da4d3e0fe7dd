package dev.tollgate.pipeline.layout;

import dev.tollgate.pipeline.event.EventType;
import dev.tollgate.common.regex.SafePattern;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The suite's JCasC form of a {@link Layout}: {@code unclassified: tollgateGerritPipeline: ...}.
 * It is the records themselves ({@link Schema}): each key is a record component of the same name,
 * a nested object is a nested record, a regex is its source and an event type its Gerrit name; a
 * key not given takes the component's default. Only scalars, lists and objects with named fields
 * (no free-form maps), so JCasC can bind it to describables that mirror the records. Reading checks
 * how the form is written; {@link LayoutValidator} checks what it says. Schema: docs/configuration.md.
 */
public final class CascConfig {
    /** The JCasC symbol of the plugin's global configuration. */
    public static final String SYMBOL = "tollgateGerritPipeline";

    private CascConfig() {}

    /** Is this YAML a JCasC file (top-level {@code unclassified:})? Cheap check, no full parse. */
    public static boolean looksLikeCasc(String text) {
        for (String line : text.split("\n")) {
            if (line.startsWith("unclassified:")) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- writing

    /**
     * The JCasC fragment for a layout, starting with {@code unclassified:}. Keys in record order; a
     * key at its default is left out, a required one always written.
     */
    public static String toYaml(Layout layout) {
        return toYaml(PipelineSettings.of(layout));
    }

    /** The JCasC fragment for the whole section, as {@link #toYaml(Layout)}. */
    public static String toYaml(PipelineSettings settings) {
        Map<String, Object> root = Map.of("unclassified", Map.of(SYMBOL, form(settings)));
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        o.setIndent(2);
        o.setIndicatorIndent(2);
        o.setIndentWithIndicator(true);
        o.setWidth(120);
        o.setSplitLines(false);
        return new Yaml(o).dump(root);
    }

    private static Object form(Object value) {
        if (value instanceof Record record) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (RecordComponent c : record.getClass().getRecordComponents()) {
                Object v = Records.value(c, record);
                if (Records.required(c) || !Objects.equals(v, Records.absent(c))) {
                    m.put(c.getName(), form(v));
                }
            }
            return m;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            list.forEach(e -> out.add(form(e)));
            return out;
        }
        if (value instanceof SafePattern p) {
            return p.source();
        }
        if (value instanceof EventType t) {
            return t.wireName();
        }
        return value;
    }

    // ---------------------------------------------------------------- reading

    public static Layout parse(Path file) throws ConfigException, IOException {
        return parse(ConfigInput.read(file), file.toString());
    }

    /** The layout of the {@code unclassified.tollgateGerritPipeline} section (see {@link #parseSettings}). */
    public static Layout parse(String text, String fileName) throws ConfigException {
        return parseSettings(text, fileName).layout();
    }

    /**
     * Reads the whole {@code unclassified.tollgateGerritPipeline} section, servers and switches
     * included, and checks it; other JCasC sections are left alone.
     */
    public static PipelineSettings parseSettings(String text, String fileName) throws ConfigException {
        NodeReader r = new NodeReader(fileName);
        Node root = r.compose(text);
        Positions where = new Positions(UnaryOperator.identity());
        PipelineSettings settings = root == null ? null : new Reader(r, where).settings(root);
        return LayoutValidator.checked(settings, r, where);
    }

    /** Binds YAML nodes to the records, component by component, noting where each key was. */
    static final class Reader {
        private final NodeReader r;
        private final Positions where;

        Reader(NodeReader r, Positions where) {
            this.r = r;
            this.where = where;
        }

        PipelineSettings settings(Node root) {
            return section(root, SYMBOL, PipelineSettings.class);
        }

        /** The record of {@code unclassified.<symbol>}, or null (problems noted) when it is missing or unreadable. */
        <R extends Record> R section(Node root, String symbol, Class<R> type) {
            Map<String, Node> top = r.map(root, "", null);
            if (top == null) {
                return null;
            }
            Map<String, Node> unclassified = r.map(top.get("unclassified"), "unclassified", null);
            if (unclassified == null) {
                return null;
            }
            if (!unclassified.containsKey(symbol)) {
                r.error(top.get("unclassified"), "unclassified", "no `" + symbol + "` section");
                return null;
            }
            return record(type, unclassified.get(symbol), symbol);
        }

        /** The record a mapping gives, or null (problems reported) when a required key is missing or unreadable. */
        <R extends Record> R record(Class<R> type, Node n, String key) {
            RecordComponent[] cs = type.getRecordComponents();
            Set<String> keys = new LinkedHashSet<>();
            for (RecordComponent c : cs) {
                keys.add(c.getName());
            }
            Map<String, Node> m = r.map(n, key, keys);
            if (m == null) {
                return null;
            }
            Positions.Marks marks = where.open(r.lineOf(n), key);
            Object[] args = new Object[cs.length];
            boolean complete = true;
            for (int i = 0; i < cs.length; i++) {
                RecordComponent c = cs[i];
                String name = c.getName();
                Node v = m.get(name);
                Object value = null;
                if (NodeReader.isNull(v)) {
                    if (Records.required(c)) {
                        String why = Records.why(c);
                        r.error(v == null ? n : v, name, "required" + (why.isEmpty() ? "" : ": " + why));
                    }
                } else {
                    value = value(c, v, name, marks);
                }
                if (value == null && Records.required(c)) {
                    complete = false;
                }
                marks.key(name, r.lineOf(v == null ? n : v), r.mark(), name, m.containsKey(name));
                args[i] = value != null ? value : Records.absent(c);
            }
            return complete ? marks.close(Records.construct(type, args), r.mark()) : null;
        }

        private Object value(RecordComponent c, Node v, String key, Positions.Marks marks) {
            if (c.getType() != List.class) {
                Object value = single(c.getType(), v, key);
                if (value instanceof String s && s.isEmpty() && Records.required(c)) {
                    r.error(v, key, "must not be empty");
                    return null;
                }
                return value;
            }
            Class<?> type = Records.elementType(c);
            List<Object> out = new ArrayList<>();
            for (Node e : r.list(v, key)) {
                if (NodeReader.isNull(e)) {
                    r.error(e, key, "expected a value, got null");
                    continue;
                }
                Object x = single(type, e, key);
                if (x != null) { // an element that cannot be read is reported and left out
                    out.add(x);
                    marks.element(key, x, r.lineOf(e), r.mark(), key);
                }
            }
            return out;
        }

        private Object single(Class<?> type, Node v, String key) {
            if (type == String.class) {
                return r.str(v, key);
            }
            if (type == Boolean.class || type == boolean.class) {
                return r.bool(v, key);
            }
            if (type == Integer.class || type == int.class) {
                return r.integer(v, key);
            }
            if (type == SafePattern.class) {
                return r.regex(v, key);
            }
            if (type == EventType.class) {
                String s = r.str(v, key);
                EventType t = s == null ? null : EventType.known(s);
                if (s != null && t == null) {
                    r.error(v, key, "unknown event type `" + s + "`");
                    return EventType.UNKNOWN; // keeps its place: the list was not empty
                }
                return t;
            }
            if (Record.class.isAssignableFrom(type)) {
                return record(type.asSubclass(Record.class), v, key);
            }
            throw new IllegalStateException("no JCasC form for " + type.getName());
        }
    }
}
