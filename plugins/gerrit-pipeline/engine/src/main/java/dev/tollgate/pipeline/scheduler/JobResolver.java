package dev.tollgate.pipeline.scheduler;

import dev.tollgate.pipeline.layout.JobConfig;
import dev.tollgate.pipeline.layout.SkipIf;
import dev.tollgate.common.regex.SafePattern;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Builds a project's job from the {@code jobs} section the way Zuul 2.5 does (model.py
 * Layout.getJob, Job.copy; scheduler.py _parseConfig), then decides with its branch filter and
 * skip-if whether it runs for a change.
 *
 * <p>A job with an entry of its own gets, in order, the regex entries listed <em>before</em> that
 * entry, then the entry's own keys; a job without an entry gets every matching regex entry, in
 * order. A later entry replaces what an earlier one set; an entry sets only what it gives (empty
 * messages, branch lists and skip-if lists set nothing). {@code attempts} comes from the job's own
 * entry only. Immutable once built; thread-safe.
 */
final class JobResolver {
    private record Entry(JobConfig config, SafePattern nameRegex) { }

    /** A job's attributes before its filters are applied to a change. */
    private record Definition(boolean voting, List<SafePattern> branches, String successMessage,
                              String failureMessage, List<SkipIf> skipIf, int attempts) { }

    private final List<Entry> entries = new ArrayList<>();
    /** Position in {@link #entries} of each job's own (non-regex) entry; names are unique. */
    private final Map<String, Integer> ownEntry = new HashMap<>();
    private final Map<String, Definition> definitions = new ConcurrentHashMap<>();

    JobResolver(List<JobConfig> jobs) {
        for (JobConfig j : jobs) {
            if (!j.isRegex()) {
                ownEntry.putIfAbsent(j.name(), entries.size());
            }
            entries.add(new Entry(j, j.isRegex() ? SafePattern.compile(j.name()) : null));
        }
    }

    /** The job as it runs for this project and branch, or null when its filters leave it out. */
    ResolvedJob resolve(String jobName, String project, String branch) {
        Definition d = definitions.computeIfAbsent(jobName, this::define);
        if (d.branches != null && !anyMatch(d.branches, branch)) {
            return null;
        }
        if (d.skipIf != null) {
            for (SkipIf s : d.skipIf) {
                if (skips(s, project, branch)) {
                    return null;
                }
            }
        }
        return new ResolvedJob(jobName, d.voting, d.successMessage, d.failureMessage, d.attempts);
    }

    private Definition define(String jobName) {
        Integer own = ownEntry.get(jobName);
        int regexesBefore = own == null ? entries.size() : own;
        boolean voting = true;
        List<SafePattern> branches = null;
        String success = null;
        String failure = null;
        List<SkipIf> skipIf = null;
        int attempts = JobConfig.DEFAULT_ATTEMPTS;
        List<JobConfig> applied = new ArrayList<>();
        for (int i = 0; i < regexesBefore; i++) {
            Entry e = entries.get(i);
            if (e.nameRegex != null && e.nameRegex.match(jobName)) {
                applied.add(e.config);
            }
        }
        if (own != null) {
            applied.add(entries.get(own).config);
            if (entries.get(own).config.attempts() != null) {
                attempts = entries.get(own).config.attempts();
            }
        }
        for (JobConfig c : applied) {
            if (c.voting() != null) {
                voting = c.voting();
            }
            if (!c.branches().isEmpty()) {
                branches = c.branches();
            }
            if (c.successMessage() != null && !c.successMessage().isEmpty()) {
                success = c.successMessage();
            }
            if (c.failureMessage() != null && !c.failureMessage().isEmpty()) {
                failure = c.failureMessage();
            }
            if (!c.skipIf().isEmpty()) {
                skipIf = c.skipIf();
            }
        }
        return new Definition(voting, branches, success, failure, skipIf, attempts);
    }

    private static boolean anyMatch(List<SafePattern> patterns, String text) {
        for (SafePattern p : patterns) {
            if (p.match(text)) {
                return true;
            }
        }
        return false;
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
