package dev.tollgate.pipeline.fidelity;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.pipeline.fidelity.Model.ApprovalEntry;
import dev.tollgate.pipeline.fidelity.Model.Event;
import dev.tollgate.pipeline.fidelity.Model.Pipeline;
import dev.tollgate.pipeline.fidelity.Model.Project;
import dev.tollgate.pipeline.fidelity.Model.Skip;
import dev.tollgate.pipeline.fidelity.Model.Template;
import dev.tollgate.pipeline.fidelity.Model.TemplateCall;
import dev.tollgate.pipeline.fidelity.Model.Trigger;
import dev.tollgate.pipeline.fidelity.Model.Vote;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * A small reference model of Zuul 2.5's independent pipeline, written from its sources
 * (model.py, scheduler.py, trigger/gerrit.py, reporter/__init__.py, launcher/gearman.py) and
 * deliberately naive: linear scans, no indexes, no threads. It shares no code with the engine
 * (java.util.regex instead of RE2/J, its own layout model) and prints the decision lines
 * {@code tollgate simulate} prints, for the same build outcomes.
 *
 * <p>Where Tollgate deliberately differs from Zuul 2.5 (the table in docs/gerrit-pipeline.md) the
 * model follows Tollgate; each such place says "Tollgate:".
 */
final class ZuulReference {
    static final long NOW = 1767225600L; // the simulation's clock, 2026-01-01T00:00:00Z
    static final String ZEROS = "0".repeat(40);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A job as model.py's Job holds it; metajobs leave voting unset (null). */
    static final class Job {
        final String name;
        Boolean voting;
        List<String> branches = List.of();
        String successMessage;
        String failureMessage;
        List<Skip> skipIf; // null: no skip-if matcher
        int attempts = 3;

        Job(String name, boolean metajob) {
            this.name = name;
            this.voting = metajob ? null : Boolean.TRUE;
        }

        /** Job.copy: take what the other job sets. */
        void copy(Job other) {
            if (other.failureMessage != null && !other.failureMessage.isEmpty()) {
                failureMessage = other.failureMessage;
            }
            if (other.successMessage != null && !other.successMessage.isEmpty()) {
                successMessage = other.successMessage;
            }
            if (!other.branches.isEmpty()) {
                branches = other.branches;
            }
            if (other.skipIf != null) {
                skipIf = other.skipIf;
            }
            if (other.voting != null) {
                voting = other.voting;
            }
        }

        /** Sets what a jobs: entry gives, as _parseConfig does. */
        void apply(Model.Job entry) {
            if (entry.failureMessage() != null && !entry.failureMessage().isEmpty()) {
                failureMessage = entry.failureMessage();
            }
            if (entry.successMessage() != null && !entry.successMessage().isEmpty()) {
                successMessage = entry.successMessage();
            }
            attempts = entry.attempts() == null ? 3 : entry.attempts();
            if (entry.voting() != null) {
                voting = entry.voting();
            }
            if (entry.branches() != null && !entry.branches().isEmpty()) {
                branches = entry.branches();
            }
            if (entry.skipIf() != null && !entry.skipIf().isEmpty()) {
                skipIf = entry.skipIf();
            }
        }
    }

    private final Model.Layout layout;
    private final BiFunction<String, Integer, String> outcome;
    /** Layout.jobs and Layout.metajobs, filled as getJob is called. */
    private final Map<String, Job> jobs = new HashMap<>();
    private final List<Job> metajobs = new ArrayList<>();
    /** project -> pipeline -> job names, after templates and de-duplication (JobTree.addJob). */
    private final Map<String, Map<String, List<String>>> trees = new LinkedHashMap<>();
    /** pipeline -> queue of items. */
    private final Map<String, List<Item>> queues = new LinkedHashMap<>();
    private final List<String> out = new ArrayList<>();
    private int line;

    private static final class Item {
        final Pipeline pipeline;
        final Event event;
        final List<String> jobs;
        final Map<String, String> results = new LinkedHashMap<>();
        final Map<String, Integer> tries = new HashMap<>();

        Item(Pipeline pipeline, Event event, List<String> jobs) {
            this.pipeline = pipeline;
            this.event = event;
            this.jobs = jobs;
        }

        boolean isRef() {
            return event.type().equals("ref-updated");
        }

        boolean sameAs(Event e) {
            if (isRef() || e.type().equals("ref-updated")) {
                return isRef() && e.type().equals("ref-updated") && event.project().equals(e.project())
                        && event.ref().equals(e.ref()) && event.newRev().equals(e.newRev());
            }
            return event.project().equals(e.project()) && event.change() == e.change()
                    && event.patchset() == e.patchset();
        }
    }

    /** A build waiting for its outcome. */
    private record Launch(Item item, String job, int attempt) { }

    ZuulReference(Model.Layout layout, BiFunction<String, Integer, String> outcome) {
        this.layout = layout;
        this.outcome = outcome;
        configure();
    }

    private Job getJob(String name) {
        Job known = jobs.get(name);
        if (known != null) {
            return known;
        }
        Job job = new Job(name, name.startsWith("^"));
        if (name.startsWith("^")) {
            metajobs.add(job);
        } else {
            for (Job meta : metajobs) {
                if (match(meta.name, name)) {
                    job.copy(meta);
                }
            }
            jobs.put(name, job);
        }
        return job;
    }

    private void configure() {
        for (Model.Job entry : layout.jobs()) {
            getJob(entry.name()).apply(entry);
        }
        for (Project p : layout.projects()) {
            String shortName = p.name().substring(p.name().lastIndexOf('/') + 1);
            Map<String, List<String>> byPipeline = new LinkedHashMap<>();
            for (Pipeline pipeline : layout.pipelines()) {
                List<String> names = new ArrayList<>();
                for (TemplateCall call : p.templates()) {
                    Template t = layout.templates().stream().filter(x -> x.name().equals(call.name())).findFirst()
                            .orElseThrow();
                    Map<String, String> params = new HashMap<>(call.params());
                    params.put("name", shortName);
                    for (String job : t.jobs().getOrDefault(pipeline.name(), List.of())) {
                        names.add(format(job, params));
                    }
                }
                if (p.jobs().containsKey(pipeline.name())) {
                    names.addAll(p.jobs().get(pipeline.name()));
                } else if (names.isEmpty()) {
                    continue;
                }
                List<String> tree = new ArrayList<>();
                for (String n : names) {
                    getJob(n);
                    if (!tree.contains(n)) {
                        tree.add(n);
                    }
                }
                byPipeline.put(pipeline.name(), tree);
            }
            trees.put(p.name(), byPipeline);
        }
    }

    private static String format(String text, Map<String, String> params) {
        String s = text;
        for (Map.Entry<String, String> e : params.entrySet()) {
            s = s.replace("{" + e.getKey() + "}", e.getValue());
        }
        return s;
    }

    /** The decision lines for these events, one per line of events. */
    List<String> run(List<Event> events) {
        for (Event e : events) {
            line++;
            List<Launch> launched = new ArrayList<>();
            for (Pipeline p : layout.pipelines()) {
                List<Item> q = queues.computeIfAbsent(p.name(), k -> new ArrayList<>());
                if (e.type().equals("patchset-created") && !Boolean.FALSE.equals(p.dequeueOnNewPatchset())) {
                    // Tollgate: every older patchset, where Zuul 2.5 removes the first one it finds
                    removeWhere(q, it -> !it.isRef() && it.event.project().equals(e.project())
                            && it.event.change() == e.change() && it.event.patchset() < e.patchset());
                }
                if (e.type().equals("change-abandoned")) {
                    // Tollgate: every patchset, where Zuul 2.5 removes the item of the event's patchset
                    removeWhere(q, it -> !it.isRef() && it.event.project().equals(e.project())
                            && it.event.change() == e.change());
                }
                if (eventMatches(p, e)) {
                    addChange(p, e, q, launched);
                }
            }
            endBuilds(launched);
        }
        return out;
    }

    private void removeWhere(List<Item> q, java.util.function.Predicate<Item> which) {
        for (Item it : new ArrayList<>(q)) {
            if (which.test(it)) {
                q.remove(it);
                print(head("dequeue", it));
            }
        }
    }

    private boolean eventMatches(Pipeline p, Event e) {
        Map<String, List<String>> tree = trees.get(e.project());
        // Tollgate: only projects that list the pipeline (Zuul 2.5 enqueues any project of the layout)
        if (tree == null || !tree.containsKey(p.name())) {
            return false;
        }
        boolean any = false;
        for (Trigger t : p.triggers()) {
            any |= filterMatches(t, e);
        }
        if (!any || e.type().equals("ref-updated")) {
            return any; // pipeline requirements look at changes only
        }
        if (p.require() != null) {
            Model.Require r = p.require();
            boolean open = e.status() == null || e.status().equals("NEW") || e.status().equals("DRAFT");
            if (r.open() != null && r.open() != open) {
                return false;
            }
            // Tollgate: the event's patchset is taken as current
            if (Boolean.FALSE.equals(r.currentPatchset())) {
                return false;
            }
            if (r.statuses() != null && !r.statuses().isEmpty() && !r.statuses().contains(e.status())) {
                return false;
            }
            if (r.approvals() != null && !requiredApprovals(r.approvals(), e)) {
                return false;
            }
        }
        return p.reject() == null || !rejected(p.reject(), e);
    }

    /** model.py EventFilter.matches, in its order. */
    private boolean filterMatches(Trigger t, Event e) {
        if (!t.events().contains(e.type())) {
            return false;
        }
        String branch = e.type().equals("ref-updated") ? null : e.branch();
        if (given(t.branches()) && (branch == null || t.branches().stream().noneMatch(b -> match(b, branch)))) {
            return false;
        }
        String ref = e.type().equals("ref-updated") ? e.ref() : null;
        if (given(t.refs()) && (ref == null || t.refs().stream().noneMatch(r -> match(r, ref)))) {
            return false;
        }
        boolean ignoreDeletes = t.ignoreDeletes() == null || t.ignoreDeletes();
        if (ignoreDeletes && ZEROS.equals(e.newRev())) {
            return false;
        }
        if (given(t.comments())
                && (e.comment() == null || t.comments().stream().noneMatch(c -> search(c, e.comment())))) {
            return false;
        }
        if (e.user() != null) {
            Model.Account a = Model.ACCOUNTS.get(e.user());
            if (given(t.emails()) && t.emails().stream().noneMatch(x -> search(x, a.email()))) {
                return false;
            }
            if (given(t.usernames()) && t.usernames().stream().noneMatch(x -> search(x, a.username()))) {
                return false;
            }
        }
        if (t.approvals() != null) {
            Map<String, Integer> merged = new LinkedHashMap<>(); // getEventFilters: one dict
            t.approvals().forEach(merged::putAll);
            for (Map.Entry<String, Integer> want : merged.entrySet()) {
                boolean found = false;
                for (Vote v : e.votes()) {
                    found |= normalize(v.label()).equals(normalize(want.getKey())) && v.value() == want.getValue();
                }
                if (!found) {
                    return false;
                }
            }
        }
        if (t.requireApprovals() != null && !requiredApprovals(t.requireApprovals(), e)) {
            return false;
        }
        return t.rejectApprovals() == null || !rejected(t.rejectApprovals(), e);
    }

    private static boolean given(List<String> patterns) {
        return patterns != null && !patterns.isEmpty();
    }

    private boolean requiredApprovals(List<ApprovalEntry> entries, Event e) {
        for (ApprovalEntry r : entries) {
            boolean met = false;
            for (Vote v : e.votes()) {
                met |= approvalMatches(r, v, e);
            }
            if (!met) {
                return false;
            }
        }
        return true;
    }

    /** Tollgate: a change without approvals is not rejected (Zuul 2.5 refused it). */
    private boolean rejected(List<ApprovalEntry> entries, Event e) {
        for (ApprovalEntry r : entries) {
            for (Vote v : e.votes()) {
                if (approvalMatches(r, v, e)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** BaseFilter._match_approval_required_approval; Tollgate: given by the event's account at its time. */
    private boolean approvalMatches(ApprovalEntry r, Vote v, Event e) {
        Model.Account by = e.user() == null ? null : Model.ACCOUNTS.get(e.user());
        if (r.username() != null && (by == null || !search(r.username(), by.username()))) {
            return false;
        }
        if (r.email() != null && (by == null || !search(r.email(), by.email()))) {
            return false;
        }
        if (r.newerThan() != null && e.createdOn() < NOW - seconds(r.newerThan())) {
            return false;
        }
        if (r.olderThan() != null && e.createdOn() >= NOW - seconds(r.olderThan())) {
            return false;
        }
        for (Map.Entry<String, List<Integer>> label : r.labels().entrySet()) {
            if (!normalize(v.label()).equals(label.getKey()) || !label.getValue().contains(v.value())) {
                return false;
            }
        }
        return true;
    }

    private static long seconds(String age) {
        long n = Long.parseLong(age.substring(0, age.length() - 1));
        return n * switch (age.charAt(age.length() - 1)) {
            case 's' -> 1;
            case 'm' -> 60;
            case 'h' -> 3600;
            case 'd' -> 86400;
            default -> 7 * 86400;
        };
    }

    private static String normalize(String label) {
        return label.toLowerCase(Locale.ROOT).replace(' ', '-');
    }

    private void addChange(Pipeline p, Event e, List<Item> q, List<Launch> launched) {
        for (Item it : q) {
            if (it.sameAs(e)) {
                return; // isChangeAlreadyInPipeline
            }
        }
        List<String> run = new ArrayList<>();
        for (String name : trees.get(e.project()).get(p.name())) {
            if (changeMatches(getJob(name), e)) {
                run.add(name);
            }
        }
        if (run.isEmpty()) {
            return; // Tollgate: no item, no start report (Zuul 2.5 enqueued it and reported its start)
        }
        Item item = new Item(p, e, run);
        q.add(item);
        Map<String, Object> m = head("enqueue", item);
        m.put("jobs", run);
        print(m);
        if (p.start()) {
            report(item, Map.of(), "Starting " + p.name() + " jobs.");
        }
        for (String job : run) {
            if (job.equals("noop")) {
                item.results.put(job, "SUCCESS"); // the launcher completes noop at once
            } else {
                item.tries.put(job, 1);
                launched.add(new Launch(item, job, 1));
            }
        }
        finishIfDone(item);
    }

    /** Job.changeMatches; Tollgate: branch filters of ref-updated match the branch name (refs/heads/X -> X). */
    private static boolean changeMatches(Job job, Event e) {
        String branch = e.type().equals("ref-updated")
                ? (e.ref().startsWith("refs/heads/") ? e.ref().substring("refs/heads/".length()) : null)
                : e.branch();
        if (!job.branches.isEmpty() && (branch == null || job.branches.stream().noneMatch(b -> match(b, branch)))) {
            return false;
        }
        if (job.skipIf != null) {
            for (Skip s : job.skipIf) {
                boolean all = true;
                if (s.project() != null && !s.project().isEmpty()) {
                    all &= match(s.project(), e.project());
                }
                if (s.branch() != null && !s.branch().isEmpty()) {
                    all &= branch != null && match(s.branch(), branch);
                }
                if (s.files() != null && !s.files().isEmpty()) {
                    all = false; // Tollgate: events carry no file list, so all-files-match-any never matches
                }
                if (all) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The simulation ends builds in launch order; a relaunch joins the end of the line. */
    private void endBuilds(List<Launch> launched) {
        ArrayDeque<Launch> line = new ArrayDeque<>(launched);
        Launch l;
        while ((l = line.poll()) != null) {
            Item item = l.item;
            if (!queues.get(item.pipeline.name()).contains(item)) {
                continue; // dequeued: its builds were cancelled
            }
            String o = outcome.apply(l.job, l.attempt);
            if (o.equals("HOLD")) {
                continue;
            }
            if (o.equals("NONE")) {
                // launcher/gearman.py: no result means retry; the tries above attempts end as RETRY_LIMIT
                int tries = item.tries.merge(l.job, 1, Integer::sum);
                if (tries > Math.max(1, getJob(l.job).attempts)) {
                    item.results.put(l.job, "RETRY_LIMIT");
                } else {
                    Map<String, Object> m = head("relaunch", item);
                    m.put("job", l.job);
                    m.put("attempt", tries);
                    print(m);
                    line.add(new Launch(item, l.job, tries));
                    continue;
                }
            } else {
                item.results.put(l.job, o);
            }
            finishIfDone(item);
        }
    }

    private void finishIfDone(Item item) {
        if (item.results.size() < item.jobs.size()) {
            return;
        }
        queues.get(item.pipeline.name()).remove(item);
        boolean success = true; // didAllJobsSucceed: voting jobs only
        StringBuilder lines = new StringBuilder();
        for (String name : item.jobs) {
            Job job = getJob(name);
            String result = item.results.get(name);
            if (job.voting && !result.equals("SUCCESS")) {
                success = false;
            }
            String shown = result;
            if (result.equals("SUCCESS") && job.successMessage != null) {
                shown = job.successMessage;
            } else if (result.equals("FAILURE") && job.failureMessage != null) {
                shown = job.failureMessage;
            }
            // a RETRY_LIMIT build never started: no time
            lines.append("- ").append(name).append(" : ").append(shown)
                    .append(result.equals("RETRY_LIMIT") ? "" : " in 0s")
                    .append(job.voting ? "" : " (non-voting)").append('\n');
        }
        Pipeline p = item.pipeline;
        Map<String, Integer> labels = success ? p.success() : p.failure();
        if (labels != null) {
            String message = success ? Objects.requireNonNullElse(p.successMessage(), "Build succeeded.")
                    : Objects.requireNonNullElse(p.failureMessage(), "Build failed.");
            report(item, labels, message + "\n\n" + lines);
        }
    }

    private void report(Item item, Map<String, Integer> labels, String message) {
        if (item.isRef()) {
            return; // nothing to review
        }
        Map<String, Object> m = head("report", item);
        Map<String, Integer> gerrit = new TreeMap<>();
        labels.forEach((k, v) -> gerrit.put(gerritLabel(k), v));
        m.put("labels", gerrit);
        String footer = item.pipeline.footer();
        m.put("message", footer == null || footer.isEmpty() ? message : message + "\n" + footer);
        print(m);
    }

    /** verified -> Verified, code-review -> Code-Review. */
    private static String gerritLabel(String key) {
        StringBuilder sb = new StringBuilder();
        for (String word : key.split("-", -1)) {
            if (sb.length() > 0) {
                sb.append('-');
            }
            sb.append(word.isEmpty() ? "" : Character.toUpperCase(word.charAt(0)) + word.substring(1));
        }
        return sb.toString();
    }

    private Map<String, Object> head(String action, Item item) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", line);
        m.put("action", action);
        m.put("pipeline", item.pipeline.name());
        m.put("project", item.event.project());
        if (item.isRef()) {
            m.put("ref", item.event.ref());
            m.put("newrev", item.event.newRev());
        } else {
            m.put("change", item.event.change());
            m.put("patchset", item.event.patchset());
        }
        return m;
    }

    private void print(Map<String, Object> m) {
        try {
            out.add(JSON.writeValueAsString(m));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final Map<String, Pattern> COMPILED = new java.util.concurrent.ConcurrentHashMap<>();

    /** Python's re.match: anchored at the start only. */
    private static boolean match(String regex, String text) {
        return COMPILED.computeIfAbsent(regex, Pattern::compile).matcher(text).lookingAt();
    }

    /** Python's re.search. */
    private static boolean search(String regex, String text) {
        return text != null && COMPILED.computeIfAbsent(regex, Pattern::compile).matcher(text).find();
    }
}
