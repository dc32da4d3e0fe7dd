package dev.tollgate.cli.casc;

import dev.tollgate.pipeline.layout.ConfigException;

/**
 * One JCasC section of a suite plugin, as {@code tollgate validate} knows it: where it sits in the
 * file, its symbol, and the reader that checks it. A plugin's section is added to the suite's
 * validator by listing one of these in {@link SuiteSections#ALL}. Immutable.
 *
 * @param place  where JCasC looks for the section
 * @param symbol the section's JCasC symbol, e.g. {@code tollgateGerritPipeline}
 * @param reader reads and checks the section of a file that has it
 */
public record SuiteSection(Place place, String symbol, Reader reader) {
    /** Where a section sits in a JCasC file. */
    public enum Place {
        /** A key of {@code unclassified:} (a plugin's global configuration). */
        UNCLASSIFIED("unclassified"),
        /** The key of an entry of the list {@code jenkins: clouds:} (one cloud each). */
        CLOUD("jenkins.clouds");

        private final String path;

        Place(String path) {
            this.path = path;
        }

        /** The place as a path of keys, e.g. {@code jenkins.clouds}. */
        public String path() {
            return path;
        }
    }

    /** Reads one section. Implementations are stateless and may run on any thread. */
    @FunctionalInterface
    public interface Reader {
        /**
         * Reads and checks the section (or, for clouds, every entry of this symbol) in the whole text of
         * a JCasC file, naming problems with the file's lines.
         *
         * @return a one-line summary of what the section configures
         * @throws ConfigException every problem, as {@code FILE:LINE: key: message}
         */
        String check(String text, String file) throws ConfigException;
    }

    /** The section's place and symbol, e.g. {@code unclassified.tollgateGerritPipeline}. */
    public String path() {
        return place.path() + "." + symbol;
    }
}
