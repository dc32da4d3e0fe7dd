package dev.tollgate.pipeline.layout;

import dev.tollgate.common.regex.SafePattern;
import dev.tollgate.common.regex.UnsupportedPatternException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads SnakeYAML nodes (not objects) so that every problem can name its line; collects all errors
 * instead of stopping at the first. How a value is written is checked here; what the configuration
 * says is {@link LayoutValidator}'s.
 */
final class NodeReader {
    final String file;
    final List<ConfigError> errors = new ArrayList<>();
    /** value node -> its key node: block values start on the line after their key, errors name the key's line. */
    private final Map<Node, Node> keyNodes = new java.util.IdentityHashMap<>();

    NodeReader(String file) {
        this.file = file;
    }

    /** The document's root node, or null (error recorded) when the YAML itself is broken or empty. */
    Node compose(String text) {
        ConfigError tooLarge = ConfigInput.check(text, file);
        if (tooLarge != null) {
            errors.add(tooLarge);
            return null;
        }
        try {
            Node root = new Yaml(ConfigInput.loaderOptions()).compose(new StringReader(text)); // duplicates: reported below
            if (root == null) {
                errors.add(new ConfigError(file, 1, "", "the file is empty"));
            }
            return root;
        } catch (YAMLException e) {
            errors.add(ConfigInput.yamlError(e, file));
        }
        return null;
    }

    static int line(Node n) {
        return n.getStartMark().getLine() + 1;
    }

    void error(Node n, String key, String message) {
        errors.add(new ConfigError(file, lineOf(n), key, message));
    }

    /** How many problems were found so far: where a rule's problem goes among them (see {@link Positions}). */
    int mark() {
        return errors.size();
    }

    /** The line an error about this node names: its key's line for a mapping value. */
    int lineOf(Node n) {
        Node at = n == null ? null : keyNodes.getOrDefault(n, n);
        return at == null ? 1 : line(at);
    }

    /** A key of Zuul 2.5's layout schema that Tollgate refuses, saying why. */
    void unsupported(Node n, String key, String why) {
        error(n, key, "a Zuul 2.5 key Tollgate does not support: " + why);
    }

    static boolean isNull(Node n) {
        return n == null || (n instanceof ScalarNode && n.getTag().equals(Tag.NULL));
    }

    /**
     * A mapping's entries by key, in order. Wrong type, non-string keys, duplicates and keys outside
     * {@code allowed} (when not null) are reported; returns null when the node is not a mapping.
     */
    Map<String, Node> map(Node n, String key, Set<String> allowed) {
        return map(n, key, allowed, Map.of());
    }

    /**
     * As {@link #map(Node, String, Set)}; keys of {@code zuulOnly} are Zuul 2.5 keys Tollgate does
     * not support, refused with the reason given (not as unknown keys).
     */
    Map<String, Node> map(Node n, String key, Set<String> allowed, Map<String, String> zuulOnly) {
        if (!(n instanceof MappingNode m)) {
            error(n, key, "expected a mapping, got " + describe(n));
            return null;
        }
        Map<String, Node> out = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k)) {
                error(t.getKeyNode(), key, "keys must be plain names");
                continue;
            }
            String name = k.getValue();
            keyNodes.put(t.getValueNode(), k);
            if (out.containsKey(name)) {
                error(k, name, "duplicate key");
                continue;
            }
            if (zuulOnly.containsKey(name)) {
                unsupported(k, name, zuulOnly.get(name));
                continue;
            }
            if (allowed != null && !allowed.contains(name)) {
                error(k, name, "unknown key" + (key == null || key.isEmpty() ? "" : " in " + key)
                        + " (expected one of: " + String.join(", ", allowed) + ")");
                continue;
            }
            out.put(name, t.getValueNode());
        }
        return out;
    }

    String str(Node n, String key) {
        if (isNull(n)) {
            return null;
        }
        if (n instanceof ScalarNode s) {
            return s.getValue();
        }
        error(n, key, "expected a string, got " + describe(n));
        return null;
    }

    String requiredStr(Map<String, Node> m, Node parent, String key) {
        Node n = m.get(key);
        if (isNull(n)) {
            error(n == null ? parent : n, key, "required");
            return null;
        }
        String s = str(n, key);
        if (s != null && s.isEmpty()) {
            error(n, key, "must not be empty");
            return null;
        }
        return s;
    }

    Boolean bool(Node n, String key) {
        if (isNull(n)) {
            return null;
        }
        if (n instanceof ScalarNode s) {
            switch (s.getValue().toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on" -> {
                    return Boolean.TRUE;
                }
                case "false", "no", "off" -> {
                    return Boolean.FALSE;
                }
                default -> { }
            }
        }
        error(n, key, "expected true or false, got " + describe(n));
        return null;
    }

    Integer integer(Node n, String key) {
        if (n instanceof ScalarNode s && !isNull(n)) {
            String v = s.getValue().trim();
            try {
                return Integer.parseInt(v.startsWith("+") ? v.substring(1) : v);
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        error(n, key, "expected an integer, got " + describe(n));
        return null;
    }

    /** A list, or a single item standing for a list of one (Zuul's toList); null gives an empty list. */
    List<Node> listOrOne(Node n) {
        if (isNull(n)) {
            return List.of();
        }
        if (n instanceof SequenceNode s) {
            return s.getValue();
        }
        return List.of(n);
    }

    /**
     * Zuul's toList: like {@link #listOrOne}, but an empty string is an empty list too (Python's
     * {@code if not item}), so {@code comment: ''} is no filter at all.
     */
    List<Node> zuulList(Node n) {
        if (n instanceof ScalarNode s && !isNull(n) && s.getValue().isEmpty()) {
            return List.of();
        }
        return listOrOne(n);
    }

    List<Node> list(Node n, String key) {
        if (isNull(n)) {
            return List.of();
        }
        if (n instanceof SequenceNode s) {
            return s.getValue();
        }
        error(n, key, "expected a list, got " + describe(n));
        return List.of();
    }

    List<String> strings(Node n, String key) {
        List<String> out = new ArrayList<>();
        for (Node item : listOrOne(n)) {
            String s = str(item, key);
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    SafePattern regex(Node n, String key) {
        String s = str(n, key);
        if (s == null) {
            return null;
        }
        try {
            return SafePattern.compile(s);
        } catch (UnsupportedPatternException e) {
            error(n, key, LayoutValidator.badRegex(s, e));
            return null;
        }
    }

    /** One regex or a list of them, as Zuul's toList reads them (an empty string is none). */
    List<SafePattern> regexes(Node n, String key) {
        List<SafePattern> out = new ArrayList<>();
        for (Node item : zuulList(n)) {
            SafePattern p = regex(item, key);
            if (p != null) {
                out.add(p);
            }
        }
        return out;
    }

    static String describe(Node n) {
        if (n == null) {
            return "nothing";
        }
        if (isNull(n)) {
            return "null";
        }
        if (n instanceof MappingNode) {
            return "a mapping";
        }
        if (n instanceof SequenceNode) {
            return "a list";
        }
        String v = ((ScalarNode) n).getValue();
        return "`" + (v.length() > 40 ? v.substring(0, 40) + "..." : v) + "`";
    }
}
