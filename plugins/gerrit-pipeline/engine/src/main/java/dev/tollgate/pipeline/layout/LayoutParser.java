package dev.tollgate.pipeline.layout;

import dev.tollgate.pipeline.event.EventType;
import dev.tollgate.pipeline.regex.SafePattern;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Parses a Zuul v2 {@code layout.yaml} into a {@link Layout}. Every problem is reported as
 * {@code FILE:LINE: key: what is wrong}, all of them at once.
 */
public final class LayoutParser {
    private static final Set<String> TOP = keys("pipelines", "project-templates", "jobs", "projects", "includes");
    private static final Set<String> PIPELINE = keys("name", "description", "manager", "trigger", "start", "success",
            "failure", "merge-failure", "start-message", "success-message", "failure-message", "merge-failure-message",
            "footer-message", "dequeue-on-new-patchset", "require", "reject", "precedence", "ignore-dependencies",
            "window", "window-floor", "window-increase-type", "window-increase-factor", "window-decrease-type",
            "window-decrease-factor", "source", "disabled", "disable-after-consecutive-failures");
    private static final Set<String> TRIGGER_ITEM = keys("event", "branch", "ref", "comment", "comment_filter",
            "approval", "require-approval", "username", "username_filter", "email", "email_filter", "ignore-deletes");
    private static final Set<String> REQUIRE = keys("open", "current-patchset", "status", "approval");
    private static final Set<String> REJECT = keys("approval");
    private static final Set<String> JOB = keys("name", "branch", "voting", "success-message", "failure-message",
            "skip-if", "queue-name", "hold-following-changes", "files", "parameter-function", "success-pattern",
            "failure-pattern", "tags", "mutex", "swift");
    private static final Set<String> SKIP_IF = keys("project", "branch", "all-files-match-any");

    private LayoutParser() {}

    public static Layout parse(Path file) throws ConfigException, IOException {
        return parse(ConfigInput.read(file), file.toString());
    }

    public static Layout parse(String text, String fileName) throws ConfigException {
        NodeReader r = new NodeReader(fileName);
        Node root = r.compose(text);
        Layout layout = root == null ? null : new LayoutParser.Run(r).layout(root);
        if (!r.errors.isEmpty() || layout == null) {
            throw new ConfigException(r.errors);
        }
        return layout;
    }

    static Set<String> keys(String... names) {
        return new LinkedHashSet<>(List.of(names));
    }

    private static final class Run {
        private final NodeReader r;

        Run(NodeReader r) {
            this.r = r;
        }

        Layout layout(Node root) {
            Map<String, Node> top = r.map(root, "", TOP);
            if (top == null) {
                return null;
            }
            if (top.containsKey("includes")) {
                r.error(top.get("includes"), "includes", "not supported: Python functions cannot run here");
            }
            List<PipelineConfig> pipelines = new ArrayList<>();
            Set<String> names = new LinkedHashSet<>();
            for (Node n : r.list(top.get("pipelines"), "pipelines")) {
                PipelineConfig p = pipeline(n);
                if (p != null) {
                    if (!names.add(p.name())) {
                        r.error(n, "name", "duplicate pipeline `" + p.name() + "`");
                    } else {
                        pipelines.add(p);
                    }
                }
            }
            if (pipelines.isEmpty() && !top.containsKey("pipelines")) {
                r.error(root, "pipelines", "required: a layout needs at least one pipeline");
            }
            Map<String, Map<String, List<Node>>> templates = templates(top.get("project-templates"), names);
            List<JobConfig> jobs = new ArrayList<>();
            for (Node n : r.list(top.get("jobs"), "jobs")) {
                JobConfig j = job(n);
                if (j != null) {
                    jobs.add(j);
                }
            }
            List<ProjectConfig> projects = new ArrayList<>();
            Set<String> projectNames = new LinkedHashSet<>();
            for (Node n : r.list(top.get("projects"), "projects")) {
                ProjectConfig p = project(n, names, templates);
                if (p != null) {
                    if (!projectNames.add(p.name())) {
                        r.error(n, "name", "duplicate project `" + p.name() + "`");
                    } else {
                        projects.add(p);
                    }
                }
            }
            return new Layout(pipelines, jobs, projects);
        }

        PipelineConfig pipeline(Node n) {
            Map<String, Node> m = r.map(n, "pipelines", PIPELINE);
            if (m == null) {
                return null;
            }
            String name = r.requiredStr(m, n, "name");
            String manager = r.requiredStr(m, n, "manager");
            if (manager != null && !manager.equals(PipelineConfig.INDEPENDENT)) {
                if (manager.equals("DependentPipelineManager")) {
                    r.error(m.get("manager"), "manager", "DependentPipelineManager is not supported yet "
                            + "(only IndependentPipelineManager: no gating queue)");
                } else {
                    r.error(m.get("manager"), "manager", "unknown manager `" + manager
                            + "` (expected IndependentPipelineManager)");
                }
            }
            for (String k : List.of("disabled", "disable-after-consecutive-failures")) {
                if (m.containsKey(k)) {
                    r.error(m.get(k), k, "not supported yet");
                }
            }
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
            return new PipelineConfig(name, description, manager, triggers, start, success, failure, mergeFailure,
                    startMessage, successMessage, failureMessage, mergeFailureMessage, footer,
                    dequeue == null || dequeue, require, reject);
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
            Map<String, Node> m = r.map(n, "trigger", keys("gerrit", "timer", "zuul"));
            if (m == null) {
                return List.of();
            }
            for (String k : List.of("timer", "zuul")) {
                if (m.containsKey(k)) {
                    r.error(m.get(k), "trigger", k + " triggers are not supported yet (only gerrit)");
                }
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
                } else {
                    events.add(t);
                }
            }
            // Zuul v2 accepted the older *_filter spellings when the new ones are absent
            List<SafePattern> comments = r.regexes(pick(m, "comment", "comment_filter"), "comment");
            List<SafePattern> usernames = r.regexes(pick(m, "username", "username_filter"), "username");
            List<SafePattern> emails = r.regexes(pick(m, "email", "email_filter"), "email");
            List<ApprovalValue> approvals = new ArrayList<>();
            for (Node a : r.listOrOne(m.get("approval"))) {
                Map<String, Node> am = r.map(a, "approval", null);
                if (am == null) {
                    continue;
                }
                for (Map.Entry<String, Node> e : am.entrySet()) {
                    Integer v = r.integer(e.getValue(), "approval");
                    if (v != null) {
                        approvals.add(new ApprovalValue(Labels.normalizeCategory(e.getKey()), v));
                    }
                }
            }
            List<ApprovalRequirement> requireApprovals = approvalRequirements(m.get("require-approval"),
                    "require-approval");
            Boolean ignoreDeletes = r.bool(m.get("ignore-deletes"), "ignore-deletes");
            return new TriggerConfig(events, r.regexes(m.get("branch"), "branch"), r.regexes(m.get("ref"), "ref"),
                    comments, usernames, emails, approvals, requireApprovals, ignoreDeletes == null || ignoreDeletes);
        }

        Node pick(Map<String, Node> m, String key, String alias) {
            Node n = m.get(key);
            return NodeReader.isNull(n) ? m.get(alias) : n;
        }

        ReporterConfig reporter(Node n, String action) {
            if (n == null) {
                return null;
            }
            if (NodeReader.isNull(n)) {
                return null;
            }
            Map<String, Node> m = r.map(n, action, keys("gerrit", "smtp"));
            if (m == null) {
                return null;
            }
            if (m.containsKey("smtp")) {
                r.error(m.get("smtp"), action, "smtp reporters are not supported (only gerrit)");
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
                            r.error(e.getValue(), "submit", "not supported (no gating: Tollgate never submits)");
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
            return new ChangeRequirement(r.bool(m.get("open"), "open"),
                    r.bool(m.get("current-patchset"), "current-patchset"), r.strings(m.get("status"), "status"),
                    approvalRequirements(m.get("approval"), "approval"));
        }

        List<ApprovalRequirement> approvalRequirements(Node n, String key) {
            List<ApprovalRequirement> out = new ArrayList<>();
            for (Node a : r.listOrOne(n)) {
                Map<String, Node> m = r.map(a, key, null);
                if (m == null) {
                    continue;
                }
                SafePattern username = null;
                SafePattern email = null;
                String newer = null;
                String older = null;
                List<LabelValues> labels = new ArrayList<>();
                for (Map.Entry<String, Node> e : m.entrySet()) {
                    switch (e.getKey()) {
                        case "username" -> username = r.regex(e.getValue(), "username");
                        case "email", "email-filter" -> email = r.regex(e.getValue(), e.getKey());
                        case "newer-than" -> newer = r.age(e.getValue(), "newer-than");
                        case "older-than" -> older = r.age(e.getValue(), "older-than");
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
                out.add(new ApprovalRequirement(username, email, newer, older, labels));
            }
            return out;
        }

        JobConfig job(Node n) {
            Map<String, Node> m = r.map(n, "jobs", JOB);
            if (m == null) {
                return null;
            }
            String name = r.requiredStr(m, n, "name");
            if (name != null && name.startsWith("^")) {
                r.regex(m.get("name"), "name");
            }
            for (String k : List.of("files", "parameter-function", "success-pattern", "failure-pattern", "tags",
                    "mutex", "swift")) {
                if (m.containsKey(k)) {
                    r.error(m.get(k), k, switch (k) {
                        case "files" -> "not supported: events do not carry the change's file list";
                        case "parameter-function" -> "not supported: Python functions cannot run here";
                        case "success-pattern", "failure-pattern" ->
                                "not supported: the log URL is the one the build reports";
                        default -> "not supported yet";
                    });
                }
            }
            List<SafePattern> branches = m.containsKey("branch") ? r.regexes(m.get("branch"), "branch") : null;
            List<SkipIf> skipIf = null;
            if (m.containsKey("skip-if")) {
                skipIf = new ArrayList<>();
                for (Node s : r.listOrOne(m.get("skip-if"))) {
                    Map<String, Node> sm = r.map(s, "skip-if", SKIP_IF);
                    if (sm != null) {
                        skipIf.add(new SkipIf(sm.containsKey("project") ? r.regex(sm.get("project"), "project") : null,
                                sm.containsKey("branch") ? r.regex(sm.get("branch"), "branch") : null,
                                r.regexes(sm.get("all-files-match-any"), "all-files-match-any")));
                    }
                }
            }
            if (name == null) {
                return null;
            }
            return new JobConfig(name, r.bool(m.get("voting"), "voting"), branches,
                    r.str(m.get("success-message"), "success-message"),
                    r.str(m.get("failure-message"), "failure-message"), skipIf);
        }

        /** template name -> pipeline -> job nodes (expanded per project). */
        Map<String, Map<String, List<Node>>> templates(Node n, Set<String> pipelines) {
            Map<String, Map<String, List<Node>>> out = new LinkedHashMap<>();
            for (Node t : r.list(n, "project-templates")) {
                if (!(t instanceof MappingNode mn)) {
                    r.error(t, "project-templates", "expected a mapping, got " + NodeReader.describe(t));
                    continue;
                }
                Map<String, Node> m = r.map(t, "project-templates", null);
                String name = r.requiredStr(m, t, "name");
                Map<String, List<Node>> jobs = new LinkedHashMap<>();
                for (NodeTuple tuple : mn.getValue()) {
                    if (!(tuple.getKeyNode() instanceof ScalarNode k) || k.getValue().equals("name")) {
                        continue;
                    }
                    if (!pipelines.contains(k.getValue())) {
                        r.error(k, k.getValue(), unknownPipeline(k.getValue(), pipelines));
                        continue;
                    }
                    jobs.put(k.getValue(), r.list(tuple.getValueNode(), k.getValue()));
                }
                if (name != null) {
                    if (out.containsKey(name)) {
                        r.error(t, "name", "duplicate project template `" + name + "`");
                    }
                    out.put(name, jobs);
                }
            }
            return out;
        }

        ProjectConfig project(Node n, Set<String> pipelines, Map<String, Map<String, List<Node>>> templates) {
            if (!(n instanceof MappingNode mn)) {
                r.error(n, "projects", "expected a mapping, got " + NodeReader.describe(n));
                return null;
            }
            Map<String, Node> m = r.map(n, "projects", null);
            String name = r.requiredStr(m, n, "name");
            String shortName = name == null ? "" : name.substring(name.lastIndexOf('/') + 1);
            Map<String, List<String>> jobs = new LinkedHashMap<>();
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
                Map<String, List<Node>> tpl = templates.get(tname);
                if (tpl == null) {
                    r.error(tm.get("name"), "template", "unknown project template `" + tname + "`");
                    continue;
                }
                Map<String, String> params = new LinkedHashMap<>();
                for (Map.Entry<String, Node> e : tm.entrySet()) {
                    if (!e.getKey().equals("name")) {
                        String v = r.str(e.getValue(), e.getKey());
                        params.put(e.getKey(), v == null ? "" : v);
                    }
                }
                params.put("name", shortName);
                for (Map.Entry<String, List<Node>> e : tpl.entrySet()) {
                    for (Node jn : e.getValue()) {
                        String job = jobName(jn, e.getKey());
                        if (job == null) {
                            continue;
                        }
                        try {
                            jobs.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(Templates.expand(job, params));
                        } catch (IllegalArgumentException ex) {
                            r.error(tref, "template", "template `" + tname + "`, job `" + job + "`: "
                                    + ex.getMessage());
                        }
                    }
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
                if (!pipelines.contains(key)) {
                    r.error(k, key, unknownPipeline(key, pipelines));
                    continue;
                }
                for (Node jn : r.list(tuple.getValueNode(), key)) {
                    String job = jobName(jn, key);
                    if (job != null) {
                        jobs.computeIfAbsent(key, x -> new ArrayList<>()).add(job);
                    }
                }
            }
            if (name == null) {
                return null;
            }
            List<PipelineJobs> out = new ArrayList<>();
            for (String p : pipelines) { // pipeline order, so equal configurations compare equal
                if (jobs.containsKey(p)) {
                    out.add(new PipelineJobs(p, jobs.get(p)));
                }
            }
            return new ProjectConfig(name, out);
        }

        String jobName(Node jn, String pipeline) {
            if (jn instanceof MappingNode || jn instanceof org.yaml.snakeyaml.nodes.SequenceNode) {
                r.error(jn, pipeline, "job trees (jobs that wait for other jobs) are not supported yet: "
                        + "list job names only");
                return null;
            }
            String s = r.str(jn, pipeline);
            if (s != null && s.isBlank()) {
                r.error(jn, pipeline, "empty job name");
                return null;
            }
            return s;
        }

        static String unknownPipeline(String name, Set<String> pipelines) {
            return "unknown pipeline `" + name + "`" + (pipelines.isEmpty() ? " (no pipelines are defined)"
                    : " (defined: " + String.join(", ", pipelines) + ")");
        }
    }
}
