package dev.tollgate.logs.config;

import dev.tollgate.common.BuildResult;
import dev.tollgate.common.config.Schema;
import dev.tollgate.logs.AntPatterns;
import dev.tollgate.logs.ConsoleLog;
import dev.tollgate.logs.DestinationPattern;
import dev.tollgate.logs.LogSource;
import dev.tollgate.logs.PublishRequest;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The options of one log publication in a job: the scp-logs plugin's publisher (freestyle) and
 * Pipeline step {@code scpLogs}, key for key. The build's workspace files that match {@code includes}
 * (and not {@code excludes}) go to the log host's root under {@code destination}, keeping their
 * folders unless {@code flatten}; the console log goes to the top of that folder as
 * {@link #CONSOLE_LOG_NAME}.
 *
 * @param logHost          the log host, by its name in the registry
 * @param includes         Ant patterns of workspace files, comma-separated (e.g. {@code logs/**}); none
 *                         when empty (the console log only)
 * @param excludes         Ant patterns of files to leave out
 * @param flatten          every file directly in the destination folder (name clashes: the first wins)
 * @param gzip             text logs gzipped, uploaded as {@code NAME.gz}
 * @param consoleLog       the build's console log too
 * @param destination      the folder under the root, with {@code ${VAR}} from the build's parameters and
 *                         environment; {@code ${LOG_PATH}} is what the gerrit-pipeline plugin passes
 * @param copyAfterFailure publish a build that failed, was aborted or not built too
 * @param failBuild        a publish that fails (wholly, or for some files) fails the build; otherwise the
 *                         build goes on and its log says what was not published
 */
public record PublishStepConfig(@Schema.Required("the name of a log host of the registry") String logHost,
                                String includes, String excludes,
                                @Schema.Default("false") boolean flatten, @Schema.Default("false") boolean gzip,
                                @Schema.Default("false") boolean consoleLog,
                                @Schema.Default(DestinationPattern.DEFAULT) String destination,
                                @Schema.Default("true") boolean copyAfterFailure,
                                @Schema.Default("false") boolean failBuild) {
    /**
     * The console log's name in the published folder: Zuul v2 log servers keep it there, and reports
     * and dashboards link to it. Its content is the console text, escaped, in a {@code <pre>}
     * ({@link dev.tollgate.logs.ConsoleHtml}): a build's output never becomes markup on the log server.
     */
    public static final String CONSOLE_LOG_NAME = "console.html";

    /** The options as a step given only a log host has them. */
    public static PublishStepConfig defaults(String logHost) {
        return new PublishStepConfig(logHost, "", "", false, false, false, DestinationPattern.DEFAULT, true, false);
    }

    /** Publishes workspace files: {@link #includes} is not blank. */
    public boolean publishesFiles() {
        return includes != null && !includes.isBlank();
    }

    /** What is wrong with the options themselves, by key; empty when they make a request. */
    public Map<String, String> problems() {
        Map<String, String> out = new LinkedHashMap<>();
        if (logHost == null || logHost.isBlank()) {
            out.put("logHost", "required: the name of a log host of the registry");
        }
        for (String key : new String[] {"includes", "excludes"}) {
            try {
                AntPatterns.parse(key.equals("includes") ? includes : excludes);
            } catch (IllegalArgumentException e) {
                out.put(key, e.getMessage());
            }
        }
        if (!publishesFiles() && !consoleLog) {
            out.put("includes", "nothing to publish: give patterns of workspace files, or publish the console log");
        }
        if (destination != null && destination.strip().startsWith("/")) {
            out.put("destination", "'" + destination + "' is absolute; it is a folder under the log host's root");
        }
        return out;
    }

    /**
     * The engine's request for one build.
     *
     * @param workspace   the build's workspace files (used when {@link #publishesFiles()})
     * @param console     the console log (used when {@link #consoleLog}); its name should be
     *                    {@link #CONSOLE_LOG_NAME}
     * @param environment the build's parameters and environment, for the destination
     * @param result      the build's result so far
     * @throws IllegalArgumentException when {@link #problems()} is not empty
     */
    public PublishRequest request(LogSource workspace, ConsoleLog console, Map<String, String> environment,
            BuildResult result) {
        Map<String, String> problems = problems();
        if (!problems.isEmpty()) {
            StringBuilder b = new StringBuilder();
            problems.forEach((k, v) -> b.append(b.length() == 0 ? "" : "; ").append(k).append(": ").append(v));
            throw new IllegalArgumentException(b.toString());
        }
        PublishRequest.Builder r = PublishRequest.builder()
                .includes(includes)
                .excludes(excludes == null ? "" : excludes)
                .flatten(flatten)
                .gzip(gzip)
                .destination(destination == null || destination.isBlank() ? DestinationPattern.DEFAULT : destination)
                .parameters(environment)
                .copyAfterFailure(copyAfterFailure)
                .buildResult(result == null ? BuildResult.SUCCESS : result);
        if (publishesFiles()) {
            r.source(workspace);
        }
        if (consoleLog) {
            r.consoleLog(console);
        }
        return r.build();
    }
}
