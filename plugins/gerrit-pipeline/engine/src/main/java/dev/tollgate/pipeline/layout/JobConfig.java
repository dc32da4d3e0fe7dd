package dev.tollgate.pipeline.layout;

import dev.tollgate.common.config.Schema;
import dev.tollgate.common.regex.SafePattern;
import java.util.List;

/**
 * An entry of the {@code jobs} section. It applies to the job of that exact name, or, when the name
 * starts with {@code ^}, to every job whose name matches (Zuul v2's meta-job). Null fields and
 * empty lists are not set by this entry (Zuul's toList: an empty branch list is no branch filter).
 * How entries combine is Zuul 2.5's: see {@code JobResolver}.
 *
 * @param attempts how many times a build that ends without a result is launched in all (Zuul's
 *                 default is {@link #DEFAULT_ATTEMPTS}); only a job's own entry sets it
 */
public record JobConfig(@Schema.Required String name, Boolean voting, List<SafePattern> branches,
                        String successMessage, String failureMessage, List<SkipIf> skipIf, Integer attempts) {
    /** Zuul 2.5's default number of launches of a build that keeps ending without a result. */
    public static final int DEFAULT_ATTEMPTS = 3;

    public JobConfig {
        branches = branches == null ? List.of() : List.copyOf(branches);
        skipIf = skipIf == null ? List.of() : List.copyOf(skipIf);
    }

    public boolean isRegex() {
        return name.startsWith("^");
    }
}
