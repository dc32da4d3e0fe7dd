package dev.tollgate.pipeline.layout;

import dev.tollgate.common.config.Schema;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.UnaryOperator;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads any suite plugin's section {@code unclassified: <symbol>:} of a JCasC file into its records
 * (its schema: the record components and their {@link Schema} annotations), exactly as
 * {@link CascConfig} reads the gerrit-pipeline section: unknown keys refused with a suggestion,
 * required keys, YAML types, regexes, each problem as {@code FILE:LINE: key: message}. The plugin's
 * own rules then run on the records, naming problems by the record and key they concern. Stateless.
 */
public final class CascSection {
    private CascSection() {}

    /** What a section's own rules see: which keys were given, and where to report. */
    public interface Problems {
        /** Was {@code key} of {@code record} (a record of the section) written in the file? */
        boolean given(Record record, String key);

        /**
         * Reports a problem with {@code key} of {@code record}; {@code keyOfRecord} is the key the
         * record itself stands under (e.g. {@code hosts} for an element of that list).
         */
        void add(Record record, String keyOfRecord, String key, String message);
    }

    /** A section's rules beyond what its records' types and annotations say. */
    @FunctionalInterface
    public interface Rules<R> {
        void check(R section, Problems problems);

        /** No rules beyond the schema. */
        static <R> Rules<R> none() {
            return (section, problems) -> { };
        }
    }

    /**
     * The section's records, checked.
     *
     * @throws ConfigException every problem of the reading and of the rules, in line order
     */
    public static <R extends Record> R read(String text, String file, String symbol, Class<R> type, Rules<R> rules)
            throws ConfigException {
        NodeReader r = new NodeReader(file);
        Node root = r.compose(text);
        Positions where = new Positions(UnaryOperator.identity());
        R section = root == null ? null : new CascConfig.Reader(r, where).section(root, symbol, type);
        List<ConfigError> errors = new ArrayList<>(r.errors);
        if (section != null) {
            List<ConfigError> found = new ArrayList<>();
            rules.check(section, new Problems() {
                @Override
                public boolean given(Record record, String key) {
                    return where.given(record, key);
                }

                @Override
                public void add(Record record, String keyOfRecord, String key, String message) {
                    Positions.Mark at = where.of(record, keyOfRecord, key);
                    found.add(new ConfigError(file, at.line(), at.key(), message));
                }
            });
            errors.addAll(found);
            errors.sort(Comparator.comparingInt(ConfigError::line)); // stable: a line's problems keep their order
        }
        if (section == null || !errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        return section;
    }
}
