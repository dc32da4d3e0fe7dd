package dev.tollgate.cli.casc;

import dev.tollgate.cli.casc.SuiteSection.Place;
import dev.tollgate.pipeline.layout.ConfigError;
import dev.tollgate.pipeline.layout.ConfigException;
import dev.tollgate.pipeline.layout.ConfigInput;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
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
 * Checks a whole JCasC file for {@code tollgate validate}: that it is one YAML document with a mapping
 * at its root, that every section of the suite in it is well written (each by its own reader, see
 * {@link SuiteSections}), and that no key meant for the suite is misspelt or misplaced, where JCasC
 * would refuse it at start-up or, worse, the validator would silently skip it. Sections of other
 * plugins ({@code location}, {@code gerrit-trigger}, {@code credentials:}, {@code jobs:}, most of
 * {@code jenkins:}) are left alone: JCasC and those plugins check them. Stateless; thread-safe.
 */
public final class JcascFile {
    /** JCasC's root keys (core, credentials, job-dsl). */
    static final List<String> ROOT_KEYS = List.of("jenkins", "credentials", "security", "unclassified", "tool",
            "appearance", "jobs");
    /** Root keys only a JCasC file has (a Zuul layout also has {@code jobs:}). */
    private static final List<String> JCASC_ONLY_ROOTS = List.of("jenkins", "credentials", "security",
            "unclassified", "tool", "appearance");
    /** The prefix of every symbol of the suite: a key with it is the suite's or a mistake. */
    static final String PREFIX = "tollgate";

    private JcascFile() {}

    /** Is this YAML a JCasC file (a top-level key only JCasC has)? Cheap check, no parse. */
    public static boolean looksLikeJcasc(String text) {
        for (String line : text.split("\n")) {
            for (String root : JCASC_ONLY_ROOTS) {
                if (line.startsWith(root + ":")) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Checks the file and every section of the suite in it.
     *
     * @return one summary line per section found, e.g. {@code valid JCasC configuration
     *         (unclassified.tollgateGerritPipeline): 1 pipeline(s), ...}
     * @throws ConfigException every problem, the file's own first, then each section's, as
     *         {@code FILE:LINE: key: message}
     */
    public static List<String> check(String text, String file, List<SuiteSection> sections) throws ConfigException {
        Scan scan = new Scan(file, sections);
        Node root = scan.compose(text);
        if (root == null) {
            throw new ConfigException(scan.errors); // nothing can be read from a broken file
        }
        scan.root(root);
        Set<ConfigError> errors = new LinkedHashSet<>(scan.errors);
        List<String> summaries = new ArrayList<>();
        for (SuiteSection s : sections) {
            if (!scan.present.contains(s)) {
                continue;
            }
            try {
                summaries.add("valid JCasC configuration (" + s.path() + "): " + s.reader().check(text, file));
            } catch (ConfigException e) {
                errors.addAll(e.errors()); // a duplicate key, say, is found by both: reported once
            }
        }
        if (errors.isEmpty() && summaries.isEmpty()) {
            errors.add(new ConfigError(file, 1, "", "no section of the suite in this JCasC file (expected "
                    + String.join(" or ", sections.stream().map(SuiteSection::path).toList()) + ")"));
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(List.copyOf(errors));
        }
        return summaries;
    }

    /** One pass over the file's structure; collects problems and the sections present. */
    private static final class Scan {
        final String file;
        final List<SuiteSection> sections;
        final List<ConfigError> errors = new ArrayList<>();
        final Set<SuiteSection> present = new HashSet<>();

        Scan(String file, List<SuiteSection> sections) {
            this.file = file;
            this.sections = sections;
        }

        /** The one document's root, or null with the problem noted. */
        Node compose(String text) {
            ConfigError tooLarge = ConfigInput.check(text, file);
            if (tooLarge != null) {
                errors.add(tooLarge);
                return null;
            }
            try {
                // duplicate keys are reported below, with their lines
                Iterator<Node> documents = new Yaml(ConfigInput.loaderOptions()).composeAll(new StringReader(text)).iterator();
                if (!documents.hasNext()) {
                    errors.add(new ConfigError(file, 1, "", "the file is empty"));
                    return null;
                }
                Node root = documents.next();
                if (documents.hasNext()) {
                    Node second = documents.next();
                    errors.add(new ConfigError(file, line(second), "", "a second YAML document: a JCasC file holds "
                            + "one (put more configuration in another file of the directory CASC_JENKINS_CONFIG names)"));
                    return null;
                }
                if (!(root instanceof MappingNode)) {
                    errors.add(new ConfigError(file, line(root), "", "expected the JCasC sections (jenkins:, "
                            + "credentials:, unclassified:, ...) at the top of the file, got " + describe(root)));
                    return null;
                }
                return root;
            } catch (YAMLException e) {
                errors.add(ConfigInput.yamlError(e, file));
            }
            return null;
        }

        void root(Node root) {
            Set<String> seen = new HashSet<>();
            for (NodeTuple t : ((MappingNode) root).getValue()) {
                String key = key(t, seen);
                if (key == null) {
                    continue;
                }
                Node value = t.getValueNode();
                switch (key) {
                    case "unclassified" -> unclassified(t.getKeyNode(), value);
                    case "jenkins" -> jenkins(value);
                    default -> rootKey(t.getKeyNode(), key);
                }
            }
        }

        private void unclassified(Node keyNode, Node value) {
            if (isNull(value)) {
                return;
            }
            if (!(value instanceof MappingNode m)) {
                errors.add(new ConfigError(file, line(keyNode), "unclassified", "expected a mapping, got "
                        + describe(value)));
                return;
            }
            Set<String> seen = new HashSet<>();
            for (NodeTuple t : m.getValue()) {
                String key = key(t, seen);
                if (key != null) {
                    section(Place.UNCLASSIFIED, t.getKeyNode(), key);
                }
            }
        }

        private void jenkins(Node value) {
            if (!(value instanceof MappingNode m)) {
                return; // the jenkins: section is core's: JCasC checks it
            }
            for (NodeTuple t : m.getValue()) {
                if (!(t.getKeyNode() instanceof ScalarNode k) || !k.getValue().equals("clouds")
                        || isNull(t.getValueNode())) {
                    continue;
                }
                if (!(t.getValueNode() instanceof SequenceNode clouds)) {
                    errors.add(new ConfigError(file, line(k), "clouds", "expected a list, got "
                            + describe(t.getValueNode())));
                    continue;
                }
                for (Node cloud : clouds.getValue()) {
                    if (cloud instanceof MappingNode c) {
                        for (NodeTuple ct : c.getValue()) {
                            if (ct.getKeyNode() instanceof ScalarNode ck) {
                                section(Place.CLOUD, ck, ck.getValue());
                            }
                        }
                    }
                }
            }
        }

        /** A key at a place where sections sit: the suite's, a near miss of one, or another plugin's. */
        private void section(Place place, Node keyNode, String key) {
            for (SuiteSection s : sections) {
                if (s.place() == place && s.symbol().equals(key)) {
                    present.add(s);
                    return;
                }
            }
            String problem = misnamed(key, place);
            if (problem != null) {
                errors.add(new ConfigError(file, line(keyNode), key, problem));
            }
        }

        /** A root key: JCasC's own, a suite section out of place, a misspelt root, or another plugin's. */
        private void rootKey(Node keyNode, String key) {
            if (ROOT_KEYS.contains(key)) {
                return;
            }
            String problem = misnamed(key, null);
            if (problem == null) {
                String near = nearest(key, ROOT_KEYS, key.length() >= 6 ? 2 : 1);
                if (near != null) {
                    problem = "unknown JCasC root key (did you mean `" + near + "`?)";
                }
            }
            if (problem != null) {
                errors.add(new ConfigError(file, line(keyNode), key, problem));
            }
        }

        /**
         * What is wrong with a key that is not a section of the suite at this place (null for the root),
         * or null when it does not look meant for the suite.
         */
        private String misnamed(String key, Place place) {
            for (SuiteSection s : sections) {
                if (s.symbol().equals(key)) {
                    return "a section of the suite that belongs under " + s.place().path() + ":";
                }
            }
            List<String> symbols = sections.stream().map(SuiteSection::symbol).toList();
            String near = nearest(key, symbols, 3);
            if (near != null) {
                SuiteSection s = sections.stream().filter(x -> x.symbol().equals(near)).findFirst().orElseThrow();
                return "unknown section of the suite (did you mean `" + near + "`"
                        + (s.place() == place ? "" : " under " + s.place().path() + ":") + "?)";
            }
            if (key.toLowerCase(Locale.ROOT).startsWith(PREFIX)) {
                List<String> here = sections.stream().filter(s -> s.place() == place).map(SuiteSection::symbol).toList();
                return "unknown section of the suite (" + (place == null ? "the suite's sections belong under "
                        + String.join(" or ", sections.stream().map(s -> s.place().path() + ":").distinct().toList())
                        : here.isEmpty() ? "it has none under " + place.path() + ": yet"
                        : "its sections under " + place.path() + ": " + String.join(", ", here)) + ")";
            }
            return null;
        }

        /** A mapping key as a name (duplicates and non-scalar keys noted), or null to skip the entry. */
        private String key(NodeTuple t, Set<String> seen) {
            if (!(t.getKeyNode() instanceof ScalarNode k)) {
                return null; // not ours to judge: JCasC refuses it
            }
            if (!seen.add(k.getValue())) {
                // the same words as the section readers', so one duplicate reported by both prints once
                errors.add(new ConfigError(file, line(k), k.getValue(), "duplicate key"));
                return null;
            }
            return k.getValue();
        }
    }

    /** The closest candidate within the distance (case ignored), or null. */
    static String nearest(String key, List<String> candidates, int maxDistance) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        String k = key.toLowerCase(Locale.ROOT);
        for (String c : candidates) {
            int d = distance(k, c.toLowerCase(Locale.ROOT));
            if (d <= maxDistance && d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Levenshtein distance; keys are short (a long one is cut, it can only be far from every symbol). */
    static int distance(String a, String b) {
        if (a.length() > 200) {
            a = a.substring(0, 200);
        }
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static int line(Node n) {
        return n.getStartMark().getLine() + 1;
    }

    private static boolean isNull(Node n) {
        return n == null || (n instanceof ScalarNode && n.getTag().equals(Tag.NULL));
    }

    private static String describe(Node n) {
        if (isNull(n)) {
            return "nothing";
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
