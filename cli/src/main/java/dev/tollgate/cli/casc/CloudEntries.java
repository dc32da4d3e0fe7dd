package dev.tollgate.cli.casc;

import dev.tollgate.cloud.config.CloudSpec;
import dev.tollgate.pipeline.layout.CascSection;
import dev.tollgate.pipeline.layout.ConfigError;
import dev.tollgate.pipeline.layout.ConfigException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads every cloud of one symbol under {@code jenkins: clouds:} with {@link CascSection#read}, the
 * reader of the suite's {@code unclassified:} sections: each entry's text is handed to it as the one
 * section {@code unclassified: <symbol>:} of a text with the same lines, so its problems carry the
 * file's own line numbers. Everything else of the file is blank in that text. Stateless.
 */
final class CloudEntries {
    private CloudEntries() {}

    /** The records of every {@code symbol} entry under {@code jenkins: clouds:}, in file order, each checked. */
    static <R extends Record> List<R> read(String text, String file, String symbol, Class<R> type,
                                           CascSection.Rules<R> rules) throws ConfigException {
        List<ConfigError> errors = new ArrayList<>();
        List<R> out = new ArrayList<>();
        for (Node value : entries(text, symbol)) {
            try {
                out.add(CascSection.read(sectionText(text, symbol, value), file, symbol, type, rules));
            } catch (ConfigException e) {
                errors.addAll(e.errors());
            }
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        return out;
    }

    /**
     * The check of one cloud kind's section: every entry read by the engine's record and checked by
     * its rules (a JCasC variable standing for a valid value), every problem at its key; the clouds'
     * engine names unique, as Jenkins needs them. Returns one summary for all, joined by "; ".
     *
     * @param kind the clouds' name in an error, e.g. {@code LXD}
     */
    static <R extends Record & CloudSpec> String check(String text, String file, String symbol, Class<R> type,
                                                       String kind, Function<R, String> summary) throws ConfigException {
        List<R> clouds = read(text, file, symbol, type, (cloud, out) -> cloud.problemsWithVariables()
                .forEach(p -> out.add(p.record(), p.keyOfRecord(), p.key(), p.message())));
        Map<String, Long> names = clouds.stream().collect(Collectors.groupingBy(CloudSpec::engineName, LinkedHashMap::new,
                Collectors.counting()));
        List<String> twice = names.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
        if (!twice.isEmpty()) {
            throw new ConfigException(List.of(new ConfigError(file, 1, "name", "two " + kind + " clouds are named "
                    + String.join(", ", twice) + " (after '/' and spaces become '-')")));
        }
        return clouds.stream().map(summary).collect(Collectors.joining("; "));
    }

    /** The value nodes of the {@code symbol} entries; JcascFile has already reported a malformed file. */
    private static List<Node> entries(String text, String symbol) {
        List<Node> out = new ArrayList<>();
        Iterator<Node> docs = new Yaml(new LoaderOptions()).composeAll(new StringReader(text)).iterator();
        if (!docs.hasNext() || !(docs.next() instanceof MappingNode root)) {
            return out;
        }
        for (NodeTuple t : root.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("jenkins")
                    && t.getValueNode() instanceof MappingNode jenkins)) {
                continue;
            }
            for (NodeTuple j : jenkins.getValue()) {
                if (j.getKeyNode() instanceof ScalarNode jk && jk.getValue().equals("clouds")
                        && j.getValueNode() instanceof SequenceNode clouds) {
                    for (Node cloud : clouds.getValue()) {
                        if (cloud instanceof MappingNode c) {
                            for (NodeTuple e : c.getValue()) {
                                if (e.getKeyNode() instanceof ScalarNode ek && ek.getValue().equals(symbol)) {
                                    out.add(e.getValueNode());
                                }
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    /**
     * A text with the entry's value where it is in the file, as {@code unclassified: <symbol>:}, and
     * nothing else: a block mapping keeps its lines and columns under a key two lines up (a cloud's
     * block value always starts on the third line or later); a flow value is wrapped in braces on
     * its own line.
     */
    static String sectionText(String text, String symbol, Node value) {
        int start = value.getStartMark().getIndex();
        int end = value.getEndMark().getIndex();
        int line = value.getStartMark().getLine();
        int column = value.getStartMark().getColumn();
        String body = text.substring(start, end);
        StringBuilder b = new StringBuilder();
        boolean block = !(body.startsWith("{") || body.startsWith("[")) && line >= 2 && column > 2;
        int keyLines = block ? 2 : 0;
        for (int i = 0; i < line - keyLines; i++) {
            b.append('\n');
        }
        if (block) {
            b.append("unclassified:\n  ").append(symbol).append(":\n").append(" ".repeat(column)).append(body);
        } else {
            b.append("unclassified: {").append(symbol).append(": ").append(body.isBlank() ? "{}" : body).append("}");
        }
        return b.append('\n').toString();
    }
}
