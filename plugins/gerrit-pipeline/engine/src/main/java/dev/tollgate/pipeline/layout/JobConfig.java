package dev.tollgate.pipeline.layout;

import dev.tollgate.pipeline.regex.SafePattern;
import java.util.List;

/**
 * An entry of the {@code jobs} section. It applies to the job of that exact name, or to every job
 * whose name matches when the name starts with {@code ^}. Several entries may apply to one job; later
 * ones override what they set (Zuul v2's meta-jobs). Null fields are not set by this entry.
 */
public record JobConfig(String name, Boolean voting, List<SafePattern> branches, String successMessage,
                        String failureMessage, List<SkipIf> skipIf) {
    public JobConfig {
        branches = branches == null ? null : List.copyOf(branches);
        skipIf = skipIf == null ? null : List.copyOf(skipIf);
    }

    public boolean isRegex() {
        return name.startsWith("^");
    }
}
