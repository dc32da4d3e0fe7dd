package dev.tollgate.pipeline.port;

import dev.tollgate.common.BuildResult;
import java.util.Objects;

/**
 * What Jenkins says of one build after a restart ({@link BuildLookup}), and what the scheduler does
 * with it when it restores its queues:
 * <ul>
 *   <li>{@link Running}: queued or building. Re-attached, not launched again; its end comes later
 *       through {@code onJobCompleted} as usual.</li>
 *   <li>{@link Ended}: it has a result. Taken as its completion, which reports as usual.</li>
 *   <li>{@link EndedWithoutResult}: it ended without one (aborted by the restart, its agent lost):
 *       as {@code onJobEndedWithoutResult}, so the job is launched again up to its attempts.</li>
 *   <li>{@link Unknown}: Jenkins has no trace of it. If the engine had not yet handed it to the
 *       launcher it is launched now, with the same build id; if it had, the launch was lost with the
 *       restart and the build counts as ended without a result.</li>
 * </ul>
 */
public sealed interface BuildStatus {
    /** Queued or building; {@code url} is the build's page when Jenkins has one (may be null). */
    record Running(String url) implements BuildStatus { }

    /** Ended with {@code result}; {@code url} is the log or build URL the report links to (may be null). */
    record Ended(BuildResult result, String url) implements BuildStatus {
        public Ended {
            Objects.requireNonNull(result, "result (a build without one is EndedWithoutResult)");
        }
    }

    /** Ended without a result; {@code why} is logged and shown to listeners. */
    record EndedWithoutResult(String why) implements BuildStatus { }

    /** Jenkins knows nothing of this build id: neither queued nor run. */
    record Unknown() implements BuildStatus { }

    static BuildStatus running(String url) {
        return new Running(url);
    }

    static BuildStatus ended(BuildResult result, String url) {
        return new Ended(result, url);
    }

    static BuildStatus endedWithoutResult(String why) {
        return new EndedWithoutResult(why);
    }

    static BuildStatus unknown() {
        return new Unknown();
    }
}
