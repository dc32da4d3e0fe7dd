package dev.tollgate.pipeline.layout;

import dev.tollgate.pipeline.event.EventType;
import dev.tollgate.common.regex.SafePattern;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Parses a Zuul v2 {@code layout.yaml} into a {@link Layout}: Zuul's spelling of the keys, its
 * single-value-or-list forms, its project templates (expanded here) and the keys Tollgate accepts
 * without effect or refuses. The rules of the model are {@link LayoutValidator}'s, as for the JCasC
 * form. Every problem is reported as {@code FILE:LINE: key: what is wrong}, all of them at once.
 */
public final class LayoutParser {
    // Zuul 2.5.2's schema (layoutvalidator.py, trigger/gerrit.py, reporter/*.py), key by key: a key
    // is supported, accepted without effect (it only matters to a gating queue, Gearman priorities
    // or a merger), or refused as a Zuul key Tollgate does not support, with the reason.
    private static final String PYTHON_TEXT = "Python functions cannot run here";
    private static final Set<String> TOP = keys("pipelines", "project-templates", "jobs", "projects");
    private static final Map<String, String> TOP_ZUUL_ONLY = Map.of("includes", PYTHON_TEXT);
    private static final Set<String> PIPELINE = keys("name", "description", "manager", "trigger", "start", "success",
            "failure", "merge-failure", "start-message", "success-message", "failure-message", "merge-failure-message",
            "footer-message", "dequeue-on-new-patchset", "require", "reject", "precedence", "ignore-dependencies",
            "window", "window-floor", "window-increase-type", "window-increase-factor", "window-decrease-type",
            "window-decrease-factor", "source");
    private static final Map<String, String> PIPELINE_ZUUL_ONLY = Map.of(
            "disabled", "pipelines are never disabled",
            "disable-after-consecutive-failures", "pipelines are never disabled");
    private static final Map<String, String> TRIGGER_ZUUL_ONLY = Map.of(
            "timer", "only gerrit triggers", "zuul", "only gerrit triggers");
    private static final Map<String, String> REPORTER_ZUUL_ONLY = Map.of(
            "smtp", "only gerrit reporters", "sql", "only gerrit reporters");
    private static final Set<String> TRIGGER_ITEM = keys("event", "branch", "ref", "comment", "comment_filter",
            "approval", "require-approval", "reject-approval", "username", "username_filter", "email", "email_filter",
            "ignore-deletes");
    private static final Set<String> REQUIRE = keys("open", "current-patchset", "status", "approval");
    private static final Set<String> REJECT = keys("approval");
    private static final Set<String> JOB = keys("name", "voting", "branch", "success-message", "failure-message",
            "skip-if", "attempts", "tags", "queue-name", "hold-following-changes");
    private static final Map<String, String> JOB_ZUUL_ONLY = zuulOnly(
            "files", "events do not carry the change's file list",
            "parameter-function", PYTHON_TEXT,
            "success-pattern", "the log URL is the one the build reports",
            "failure-pattern", "the log URL is the one the build reports",
            "mutex", "builds are not serialised across items",
            "swift", "logs are published by the scp-logs plugin");
    private static final Set<String> SKIP_IF = keys("project", "branch", "all-files-match-any");

    /** Record keys a Zuul layout writes in the singular; the others it writes in dashes (skipIf: skip-if). */
    private static final Map<String, String> ZUUL_SINGULAR = Map.of("events", "event", "branches", "branch",
            "refs", "ref", "comments", "comment", "usernames", "username", "emails", "email", "approvals", "approval",
            "statuses", "status", "requireApprovals", "require-approval", "rejectApprovals", "reject-approval");
    private static final UnaryOperator<String> ZUUL_SPELLING = key -> ZUUL_SINGULAR.getOrDefault(key,
            key.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT));

    private LayoutParser() {}

    public static Layout parse(Path file) throws ConfigException, IOException {
        return parse(ConfigInput.read(file), file.toString());
    }

    public static Layout parse(String text, String fileName) throws ConfigException {
        NodeReader r = new NodeReader(fileName);
        Node root = r.compose(text);
        Positions where = new Positions(ZUUL_SPELLING);
        Layout layout = root == null ? null : new LayoutParser.Run(r, where).layout(root);
        return LayoutValidator.checked(layout, r, where);
    }

    static Set<String> keys(String... names) {
        return new LinkedHashSet<>(List.of(names));
    }

    /** key, reason, key, reason, ... in order. */
    private static Map<String, String> zuulOnly(String... keyReason) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keyReason.length; i += 2) {
            m.put(keyReason[i], keyReason[i + 1]);
        }
        return m;
    }

    private static final class Run {
        private final NodeReader r;
        private final Positions where;

        Run(NodeReader r, Positions where) {
            this.r = r;
            this.where = where;
        }

        /** Notes where a key of a record was read (or, when absent, where the record is). */
        void mark(Positions.Marks marks, String key, Map<String, Node> m, String zuulKey, Node record) {
            marks.key(key, r.lineOf(m.getOrDefault(zuulKey, record)), r.mark(), zuulKey, m.containsKey(zuulKey));
        }

        Layout layout(Node root) {
            Map<String, Node> top = r.map(root, "", TOP, TOP_ZUUL_ONLY);
            if (top == null) {
                return null;
            }
            List<PipelineConfig> pipelines = new ArrayList<>();
            Set<String> names = new LinkedHashSet<>();
            for (Node n : r.list(top.get("pipelines"), "pipelines")) {
                PipelineConfig p = pipeline(n);
                if (p != null) {
                    pipelines.add(p);
                    names.add(p.name());
                }
            }
            if (pipelines.isEmpty() && !top.containsKey("pipelines")) {
                r.error(root, "pipelines", "required: a layout needs at least one pipeline");
            }
            Map<String, Template> templates = templates(top.get("project-templates"), names);
            List<JobConfig> jobs = new ArrayList<>();
            for (Node n : r.list(top.get("jobs"), "jobs")) {
                JobConfig j = job(n);
                if (j != null) {
                    jobs.add(j);
                }
            }
            List<ProjectConfig> projects = new ArrayList<>();
            for (Node n : r.list(top.get("projects"), "projects")) {
                ProjectConfig p = project(n, names, templates);
                if (p != null) {
                    projects.add(p);
                }
            }
            return new Layout(pipelines, jobs, projects);
        }

        PipelineConfig pipeline(Node n) {
            Map<String, Node> m = r.map(n, "pipelines", PIPELINE, PIPELINE_ZUUL_ONLY);
            if (m == null) {
                return null;
            }
            Positions.Marks marks = where.open(r.lineOf(n), "pipelines");
            String name = r.requiredStr(m, n, "name");
            String manager = r.requiredStr(m, n, "manager");
            mark(marks, "manager", m, "manager", n);
            // accepted without effect here, but checked as Zuul checks them
            oneOf(m, "precedence", "normal", "low", "high");
            r.bool(m.get("ignore-dependencies"), "ignore-dependencies");
            atLeast(m, "window", 0);
            atLeast(m, "window-floor", 1);
            oneOf(m, "window-increase-type", "linear", "exponential");
            atLeast(m, "window-increase-factor", 1);
            oneOf(m, "window-decrease-type", "linear", "exponential");
            atLeast(m, "window-decrease-factor", 1);
            r.str(m.get("source"), "source");
            List<TriggerConfig> triggers = triggers(m.get("trigger"), n);
            ReporterConfig start = reporter(m.get("start"), "start");
            ReporterConfig success = reporter(m.get("success"), "success");
            ReporterConfig failure = reporter(m.get("failure"), "failure");
            ReporterConfig mergeFailure = reporter(m.get("merge-failure"), "merge-failure");
            String startMessage = msg(m, "start-message", PipelineConfig.DEFAULT_START_MESSAGE);
            String successMessage = msg(m, "success-message", PipelineConfig.DEFAULT_SUCCESS_MESSAGE);
            String failureMessage = msg(m, "failure-message", PipelineConfig.DEFAULT_FAILURE_MESSAGE);
            String mergeFailureMessage = msg(m, "merge-failure-message", PipelineConfig.DEFAULT_MERGE_FAILURE_MESSAGE);
            String footer = msg(m, "footer-message", "");
            Boolean dequeue = r.bool(m.get("dequeue-on-new-patchset"), "dequeue-on-new-patchset");
            ChangeRequirement require = m.containsKey("require") ? requirement(m.get("require"), "require", REQUIRE) : null;
            ChangeRequirement reject = m.containsKey("reject") ? requirement(m.get("reject"), "reject", REJECT) : null;
            String description = r.str(m.get("description"), "description");
            if (name == null || manager == null) {
                return null;
            }
            return marks.close(new PipelineConfig(name, description, manager, triggers, start, success, failure,
                    mergeFailure, startMessage, successMessage, failureMessage, mergeFailureMessage, footer,
                    dequeue == null || dequeue, require, reject), r.mark());
        }

        void oneOf(Map<String, Node> m, String key, String... values) {
            String s = r.str(m.get(key), key);
            if (s != null && !List.of(values).contains(s)) {
                r.error(m.get(key), key, "expected one of " + String.join(", ", values) + ", got `" + s + "`");
            }
        }

        void atLeast(Map<String, Node> m, String key, int min) {
            Node n = m.get(key);
            if (NodeReader.isNull(n)) {
                return;
            }
            Integer v = r.integer(n, key);
            if (v != null && v < min) {
                r.error(n, key, "expected an integer of at least " + min + ", got `" + v + "`");
            }
        }

        String msg(Map<String, Node> m, String key, String dflt) {
            String s = r.str(m.get(key), key);
            return s == null ? dflt : s;
        }

        List<TriggerConfig> triggers(Node n, Node pipelineNode) {
            if (n == null) {
                r.error(pipelineNode, "trigger", "required");
                return List.of();
            }
            Map<String, Node> m = r.map(n, "trigger", keys("gerrit"), TRIGGER_ZUUL_ONLY);
            if (m == null) {
                return List.of();
            }
            List<TriggerConfig> out = new ArrayList<>();
            for (Node item : r.listOrOne(m.get("gerrit"))) {
                TriggerConfig t = triggerItem(item);
                if (t != null) {
                    out.add(t);
                }
            }
            return out;
        }

        TriggerConfig triggerItem(Node n) {
            Map<String, Node> m = r.map(n, "gerrit", TRIGGER_ITEM);
            if (m == null) {
                return null;
            }
            Positions.Marks marks = where.open(r.lineOf(n), "gerrit");
            List<EventType> events = new ArrayList<>();
            if (!m.containsKey("event")) {
                r.error(n, "event", "required");
            }
            for (Node e : r.listOrOne(m.get("event"))) {
                String s = r.str(e, "event");
                if (s == null) {
                    continue;
                }
                EventType t = EventType.known(s);
                if (t == null) {
                    List<String> known = new ArrayList<>();
                    for (EventType k : EventType.values()) {
                        if (k.wireName() != null) {
                            known.add(k.wireName());
                        }
                    }
                    r.error(e, "event", "unknown event type `" + s + "` (expected one of: "
                            + String.join(", ", known) + ")");
                    events.add(EventType.UNKNOWN); // keeps its place: the list was not empty
                } else {
                    events.add(t);
                }
            }
            mark(marks, "events", m, "event", n);
            // Zuul v2 accepted the older *_filter spellings when the new ones are absent
            List<SafePattern> comments = r.regexes(pick(m, "comment", "comment_filter"), "comment");
            List<SafePattern> usernames = r.regexes(pick(m, "username", "username_filter"), "username");
            List<SafePattern> emails = r.regexes(pick(m, "email", "email_filter"), "email");
            List<SafePattern> branches = r.regexes(m.get("branch"), "branch");
            mark(marks, "branches", m, "branch", n);
            List<SafePattern> refs = r.regexes(m.get("ref"), "ref");
            mark(marks, "refs", m, "ref", n);
            // Zuul merges the approval entries into one dict: a later value for a label replaces an earlier one
            Map<String, Integer> approvalByLabel = new LinkedHashMap<>();
            for (Node a : r.zuulList(m.get("approval"))) {
                Map<String, Node> am = r.map(a, "approval", null);
                if (am == null) {
                    continue;
                }
                for (Map.Entry<String, Node> e : am.entrySet()) {
                    Integer v = r.integer(e.getValue(), "approval");
                    if (v != null) {
                        approvalByLabel.put(Labels.normalizeCategory(e.getKey()), v);
                    }
                }
            }
            List<ApprovalValue> approvals = new ArrayList<>();
            approvalByLabel.forEach((label, v) -> approvals.add(new ApprovalValue(label, v)));
            List<ApprovalRequirement> requireApprovals = approvalRequirements(m.get("require-approval"),
                    "require-approval");
            List<ApprovalRequirement> rejectApprovals = approvalRequirements(m.get("reject-approval"),
                    "reject-approval");
            Boolean ignoreDeletes = r.bool(m.get("ignore-deletes"), "ignore-deletes");
            return marks.close(new TriggerConfig(events, branches, refs, comments, usernames, emails, approvals,
                    requireApprovals, rejectApprovals, ignoreDeletes == null || ignoreDeletes), r.mark());
        }

        /** Zuul: the alias counts only when the key gives nothing (toList of it is empty). */
        Node pick(Map<String, Node> m, String key, String alias) {
            Node n = m.get(key);
            return r.zuulList(n).isEmpty() ? m.get(alias) : n;
        }

        ReporterConfig reporter(Node n, String action) {
            if (n == null) {
                return null;
            }
            if (NodeReader.isNull(n)) {
                return null;
            }
            Map<String, Node> m = r.map(n, action, keys("gerrit"), REPORTER_ZUUL_ONLY);
            if (m == null) {
                return null;
            }
            if (!m.containsKey("gerrit")) {
                return null;
            }
            Node g = m.get("gerrit");
            List<LabelVote> labels = new ArrayList<>();
            if (!NodeReader.isNull(g)) {
                Map<String, Node> gm = r.map(g, action + ".gerrit", null);
                if (gm != null) {
                    for (Map.Entry<String, Node> e : gm.entrySet()) {
                        if (e.getKey().equals("submit")) {
                            r.unsupported(e.getValue(), "submit", "Tollgate never submits (no gating)");
                            continue;
                        }
                        Integer v = r.integer(e.getValue(), e.getKey());
                        if (v != null) {
                            labels.add(new LabelVote(Labels.gerritLabel(e.getKey()), v));
                        }
                    }
                }
            }
            return new ReporterConfig(labels);
        }

        ChangeRequirement requirement(Node n, String key, Set<String> allowed) {
            Map<String, Node> m = r.map(n, key, allowed);
            if (m == null) {
                return null;
            }
            List<String> statuses = new ArrayList<>();
            for (Node s : r.zuulList(m.get("status"))) {
                String v = r.str(s, "status");
                if (v != null) {
                    statuses.add(v);
                }
            }
            return new ChangeRequirement(r.bool(m.get("open"), "open"),
                    r.bool(m.get("current-patchset"), "current-patchset"), statuses,
                    approvalRequirements(m.get("approval"), "approval"));
        }

        List<ApprovalRequirement> approvalRequirements(Node n, String key) {
            List<ApprovalRequirement> out = new ArrayList<>();
            for (Node a : r.zuulList(n)) {
                Map<String, Node> m = r.map(a, key, null);
                if (m == null) {
                    continue;
                }
                Positions.Marks marks = where.open(r.lineOf(a), key);
                SafePattern username = null;
                SafePattern email = null;
                String newer = null;
                String older = null;
                List<LabelValues> labels = new ArrayList<>();
                for (Map.Entry<String, Node> e : m.entrySet()) {
                    switch (e.getKey()) {
                        case "username" -> username = r.regex(e.getValue(), "username");
                        case "email", "email-filter" -> email = r.regex(e.getValue(), e.getKey());
                        case "newer-than" -> {
                            newer = r.str(e.getValue(), "newer-than");
                            marks.key("newerThan", r.lineOf(e.getValue()), r.mark(), "newer-than", true);
                        }
                        case "older-than" -> {
                            older = r.str(e.getValue(), "older-than");
                            marks.key("olderThan", r.lineOf(e.getValue()), r.mark(), "older-than", true);
                        }
                        default -> {
                            List<Integer> values = new ArrayList<>();
                            for (Node v : r.listOrOne(e.getValue())) {
                                Integer i = r.integer(v, e.getKey());
                                if (i != null) {
                                    values.add(i);
                                }
                            }
                            labels.add(new LabelValues(Labels.normalizeCategory(e.getKey()), values));
                        }
                    }
                }
                out.add(marks.close(new ApprovalRequirement(username, email, newer, older, labels), r.mark()));
            }
            return out;
        }

        JobConfig job(Node n) {
            Map<String, Node> m = r.map(n, "jobs", JOB, JOB_ZUUL_ONLY);
            if (m == null) {
                return null;
            }
            Positions.Marks marks = where.open(r.lineOf(n), "jobs");
            String name = r.requiredStr(m, n, "name");
            mark(marks, "name", m, "name", n);
            // accepted without effect here, but checked as Zuul checks them
            r.str(m.get("queue-name"), "queue-name");
            r.bool(m.get("hold-following-changes"), "hold-following-changes");
            r.strings(m.get("tags"), "tags");
            Integer attempts = m.containsKey("attempts") ? r.integer(m.get("attempts"), "attempts") : null;
            mark(marks, "attempts", m, "attempts", n);
            // Zuul's toList: an empty branch list (or '') sets no branch filter
            List<SafePattern> branches = r.regexes(m.get("branch"), "branch");
            List<SkipIf> skipIf = new ArrayList<>();
            for (Node s : r.listOrOne(m.get("skip-if"))) {
                SkipIf condition = skipIf(s);
                if (condition != null) {
                    skipIf.add(condition);
                }
            }
            if (name == null) {
                return null;
            }
            JobConfig job = new JobConfig(name, r.bool(m.get("voting"), "voting"), branches,
                    r.str(m.get("success-message"), "success-message"),
                    r.str(m.get("failure-message"), "failure-message"), skipIf, attempts);
            return marks.close(job, r.mark());
        }

        /** One skip-if condition; a key with an empty value counts as not given, as Zuul's _parseSkipIf has it. */
        SkipIf skipIf(Node s) {
            Map<String, Node> sm = r.map(s, "skip-if", SKIP_IF);
            if (sm == null) {
                return null;
            }
            Positions.Marks marks = where.open(r.lineOf(s), "skip-if");
            boolean hasProject = !r.zuulList(sm.get("project")).isEmpty();
            boolean hasBranch = !r.zuulList(sm.get("branch")).isEmpty();
            boolean hasFiles = !r.zuulList(sm.get("all-files-match-any")).isEmpty();
            SafePattern project = hasProject ? r.regex(sm.get("project"), "project") : null;
            SafePattern branch = hasBranch ? r.regex(sm.get("branch"), "branch") : null;
            List<SafePattern> files = r.regexes(sm.get("all-files-match-any"), "all-files-match-any");
            marks.key("project", r.lineOf(s), r.mark(), "project", hasProject)
                    .key("branch", r.lineOf(s), r.mark(), "branch", hasBranch)
                    .key("allFilesMatchAny", r.lineOf(s), r.mark(), "all-files-match-any", hasFiles);
            return marks.close(new SkipIf(project, branch, files), r.mark());
        }

        /** A project template: per pipeline its job names (unexpanded), and the parameters they use. */
        record Template(Map<String, List<String>> jobs, Set<String> parameters) { }

        Map<String, Template> templates(Node n, Set<String> pipelines) {
            Map<String, Template> out = new LinkedHashMap<>();
            for (Node t : r.list(n, "project-templates")) {
                if (!(t instanceof MappingNode mn)) {
                    r.error(t, "project-templates", "expected a mapping, got " + NodeReader.describe(t));
                    continue;
                }
                Map<String, Node> m = r.map(t, "project-templates", null);
                String name = r.requiredStr(m, t, "name");
                Map<String, List<String>> jobs = new LinkedHashMap<>();
                Set<String> parameters = new LinkedHashSet<>();
                for (NodeTuple tuple : mn.getValue()) {
                    if (!(tuple.getKeyNode() instanceof ScalarNode k) || k.getValue().equals("name")) {
                        continue;
                    }
                    if (!pipelines.contains(k.getValue())) {
                        r.error(k, k.getValue(), LayoutValidator.unknownPipeline(k.getValue(), pipelines));
                        continue;
                    }
                    List<String> names = new ArrayList<>();
                    for (Node jn : r.list(tuple.getValueNode(), k.getValue())) {
                        String job = jobName(jn, k.getValue());
                        String problem = job == null ? null : LayoutValidator.jobNameProblem(job);
                        if (problem != null) {
                            r.error(jn, k.getValue(), problem);
                        } else if (job != null) {
                            names.add(job);
                            try {
                                parameters.addAll(Templates.fields(job));
                            } catch (IllegalArgumentException ex) {
                                r.error(jn, k.getValue(), "job `" + job + "`: " + ex.getMessage());
                            }
                        }
                    }
                    jobs.put(k.getValue(), names);
                }
                if (name != null) {
                    if (out.containsKey(name)) {
                        r.error(t, "name", "duplicate project template `" + name + "`");
                    }
                    out.put(name, new Template(jobs, parameters));
                }
            }
            return out;
        }

        ProjectConfig project(Node n, Set<String> pipelines, Map<String, Template> templates) {
            if (!(n instanceof MappingNode mn)) {
                r.error(n, "projects", "expected a mapping, got " + NodeReader.describe(n));
                return null;
            }
            Map<String, Node> m = r.map(n, "projects", null);
            Positions.Marks marks = where.open(r.lineOf(n), "projects");
            String name = r.requiredStr(m, n, "name");
            String shortName = name == null ? "" : name.substring(name.lastIndexOf('/') + 1);
            Map<String, List<String>> jobs = new LinkedHashMap<>();
            Map<String, Positions.Marks> pipelineMarks = new LinkedHashMap<>();
            // templates first, in order, then the project's own jobs (Zuul v2's order)
            for (Node tref : r.listOrOne(m.get("template"))) {
                Map<String, Node> tm = r.map(tref, "template", null);
                if (tm == null) {
                    continue;
                }
                String tname = r.requiredStr(tm, tref, "name");
                if (tname == null) {
                    continue;
                }
                Template tpl = templates.get(tname);
                if (tpl == null) {
                    r.error(tm.get("name"), "template", "unknown project template `" + tname + "`");
                    continue;
                }
                Map<String, String> params = new LinkedHashMap<>();
                for (Map.Entry<String, Node> e : tm.entrySet()) {
                    if (e.getKey().equals("name")) {
                        continue;
                    }
                    if (!tpl.parameters().contains(e.getKey())) {
                        // Zuul's schema for a template call allows no other keys
                        r.error(e.getValue(), e.getKey(), "template `" + tname + "` does not use parameter `"
                                + e.getKey() + "` (Zuul 2.5 refuses it too)");
                    }
                    String v = r.str(e.getValue(), e.getKey());
                    params.put(e.getKey(), v == null ? "" : v);
                }
                params.put("name", shortName);
                for (Map.Entry<String, List<String>> e : tpl.jobs().entrySet()) {
                    for (String job : e.getValue()) {
                        try {
                            String expanded = Templates.expand(job, params);
                            jobs.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(expanded);
                            pipelineMarks.computeIfAbsent(e.getKey(), k -> where.open(r.lineOf(tref), "template"))
                                    .element("jobs", expanded, r.lineOf(tref), r.mark(), "template");
                        } catch (IllegalArgumentException ex) {
                            r.error(tref, "template", "template `" + tname + "`, job `" + job + "`: "
                                    + ex.getMessage());
                        }
                    }
                }
            }
            String mergeMode = ProjectConfig.DEFAULT_MERGE_MODE;
            if (m.containsKey("merge-mode")) {
                // checked as Zuul checks it (which also accepts merge-resolve, its default)
                oneOf(m, "merge-mode", "merge", "merge-resolve", "cherry-pick");
                String given = m.get("merge-mode") instanceof ScalarNode sn ? sn.getValue() : null;
                if (given != null && ProjectConfig.MERGE_MODES.contains(given)) {
                    mergeMode = given;
                }
            }
            for (NodeTuple tuple : mn.getValue()) {
                if (!(tuple.getKeyNode() instanceof ScalarNode k)) {
                    continue;
                }
                String key = k.getValue();
                if (key.equals("name") || key.equals("template") || key.equals("merge-mode")) {
                    continue;
                }
                Positions.Marks pm = pipelineMarks.computeIfAbsent(key, x -> where.open(r.lineOf(k), key));
                pm.key("name", r.lineOf(k), r.mark(), key, true);
                List<String> own = new ArrayList<>();
                for (Node jn : r.list(tuple.getValueNode(), key)) {
                    String job = jobName(jn, key);
                    if (job != null) {
                        own.add(job);
                        pm.element("jobs", job, r.lineOf(jn), r.mark(), key);
                    }
                }
                if (!own.isEmpty() || !pipelines.contains(key)) { // an unknown pipeline is kept for the validator
                    jobs.computeIfAbsent(key, x -> new ArrayList<>()).addAll(own);
                }
            }
            if (name == null) {
                return null;
            }
            List<PipelineJobs> out = new ArrayList<>();
            for (String p : pipelines) { // pipeline order, so equal configurations compare equal
                if (jobs.containsKey(p)) {
                    out.add(pipelineMarks.get(p).close(new PipelineJobs(p, jobs.get(p)), r.mark()));
                }
            }
            for (String p : jobs.keySet()) {
                if (!pipelines.contains(p)) { // refused by the validator, where it was read
                    out.add(pipelineMarks.get(p).close(new PipelineJobs(p, jobs.get(p)), r.mark()));
                }
            }
            return marks.close(new ProjectConfig(name, out, mergeMode), r.mark());
        }

        String jobName(Node jn, String pipeline) {
            if (jn instanceof MappingNode || jn instanceof org.yaml.snakeyaml.nodes.SequenceNode) {
                r.error(jn, pipeline, "job trees (jobs that wait for other jobs) are not supported yet: "
                        + "list job names only");
                return null;
            }
            return r.str(jn, pipeline); // an empty name or one with spaces is the validator's (or templates')
        }
    }
}
