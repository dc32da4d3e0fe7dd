package dev.tollgate.logs;

import dev.tollgate.common.BuildResult;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * What to publish for one build. Build with {@link #builder()}.
 *
 * @param sourceDir        directory the patterns are relative to (null: only the console log, or
 *                         {@code files})
 * @param files            where the files are when they are not in a local directory (e.g. on a build
 *                         agent); at most one of sourceDir and files
 * @param includes         Ant-style comma-separated patterns, default {@code **}
 * @param excludes         Ant-style comma-separated patterns, default none
 * @param flatten          upload every file directly into the destination folder
 * @param destination      pattern under the host root, default {@code ${LOG_PATH}}
 * @param parameters       build parameters for the pattern
 * @param consoleLog       the console log, or null
 * @param copyAfterFailure publish even when the build failed (default true)
 * @param buildResult      the build's result
 * @param gzip             gzip text logs before upload, naming them {@code name.gz}
 * @param gzipExtensions   which file name extensions count as text logs
 */
public record PublishRequest(Path sourceDir, LogSource files, String includes, String excludes, boolean flatten,
        String destination, Map<String, String> parameters, ConsoleLog consoleLog, boolean copyAfterFailure, BuildResult buildResult,
        boolean gzip, Set<String> gzipExtensions) {

    /** Text log extensions OpenStack's log servers served compressed. */
    public static final Set<String> TEXT_EXTENSIONS = Set.of("txt", "log", "html", "htm", "xml", "json", "conf",
            "ini", "yaml", "yml", "cfg", "out", "err", "sh", "py", "csv", "subunit", "diff", "patch");

    public PublishRequest {
        parameters = Map.copyOf(parameters);
        gzipExtensions = Set.copyOf(gzipExtensions);
        if (sourceDir == null && files == null && consoleLog == null) {
            throw new IllegalArgumentException("nothing to publish: give a source directory or a console log");
        }
        if (sourceDir != null && files != null) {
            throw new IllegalArgumentException("give a source directory or a log source, not both");
        }
        if (buildResult == null) {
            buildResult = BuildResult.SUCCESS;
        }
    }

    /** Parameter values stay out: a build's parameters may include passwords. */
    @Override
    public String toString() {
        return "PublishRequest[source=" + (files != null ? files : sourceDir) + ", includes=" + includes
                + ", excludes=" + excludes + ", flatten="
                + flatten + ", destination=" + destination + ", parameters=" + new java.util.TreeSet<>(parameters.keySet())
                + ", console=" + (consoleLog == null ? "none" : consoleLog.name()) + ", copyAfterFailure="
                + copyAfterFailure + ", result=" + buildResult + ", gzip=" + gzip + "]";
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private Path sourceDir;
        private LogSource files;
        private String includes = "**";
        private String excludes = "";
        private boolean flatten;
        private String destination = DestinationPattern.DEFAULT;
        private Map<String, String> parameters = Map.of();
        private ConsoleLog consoleLog;
        private boolean copyAfterFailure = true;
        private BuildResult buildResult = BuildResult.SUCCESS;
        private boolean gzip;
        private Set<String> gzipExtensions = TEXT_EXTENSIONS;

        public Builder source(Path dir) {
            this.sourceDir = dir;
            return this;
        }

        /** Files listed and read through a {@link LogSource} rather than from a local directory. */
        public Builder source(LogSource files) {
            this.files = files;
            return this;
        }

        public Builder includes(String patterns) {
            this.includes = patterns;
            return this;
        }

        public Builder excludes(String patterns) {
            this.excludes = patterns;
            return this;
        }

        public Builder flatten(boolean flatten) {
            this.flatten = flatten;
            return this;
        }

        public Builder destination(String pattern) {
            this.destination = pattern;
            return this;
        }

        public Builder parameters(Map<String, String> parameters) {
            this.parameters = parameters;
            return this;
        }

        public Builder consoleLog(ConsoleLog consoleLog) {
            this.consoleLog = consoleLog;
            return this;
        }

        public Builder copyAfterFailure(boolean copy) {
            this.copyAfterFailure = copy;
            return this;
        }

        public Builder buildResult(BuildResult result) {
            this.buildResult = result;
            return this;
        }

        public Builder gzip(boolean gzip) {
            this.gzip = gzip;
            return this;
        }

        public Builder gzipExtensions(Set<String> extensions) {
            this.gzipExtensions = extensions;
            return this;
        }

        public PublishRequest build() {
            return new PublishRequest(sourceDir, files, includes, excludes, flatten, destination, parameters, consoleLog,
                    copyAfterFailure, buildResult, gzip, gzipExtensions);
        }
    }
}
