package dev.tollgate.pipeline.fidelity;

import dev.tollgate.pipeline.fidelity.Model.ApprovalEntry;
import dev.tollgate.pipeline.fidelity.Model.Event;
import dev.tollgate.pipeline.fidelity.Model.Job;
import dev.tollgate.pipeline.fidelity.Model.Pipeline;
import dev.tollgate.pipeline.fidelity.Model.Project;
import dev.tollgate.pipeline.fidelity.Model.Require;
import dev.tollgate.pipeline.fidelity.Model.Skip;
import dev.tollgate.pipeline.fidelity.Model.Template;
import dev.tollgate.pipeline.fidelity.Model.TemplateCall;
import dev.tollgate.pipeline.fidelity.Model.Trigger;
import dev.tollgate.pipeline.fidelity.Model.Vote;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Random layouts, event streams and build outcomes from a seed: the same seed gives the same case.
 * Names, branches and patterns come from small pools so that filters, regex job entries and queue
 * rules meet often. Only layouts Tollgate accepts are made (no ref filter on change events, no
 * branch filter on ref-updated, unique job names, attempts on concrete entries only).
 */
final class CaseGenerator {
    /** One generated case. {@code results} are the outcome rules ({@code JOB=R1,R2}, {@code *=R}). */
    record Case(long seed, Model.Layout layout, List<Event> events, Map<String, List<String>> outcomes,
                List<String> fallback) {
        String outcome(String job, int attempt) {
            List<String> l = outcomes.getOrDefault(job, fallback);
            return l.get(Math.min(attempt, l.size()) - 1);
        }

        List<String> rules() {
            List<String> out = new ArrayList<>();
            out.add("*=" + String.join(",", fallback));
            outcomes.forEach((job, list) -> out.add(job + "=" + String.join(",", list)));
            return out;
        }
    }

    static final List<String> EVENT_TYPES = List.of("patchset-created", "draft-published", "change-abandoned",
            "change-restored", "change-merged", "comment-added", "ref-updated");
    static final List<String> PROJECTS = List.of("org/a", "org/b", "org/docs");
    static final List<String> BRANCHES = List.of("master", "stable/x", "feature/y", "master-old");
    static final List<String> REFS = List.of("refs/heads/master", "refs/heads/stable/x", "refs/tags/1.0");
    static final List<String> COMMENTS = List.of("recheck", "Recheck please", "check experimental", "lgtm", "");
    static final List<String> USERS = List.of("alice", "bob", "ci-bot", "eve");
    static final List<String> LABELS = List.of("Code-Review", "Verified", "Workflow");
    static final List<String> JOB_NAMES = List.of("unit", "docs", "lint", "tempest-full", "tempest-nv", "py27",
            "noop");
    static final List<String> REGEX_NAMES = List.of("^.*$", "^tempest-.*$", "^.*-nv$", "^(docs|lint)$", "^py.*$");
    static final List<String> BRANCH_PATTERNS = List.of("master", "^master$", "^stable/", "stable", "^feature/.*$");
    static final List<String> REF_PATTERNS = List.of("^refs/heads/", "refs/tags/", "^refs/heads/master$");
    static final List<String> COMMENT_PATTERNS = List.of("recheck", "(?i)^recheck", "^check experimental$", "lgtm");
    static final List<String> USER_PATTERNS = List.of("^alice$", "bob", "bot");
    static final List<String> EMAIL_PATTERNS = List.of("@example\\.org$", "^ci@");
    static final List<String> AGES = List.of("1m", "1h", "1d", "2d");
    static final List<Long> AGO = List.of(30L, 60L, 3599L, 3600L, 3601L, 86400L, 86401L, 200000L);
    static final List<String> OUTCOMES = List.of("SUCCESS", "SUCCESS", "SUCCESS", "FAILURE", "UNSTABLE", "NONE",
            "NONE", "HOLD");

    private final Random rnd;

    private CaseGenerator(long seed) {
        this.rnd = new Random(seed);
    }

    static Case generate(long seed) {
        CaseGenerator g = new CaseGenerator(seed);
        Model.Layout layout = g.layout();
        List<Event> events = g.events();
        Map<String, List<String>> outcomes = new LinkedHashMap<>();
        for (String job : g.some(JOB_NAMES, 0, 4)) {
            if (!job.equals("noop")) {
                outcomes.put(job, g.outcomes());
            }
        }
        List<String> fallback = g.chance(35) ? List.of("HOLD") : List.of(g.chance(80) ? "SUCCESS" : "FAILURE");
        return new Case(seed, layout, events, outcomes, fallback);
    }

    // ------------------------------------------------------------------ layout

    private Model.Layout layout() {
        List<Pipeline> pipelines = new ArrayList<>();
        int n = 1 + rnd.nextInt(3);
        for (int i = 0; i < n; i++) {
            pipelines.add(pipeline("p" + i));
        }
        List<Job> jobs = new ArrayList<>();
        List<String> names = new ArrayList<>(some(JOB_NAMES, 0, 4));
        names.addAll(some(REGEX_NAMES, 0, 3));
        java.util.Collections.shuffle(names, rnd);
        for (String name : names) {
            jobs.add(job(name));
        }
        List<Template> templates = new ArrayList<>();
        if (chance(40)) {
            Map<String, List<String>> t = new LinkedHashMap<>();
            for (Pipeline p : some(pipelines, 1, pipelines.size())) {
                List<String> js = new ArrayList<>(some(List.of("{name}-pep8", "unit", "{prefix}-py27", "docs"), 1, 3));
                t.put(p.name(), js);
            }
            templates.add(new Template("python", t));
        }
        List<Project> projects = new ArrayList<>();
        for (String name : PROJECTS) {
            if (chance(15)) {
                continue;
            }
            List<TemplateCall> calls = new ArrayList<>();
            if (!templates.isEmpty() && chance(50)) {
                boolean usesPrefix = templates.get(0).jobs().values().stream().anyMatch(l -> l.contains("{prefix}-py27"));
                calls.add(new TemplateCall("python", usesPrefix ? Map.of("prefix", "gate") : Map.of()));
            }
            Map<String, List<String>> byPipeline = new LinkedHashMap<>();
            for (Pipeline p : pipelines) {
                if (chance(75)) {
                    List<String> list = new ArrayList<>();
                    int k = 1 + rnd.nextInt(4);
                    for (int i = 0; i < k; i++) {
                        list.add(pick(JOB_NAMES)); // repeats allowed: Zuul runs them once
                    }
                    byPipeline.put(p.name(), list);
                }
            }
            projects.add(new Project(name, calls, byPipeline));
        }
        return new Model.Layout(pipelines, jobs, templates, projects);
    }

    private Pipeline pipeline(String name) {
        List<Trigger> triggers = new ArrayList<>();
        int n = 1 + rnd.nextInt(2);
        for (int i = 0; i < n; i++) {
            triggers.add(trigger());
        }
        Require require = null;
        if (chance(25)) {
            require = new Require(chance(30) ? rnd.nextBoolean() : null, chance(10) ? rnd.nextBoolean() : null,
                    chance(30) ? List.of(chance(70) ? "NEW" : "MERGED") : null,
                    chance(60) ? approvalEntries() : null);
        }
        Map<String, Integer> success = chance(75) ? labels(List.of(1, 2)) : null;
        Map<String, Integer> failure = chance(65) ? labels(List.of(-1, 0, -2)) : null;
        return new Pipeline(name, triggers, chance(25) ? rnd.nextBoolean() : null, require,
                chance(20) ? approvalEntries() : null, chance(30), success, failure,
                chance(25) ? "All good." : null, chance(25) ? "Something broke." : null,
                chance(20) ? "Reply recheck to run again." : null);
    }

    private Map<String, Integer> labels(List<Integer> values) {
        Map<String, Integer> m = new LinkedHashMap<>();
        if (chance(85)) {
            m.put("verified", pick(values));
        }
        if (chance(30)) {
            m.put("code-review", pick(List.of(0, 1, -1)));
        }
        return m;
    }

    private Trigger trigger() {
        List<String> events = new ArrayList<>(some(EVENT_TYPES, 1, 2));
        boolean ref = events.contains("ref-updated");
        boolean refOnly = events.equals(List.of("ref-updated"));
        List<Map<String, Integer>> approvals = null;
        if (events.contains("comment-added") && chance(25)) {
            approvals = new ArrayList<>();
            int k = 1 + rnd.nextInt(2);
            for (int i = 0; i < k; i++) {
                approvals.add(Map.of(pick(List.of("code-review", "verified", "workflow")), pick(List.of(-1, 1, 2))));
            }
        }
        return new Trigger(events,
                !ref && chance(30) ? some(BRANCH_PATTERNS, 1, 2) : null,
                refOnly && chance(50) ? some(REF_PATTERNS, 1, 2) : null,
                chance(30) ? (chance(10) ? List.of("") : some(COMMENT_PATTERNS, 1, 2)) : null,
                chance(15) ? some(USER_PATTERNS, 1, 2) : null,
                chance(10) ? some(EMAIL_PATTERNS, 1, 1) : null,
                approvals,
                chance(15) ? approvalEntries() : null,
                chance(15) ? approvalEntries() : null,
                ref && chance(30) ? rnd.nextBoolean() : null);
    }

    private List<ApprovalEntry> approvalEntries() {
        List<ApprovalEntry> out = new ArrayList<>();
        int n = 1 + rnd.nextInt(2);
        for (int i = 0; i < n; i++) {
            Map<String, List<Integer>> labels = new LinkedHashMap<>();
            if (chance(80)) {
                labels.put(pick(List.of("code-review", "verified")), some(List.of(-2, -1, 0, 1, 2), 1, 2));
            }
            out.add(new ApprovalEntry(chance(20) ? pick(USER_PATTERNS) : null, chance(10) ? pick(EMAIL_PATTERNS) : null,
                    chance(20) ? pick(AGES) : null, chance(15) ? pick(AGES) : null, labels));
        }
        return out;
    }

    private Job job(String name) {
        boolean regex = name.startsWith("^");
        List<Skip> skipIf = null;
        if (chance(25)) {
            skipIf = new ArrayList<>();
            int n = 1 + rnd.nextInt(2);
            for (int i = 0; i < n; i++) {
                String project = chance(60) ? pick(List.of("^org/docs$", "^org/a$", "org/")) : null;
                String branch = chance(40) ? pick(List.of("^stable/", "^master$")) : null;
                List<String> files = project == null && branch == null || chance(15) ? List.of("^doc/.*$") : null;
                skipIf.add(new Skip(project, branch, files));
            }
        }
        return new Job(name, chance(40) ? rnd.nextBoolean() : null,
                chance(30) ? (chance(10) ? List.of() : some(BRANCH_PATTERNS, 1, 2)) : null,
                chance(25) ? "passed " + name : null, chance(25) ? "broke " + name : null, skipIf,
                !regex && chance(35) ? rnd.nextInt(4) : null);
    }

    private List<String> outcomes() {
        List<String> out = new ArrayList<>();
        int n = 1 + rnd.nextInt(3);
        for (int i = 0; i < n; i++) {
            out.add(pick(OUTCOMES));
        }
        return out;
    }

    // ------------------------------------------------------------------ events

    private List<Event> events() {
        List<Event> out = new ArrayList<>();
        long seedBranch = rnd.nextInt(BRANCHES.size());
        int n = 5 + rnd.nextInt(16);
        int[] patchsets = {0, 1, 1, 1, 1};
        for (int i = 0; i < n; i++) {
            String type = pick(List.of("patchset-created", "patchset-created", "patchset-created", "comment-added",
                    "comment-added", "comment-added", "draft-published", "change-abandoned", "change-restored",
                    "change-merged", "ref-updated"));
            String user = chance(90) ? pick(USERS) : null;
            long createdOn = ZuulReference.NOW - pick(AGO);
            if (type.equals("ref-updated")) {
                String project = chance(90) ? pick(PROJECTS) : "org/unknown";
                String newRev = chance(15) ? ZuulReference.ZEROS : pick(List.of("a", "b", "c")).repeat(40);
                out.add(new Event(type, project, null, 0, 0, user, null, List.of(), createdOn, null, pick(REFS),
                        newRev));
                continue;
            }
            // change numbers are Gerrit-wide: each belongs to one project (4 to one the layout does not know)
            int change = chance(92) ? 1 + rnd.nextInt(3) : 4;
            String project = change == 4 ? "org/unknown" : PROJECTS.get(change - 1);
            if (type.equals("patchset-created") && chance(50)) {
                patchsets[change]++;
            }
            int patchset = chance(80) ? patchsets[change] : 1 + rnd.nextInt(patchsets[change]);
            String comment = null;
            List<Vote> votes = List.of();
            if (type.equals("comment-added")) {
                comment = pick(COMMENTS);
                List<Vote> v = new ArrayList<>();
                for (String label : LABELS) {
                    if (chance(35)) {
                        v.add(new Vote(label, pick(List.of(-2, -1, 0, 1, 2))));
                    }
                }
                votes = v;
            }
            String status = chance(85) ? "NEW" : pick(List.of("MERGED", "ABANDONED"));
            // a change's branch stays the same in one stream
            String branch = BRANCHES.get((change + (int) (seedBranch % BRANCHES.size())) % BRANCHES.size());
            out.add(new Event(type, project, branch, change, patchset, user, comment, votes, createdOn, status, null,
                    null));
        }
        return out;
    }

    // ------------------------------------------------------------------ helpers

    private boolean chance(int percent) {
        return rnd.nextInt(100) < percent;
    }

    private <T> T pick(List<T> list) {
        return list.get(rnd.nextInt(list.size()));
    }

    /** Between min and max distinct elements, in list order. */
    private <T> List<T> some(List<T> list, int min, int max) {
        int n = min + rnd.nextInt(Math.max(1, Math.min(max, list.size()) - min + 1));
        Set<Integer> idx = new LinkedHashSet<>();
        while (idx.size() < n) {
            idx.add(rnd.nextInt(list.size()));
        }
        List<T> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (idx.contains(i)) {
                out.add(list.get(i));
            }
        }
        return out;
    }
}
