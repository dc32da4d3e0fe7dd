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
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The suite's JCasC form of a {@link Layout}: {@code unclassified: tollgateGerritPipeline: ...}.
 * Only scalars, lists and objects with named fields (no free-form maps), so the Jenkins plugin can
 * bind it with JCasC's ordinary describable binding. Schema: docs/configuration.md.
 */
public final class CascConfig {
    /** The JCasC symbol of the plugin's global configuration. */
    public static final String SYMBOL = "tollgateGerritPipeline";

    private CascConfig() {}

    /** Is this YAML a JCasC file (top-level {@code unclassified:})? Cheap check, no full parse. */
    public static boolean looksLikeCasc(String text) {
        for (String line : text.split("\n")) {
            if (line.startsWith("unclassified:")) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- writing

    /** The JCasC fragment for a layout, starting with {@code unclassified:}. */
    public static String toYaml(Layout layout) {
        Map<String, Object> section = new LinkedHashMap<>();
        List<Object> pipelines = new ArrayList<>();
        for (PipelineConfig p : layout.pipelines()) {
            pipelines.add(pipeline(p));
        }
        section.put("pipelines", pipelines);
        if (!layout.jobs().isEmpty()) {
            List<Object> jobs = new ArrayList<>();
            for (JobConfig j : layout.jobs()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", j.name());
                putIf(m, "voting", j.voting());
                if (j.branches() != null) {
                    m.put("branches", sources(j.branches()));
                }
                putIf(m, "successMessage", j.successMessage());
                putIf(m, "failureMessage", j.failureMessage());
                putIf(m, "attempts", j.attempts());
                if (j.skipIf() != null) {
                    List<Object> skips = new ArrayList<>();
                    for (SkipIf s : j.skipIf()) {
                        Map<String, Object> sm = new LinkedHashMap<>();
                        putIf(sm, "project", s.project() == null ? null : s.project().source());
                        putIf(sm, "branch", s.branch() == null ? null : s.branch().source());
                        putList(sm, "allFilesMatchAny", sources(s.allFilesMatchAny()));
                        skips.add(sm);
                    }
                    m.put("skipIf", skips);
                }
                jobs.add(m);
            }
            section.put("jobs", jobs);
        }
        List<Object> projects = new ArrayList<>();
        for (ProjectConfig p : layout.projects()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", p.name());
            List<Object> pjs = new ArrayList<>();
            for (PipelineJobs pj : p.pipelines()) {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("name", pj.pipeline());
                x.put("jobs", new ArrayList<>(pj.jobs()));
                pjs.add(x);
            }
            m.put("pipelines", pjs);
            projects.add(m);
        }
        section.put("projects", projects);
        Map<String, Object> root = Map.of("unclassified", Map.of(SYMBOL, section));
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        o.setIndent(2);
        o.setIndicatorIndent(2);
        o.setIndentWithIndicator(true);
        o.setWidth(120);
        o.setSplitLines(false);
        return new Yaml(o).dump(root);
    }

    private static Map<String, Object> pipeline(PipelineConfig p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", p.name());
        putIf(m, "description", p.description());
        m.put("manager", p.manager());
        List<Object> triggers = new ArrayList<>();
        for (TriggerConfig t : p.triggers()) {
            Map<String, Object> tm = new LinkedHashMap<>();
            List<String> events = new ArrayList<>();
            t.events().forEach(e -> events.add(e.wireName()));
            tm.put("events", events);
            putList(tm, "branches", sources(t.branches()));
            putList(tm, "refs", sources(t.refs()));
            putList(tm, "comments", sources(t.comments()));
            putList(tm, "usernames", sources(t.usernames()));
            putList(tm, "emails", sources(t.emails()));
            List<Object> approvals = new ArrayList<>();
            for (ApprovalValue a : t.approvals()) {
                Map<String, Object> am = new LinkedHashMap<>();
                am.put("category", a.category());
                am.put("value", a.value());
                approvals.add(am);
            }
            putList(tm, "approvals", approvals);
            putList(tm, "requireApprovals", approvalRequirements(t.requireApprovals()));
            putList(tm, "rejectApprovals", approvalRequirements(t.rejectApprovals()));
            if (!t.ignoreDeletes()) {
                tm.put("ignoreDeletes", false);
            }
            triggers.add(tm);
        }
        m.put("triggers", triggers);
        reporter(m, "start", p.start());
        reporter(m, "success", p.success());
        reporter(m, "failure", p.failure());
        reporter(m, "mergeFailure", p.mergeFailure());
        putIfNot(m, "startMessage", p.startMessage(), PipelineConfig.DEFAULT_START_MESSAGE);
        putIfNot(m, "successMessage", p.successMessage(), PipelineConfig.DEFAULT_SUCCESS_MESSAGE);
        putIfNot(m, "failureMessage", p.failureMessage(), PipelineConfig.DEFAULT_FAILURE_MESSAGE);
        putIfNot(m, "mergeFailureMessage", p.mergeFailureMessage(), PipelineConfig.DEFAULT_MERGE_FAILURE_MESSAGE);
        putIfNot(m, "footerMessage", p.footerMessage(), "");
        if (!p.dequeueOnNewPatchset()) {
            m.put("dequeueOnNewPatchset", false);
        }
        requirement(m, "require", p.require());
        requirement(m, "reject", p.reject());
        return m;
    }

    private static void reporter(Map<String, Object> m, String key, ReporterConfig r) {
        if (r == null) {
            return;
        }
        List<Object> labels = new ArrayList<>();
        for (LabelVote v : r.labels()) {
            Map<String, Object> lm = new LinkedHashMap<>();
            lm.put("name", v.name());
            lm.put("value", v.value());
            labels.add(lm);
        }
        Map<String, Object> rm = new LinkedHashMap<>();
        rm.put("labels", labels);
        m.put(key, rm);
    }

    private static void requirement(Map<String, Object> m, String key, ChangeRequirement r) {
        if (r == null) {
            return;
        }
        Map<String, Object> rm = new LinkedHashMap<>();
        putIf(rm, "open", r.open());
        putIf(rm, "currentPatchset", r.currentPatchset());
        putList(rm, "statuses", new ArrayList<>(r.statuses()));
        putList(rm, "approvals", approvalRequirements(r.approvals()));
        m.put(key, rm);
    }

    private static List<Object> approvalRequirements(List<ApprovalRequirement> list) {
        List<Object> out = new ArrayList<>();
        for (ApprovalRequirement a : list) {
            Map<String, Object> am = new LinkedHashMap<>();
            putIf(am, "username", a.username() == null ? null : a.username().source());
            putIf(am, "email", a.email() == null ? null : a.email().source());
            putIf(am, "newerThan", a.newerThan());
            putIf(am, "olderThan", a.olderThan());
            List<Object> labels = new ArrayList<>();
            for (LabelValues lv : a.labels()) {
                Map<String, Object> lm = new LinkedHashMap<>();
                lm.put("category", lv.category());
                lm.put("values", new ArrayList<>(lv.values()));
                labels.add(lm);
            }
            putList(am, "labels", labels);
            out.add(am);
        }
        return out;
    }

    private static List<Object> sources(List<SafePattern> patterns) {
        List<Object> out = new ArrayList<>();
        patterns.forEach(p -> out.add(p.source()));
        return out;
    }

    private static void putIf(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    private static void putIfNot(Map<String, Object> m, String key, String value, String dflt) {
        if (value != null && !value.equals(dflt)) {
            m.put(key, value);
        }
    }

    private static void putList(Map<String, Object> m, String key, List<Object> list) {
        if (!list.isEmpty()) {
            m.put(key, list);
        }
    }

    // ---------------------------------------------------------------- reading

    public static Layout parse(Path file) throws ConfigException, IOException {
        return parse(ConfigInput.read(file), file.toString());
    }

    /** Reads the {@code unclassified.tollgateGerritPipeline} section; other JCasC sections are left alone. */
    public static Layout parse(String text, String fileName) throws ConfigException {
        NodeReader r = new NodeReader(fileName);
        Node root = r.compose(text);
        Layout layout = root == null ? null : new Reader(r).layout(root);
        if (!r.errors.isEmpty() || layout == null) {
            throw new ConfigException(r.errors);
        }
        return layout;
    }

    private static final Set<String> SECTION = LayoutParser.keys("pipelines", "jobs", "projects");
    private static final Set<String> PIPELINE = LayoutParser.keys("name", "description", "manager", "triggers",
            "start", "success", "failure", "mergeFailure", "startMessage", "successMessage", "failureMessage",
            "mergeFailureMessage", "footerMessage", "dequeueOnNewPatchset", "require", "reject");
    private static final Set<String> TRIGGER = LayoutParser.keys("events", "branches", "refs", "comments",
            "usernames", "emails", "approvals", "requireApprovals", "rejectApprovals", "ignoreDeletes");
    private static final Set<String> APPROVAL_REQ = LayoutParser.keys("username", "email", "newerThan", "olderThan",
            "labels");
    private static final Set<String> JOB = LayoutParser.keys("name", "voting", "branches", "successMessage",
            "failureMessage", "skipIf", "attempts");

    private static final class Reader {
        private final NodeReader r;

        Reader(NodeReader r) {
            this.r = r;
        }

        Layout layout(Node root) {
            Map<String, Node> top = r.map(root, "", null);
            if (top == null) {
                return null;
            }
            Map<String, Node> unclassified = r.map(top.get("unclassified"), "unclassified", null);
            if (unclassified == null) {
                return null;
            }
            if (!unclassified.containsKey(SYMBOL)) {
                r.error(top.get("unclassified"), "unclassified", "no `" + SYMBOL + "` section");
                return null;
            }
            Node sectionNode = unclassified.get(SYMBOL);
            Map<String, Node> section = r.map(sectionNode, SYMBOL, SECTION);
            if (section == null) {
                return null;
            }
            if (!section.containsKey("pipelines")) {
                r.error(sectionNode, "pipelines", "required: at least one pipeline");
            }
            List<PipelineConfig> pipelines = new ArrayList<>();
            Set<String> names = new LinkedHashSet<>();
            for (Node n : r.list(section.get("pipelines"), "pipelines")) {
                PipelineConfig p = pipeline(n);
                if (p != null) {
                    if (!names.add(p.name())) {
                        r.error(n, "name", "duplicate pipeline `" + p.name() + "`");
                    } else {
                        pipelines.add(p);
                    }
                }
            }
            List<JobConfig> jobs = new ArrayList<>();
            Map<String, Node> jobNodes = new LinkedHashMap<>();
            for (Node n : r.list(section.get("jobs"), "jobs")) {
                JobConfig j = job(n);
                if (j == null) {
                    continue;
                }
                Node nameNode = ((org.yaml.snakeyaml.nodes.MappingNode) n).getValue().stream()
                        .filter(t -> t.getKeyNode() instanceof org.yaml.snakeyaml.nodes.ScalarNode k
                                && k.getValue().equals("name"))
                        .map(org.yaml.snakeyaml.nodes.NodeTuple::getValueNode).findFirst().orElse(n);
                Node first = jobNodes.putIfAbsent(j.name(), nameNode);
                if (first != null) {
                    r.error(nameNode, "name", Refusals.duplicateJob(j.name(), r.lineOf(first)));
                } else {
                    jobs.add(j);
                }
            }
            List<ProjectConfig> projects = new ArrayList<>();
            Set<String> projectNames = new LinkedHashSet<>();
            for (Node n : r.list(section.get("projects"), "projects")) {
                Map<String, Node> m = r.map(n, "projects", LayoutParser.keys("name", "pipelines"));
                if (m == null) {
                    continue;
                }
                String name = r.requiredStr(m, n, "name");
                Map<String, List<String>> byPipeline = new LinkedHashMap<>();
                for (Node pn : r.list(m.get("pipelines"), "pipelines")) {
                    Map<String, Node> pm = r.map(pn, "pipelines", LayoutParser.keys("name", "jobs"));
                    if (pm == null) {
                        continue;
                    }
                    String pname = r.requiredStr(pm, pn, "name");
                    if (pname == null) {
                        continue;
                    }
                    if (!names.contains(pname)) {
                        r.error(pm.get("name"), "name", "unknown pipeline `" + pname + "`" + (names.isEmpty()
                                ? " (no pipelines are defined)" : " (defined: " + String.join(", ", names) + ")"));
                        continue;
                    }
                    if (byPipeline.containsKey(pname)) {
                        r.error(pm.get("name"), "name", "pipeline `" + pname + "` listed twice");
                        continue;
                    }
                    List<String> jobNames = new ArrayList<>();
                    for (Node jn : r.list(pm.get("jobs"), "jobs")) {
                        String s = r.str(jn, "jobs");
                        if (s != null && !s.isBlank()) {
                            jobNames.add(s);
                        } else {
                            r.error(jn, "jobs", "expected a job name");
                        }
                    }
                    byPipeline.put(pname, jobNames);
                }
                if (name == null) {
                    continue;
                }
                if (!projectNames.add(name)) {
                    r.error(n, "name", "duplicate project `" + name + "`");
                    continue;
                }
                List<PipelineJobs> pjs = new ArrayList<>();
                for (String p : names) {
                    if (byPipeline.containsKey(p)) {
                        pjs.add(new PipelineJobs(p, byPipeline.get(p)));
                    }
                }
                projects.add(new ProjectConfig(name, pjs));
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
                r.error(m.get("manager"), "manager", manager.equals("DependentPipelineManager")
                        ? "DependentPipelineManager is not supported yet (only IndependentPipelineManager: no gating queue)"
                        : "unknown manager `" + manager + "` (expected IndependentPipelineManager)");
            }
            List<TriggerConfig> triggers = new ArrayList<>();
            for (Node t : r.list(m.get("triggers"), "triggers")) {
                TriggerConfig tc = trigger(t);
                if (tc != null) {
                    triggers.add(tc);
                }
            }
            PipelineConfig p = new PipelineConfig(name, r.str(m.get("description"), "description"), manager,
                    triggers, reporter(m.get("start"), "start"), reporter(m.get("success"), "success"),
                    reporter(m.get("failure"), "failure"), reporter(m.get("mergeFailure"), "mergeFailure"),
                    msg(m, "startMessage", PipelineConfig.DEFAULT_START_MESSAGE),
                    msg(m, "successMessage", PipelineConfig.DEFAULT_SUCCESS_MESSAGE),
                    msg(m, "failureMessage", PipelineConfig.DEFAULT_FAILURE_MESSAGE),
                    msg(m, "mergeFailureMessage", PipelineConfig.DEFAULT_MERGE_FAILURE_MESSAGE),
                    msg(m, "footerMessage", ""),
                    !Boolean.FALSE.equals(r.bool(m.get("dequeueOnNewPatchset"), "dequeueOnNewPatchset")),
                    requirement(m.get("require"), "require"), requirement(m.get("reject"), "reject"));
            return name == null || manager == null ? null : p;
        }

        String msg(Map<String, Node> m, String key, String dflt) {
            String s = r.str(m.get(key), key);
            return s == null ? dflt : s;
        }

        TriggerConfig trigger(Node n) {
            Map<String, Node> m = r.map(n, "triggers", TRIGGER);
            if (m == null) {
                return null;
            }
            List<EventType> events = new ArrayList<>();
            if (!m.containsKey("events")) {
                r.error(n, "events", "required");
            } else if (r.list(m.get("events"), "events").isEmpty()) {
                r.error(m.get("events"), "events", Refusals.EMPTY_EVENTS);
            }
            for (Node e : r.list(m.get("events"), "events")) {
                String s = r.str(e, "events");
                EventType t = s == null ? null : EventType.known(s);
                if (t == null) {
                    r.error(e, "events", "unknown event type `" + s + "`");
                } else {
                    events.add(t);
                }
            }
            List<ApprovalValue> approvals = new ArrayList<>();
            for (Node a : r.list(m.get("approvals"), "approvals")) {
                Map<String, Node> am = r.map(a, "approvals", LayoutParser.keys("category", "value"));
                if (am == null) {
                    continue;
                }
                String c = r.requiredStr(am, a, "category");
                Integer v = am.containsKey("value") ? r.integer(am.get("value"), "value") : null;
                if (v == null && !am.containsKey("value")) {
                    r.error(a, "value", "required");
                }
                if (c != null && v != null) {
                    approvals.add(new ApprovalValue(Labels.normalizeCategory(c), v));
                }
            }
            List<SafePattern> branches = patterns(m.get("branches"), "branches");
            if (!branches.isEmpty() && events.contains(EventType.REF_UPDATED)) {
                r.error(m.get("branches"), "branches", Refusals.branchOnRefUpdated("refs"));
            }
            List<SafePattern> refs = patterns(m.get("refs"), "refs");
            EventType changeEvent = Refusals.firstChangeEvent(events);
            if (!refs.isEmpty() && changeEvent != null) {
                r.error(m.get("refs"), "refs", Refusals.refOnChangeEvent(changeEvent, "branches"));
            }
            return new TriggerConfig(events, branches, refs,
                    patterns(m.get("comments"), "comments"), patterns(m.get("usernames"), "usernames"),
                    patterns(m.get("emails"), "emails"), approvals,
                    approvalRequirements(m.get("requireApprovals"), "requireApprovals"),
                    approvalRequirements(m.get("rejectApprovals"), "rejectApprovals"),
                    !Boolean.FALSE.equals(r.bool(m.get("ignoreDeletes"), "ignoreDeletes")));
        }

        List<SafePattern> patterns(Node n, String key) {
            List<SafePattern> out = new ArrayList<>();
            for (Node p : r.list(n, key)) {
                SafePattern sp = r.regex(p, key);
                if (sp != null) {
                    out.add(sp);
                }
            }
            return out;
        }

        ReporterConfig reporter(Node n, String key) {
            if (n == null) {
                return null;
            }
            Map<String, Node> m = r.map(n, key, LayoutParser.keys("labels"));
            if (m == null) {
                return null;
            }
            List<LabelVote> labels = new ArrayList<>();
            for (Node l : r.list(m.get("labels"), "labels")) {
                Map<String, Node> lm = r.map(l, "labels", LayoutParser.keys("name", "value"));
                if (lm == null) {
                    continue;
                }
                String name = r.requiredStr(lm, l, "name");
                Integer v = lm.containsKey("value") ? r.integer(lm.get("value"), "value") : null;
                if (!lm.containsKey("value")) {
                    r.error(l, "value", "required");
                }
                if (name != null && v != null) {
                    labels.add(new LabelVote(name, v));
                }
            }
            return new ReporterConfig(labels);
        }

        ChangeRequirement requirement(Node n, String key) {
            if (n == null) {
                return null;
            }
            Map<String, Node> m = r.map(n, key, LayoutParser.keys("open", "currentPatchset", "statuses", "approvals"));
            if (m == null) {
                return null;
            }
            List<String> statuses = new ArrayList<>();
            for (Node s : r.list(m.get("statuses"), "statuses")) {
                String v = r.str(s, "statuses");
                if (v != null) {
                    statuses.add(v);
                }
            }
            return new ChangeRequirement(r.bool(m.get("open"), "open"), r.bool(m.get("currentPatchset"),
                    "currentPatchset"), statuses, approvalRequirements(m.get("approvals"), "approvals"));
        }

        List<ApprovalRequirement> approvalRequirements(Node n, String key) {
            List<ApprovalRequirement> out = new ArrayList<>();
            for (Node a : r.list(n, key)) {
                Map<String, Node> m = r.map(a, key, APPROVAL_REQ);
                if (m == null) {
                    continue;
                }
                List<LabelValues> labels = new ArrayList<>();
                for (Node l : r.list(m.get("labels"), "labels")) {
                    Map<String, Node> lm = r.map(l, "labels", LayoutParser.keys("category", "values"));
                    if (lm == null) {
                        continue;
                    }
                    String c = r.requiredStr(lm, l, "category");
                    List<Integer> values = new ArrayList<>();
                    for (Node v : r.list(lm.get("values"), "values")) {
                        Integer i = r.integer(v, "values");
                        if (i != null) {
                            values.add(i);
                        }
                    }
                    if (c != null) {
                        labels.add(new LabelValues(Labels.normalizeCategory(c), values));
                    }
                }
                out.add(new ApprovalRequirement(m.containsKey("username") ? r.regex(m.get("username"), "username") : null,
                        m.containsKey("email") ? r.regex(m.get("email"), "email") : null,
                        r.age(m.get("newerThan"), "newerThan"), r.age(m.get("olderThan"), "olderThan"), labels));
            }
            return out;
        }

        JobConfig job(Node n) {
            Map<String, Node> m = r.map(n, "jobs", JOB);
            if (m == null) {
                return null;
            }
            String name = r.requiredStr(m, n, "name");
            boolean regex = name != null && name.startsWith("^");
            if (regex) {
                r.regex(m.get("name"), "name");
            }
            Integer attempts = null;
            if (m.containsKey("attempts")) {
                if (regex) {
                    r.error(m.get("attempts"), "attempts", Refusals.ATTEMPTS_ON_REGEX);
                } else {
                    attempts = r.integer(m.get("attempts"), "attempts");
                }
            }
            List<SkipIf> skipIf = null;
            if (m.containsKey("skipIf")) {
                skipIf = new ArrayList<>();
                for (Node s : r.list(m.get("skipIf"), "skipIf")) {
                    Map<String, Node> sm = r.map(s, "skipIf", LayoutParser.keys("project", "branch", "allFilesMatchAny"));
                    if (sm == null) {
                        continue;
                    }
                    SkipIf condition = new SkipIf(sm.containsKey("project") ? r.regex(sm.get("project"), "project") : null,
                            sm.containsKey("branch") ? r.regex(sm.get("branch"), "branch") : null,
                            patterns(sm.get("allFilesMatchAny"), "allFilesMatchAny"));
                    if (!sm.containsKey("project") && !sm.containsKey("branch")
                            && condition.allFilesMatchAny().isEmpty()) {
                        r.error(s, "skipIf", Refusals.EMPTY_SKIP_IF);
                    } else {
                        skipIf.add(condition);
                    }
                }
            }
            if (name == null) {
                return null;
            }
            return new JobConfig(name, r.bool(m.get("voting"), "voting"),
                    m.containsKey("branches") ? patterns(m.get("branches"), "branches") : null,
                    r.str(m.get("successMessage"), "successMessage"), r.str(m.get("failureMessage"), "failureMessage"),
                    skipIf, attempts);
        }
    }
}
