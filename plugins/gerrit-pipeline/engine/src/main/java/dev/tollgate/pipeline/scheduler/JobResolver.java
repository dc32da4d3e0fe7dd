package dev.tollgate.pipeline.scheduler;

import dev.tollgate.pipeline.layout.JobConfig;
import dev.tollgate.pipeline.layout.SkipIf;
import dev.tollgate.pipeline.regex.SafePattern;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies the {@code jobs} section to a project's job: every entry whose name equals the job (or,
 * for names starting with ^, matches it) is applied in order, later ones overriding (Zuul v2's
 * meta-jobs). Then the job's branch filter and skip-if decide whether it runs for this change.
 */
final class JobResolver {
    private record Entry(JobConfig config, SafePattern nameRegex) { }

    private final List<Entry> entries = new ArrayList<>();

    JobResolver(List<JobConfig> jobs) {
        for (JobConfig j : jobs) {
            entries.add(new Entry(j, j.isRegex() ? SafePattern.compile(j.name()) : null));
        }
    }

    /** The job as it runs for this project and branch, or null when its filters leave it out. */
    ResolvedJob resolve(String jobName, String project, String branch) {
        boolean voting = true;
        List<SafePattern> branches = null;
        String success = null;
        String failure = null;
        List<SkipIf> skipIf = null;
        for (Entry e : entries) {
            boolean applies = e.nameRegex == null ? e.config.name().equals(jobName) : e.nameRegex.match(jobName);
            if (!applies) {
                continue;
            }
            JobConfig c = e.config;
            if (c.voting() != null) {
                voting = c.voting();
            }
            if (c.branches() != null && !c.branches().isEmpty()) {
                branches = c.branches();
            }
            if (c.successMessage() != null) {
                success = c.successMessage();
            }
            if (c.failureMessage() != null) {
                failure = c.failureMessage();
            }
            if (c.skipIf() != null) {
                skipIf = c.skipIf();
            }
        }
        if (branches != null) {
            boolean any = false;
            for (SafePattern b : branches) {
                if (b.match(branch)) {
                    any = true;
                    break;
                }
            }
            if (!any) {
                return null;
            }
        }
        if (skipIf != null) {
            for (SkipIf s : skipIf) {
                if (skips(s, project, branch)) {
                    return null;
                }
            }
        }
        return new ResolvedJob(jobName, voting, success, failure);
    }

    private static boolean skips(SkipIf s, String project, String branch) {
        if (!s.allFilesMatchAny().isEmpty()) {
            return false; // needs the change's file list, which events do not carry: run the job
        }
        if (s.project() == null && s.branch() == null) {
            return false;
        }
        return (s.project() == null || s.project().match(project)) && (s.branch() == null || s.branch().match(branch));
    }
}
