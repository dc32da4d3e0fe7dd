package dev.tollgate.pipeline.layout;

import dev.tollgate.common.regex.SafePattern;
import java.util.List;

/**
 * A skip-if condition: the job is skipped when every field given matches. {@code allFilesMatchAny}
 * needs the change's file list, which events do not carry: a condition that has it never matches
 * (the job runs), see docs/gerrit-pipeline.md.
 */
public record SkipIf(SafePattern project, SafePattern branch, List<SafePattern> allFilesMatchAny) {
    public SkipIf {
        allFilesMatchAny = List.copyOf(allFilesMatchAny);
    }
}
