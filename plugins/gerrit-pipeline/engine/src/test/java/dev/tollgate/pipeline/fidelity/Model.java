package dev.tollgate.pipeline.fidelity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The generated test cases' own description of a Zuul v2 layout and of Gerrit events: plain values,
 * independent of the engine's model, written out as layout.yaml and stream-events JSON for the
 * engine and read directly by {@link ZuulReference}. Null means "not given".
 */
final class Model {
    private Model() {}

    record Layout(List<Pipeline> pipelines, List<Job> jobs, List<Template> templates, List<Project> projects) { }

    record Pipeline(String name, List<Trigger> triggers, Boolean dequeueOnNewPatchset, Require require,
                    List<ApprovalEntry> reject, boolean start, Map<String, Integer> success,
                    Map<String, Integer> failure, String successMessage, String failureMessage, String footer) { }

    /** {@code approvals} is the raw list of single-label dicts, as written in the layout. */
    record Trigger(List<String> events, List<String> branches, List<String> refs, List<String> comments,
                   List<String> usernames, List<String> emails, List<Map<String, Integer>> approvals,
                   List<ApprovalEntry> requireApprovals, List<ApprovalEntry> rejectApprovals, Boolean ignoreDeletes) { }

    record Require(Boolean open, Boolean currentPatchset, List<String> statuses, List<ApprovalEntry> approvals) { }

    /** An approval filter: every given key must hold for one approval. Labels map to accepted values. */
    record ApprovalEntry(String username, String email, String newerThan, String olderThan,
                         Map<String, List<Integer>> labels) { }

    record Job(String name, Boolean voting, List<String> branches, String successMessage, String failureMessage,
               List<Skip> skipIf, Integer attempts) { }

    record Skip(String project, String branch, List<String> files) { }

    record Template(String name, Map<String, List<String>> jobs) { }

    record TemplateCall(String name, Map<String, String> params) { }

    record Project(String name, List<TemplateCall> templates, Map<String, List<String>> jobs) { }

    /** One Gerrit event. Change events have change/patchset/branch; ref-updated has ref/newrev. */
    record Event(String type, String project, String branch, int change, int patchset, String user, String comment,
                 List<Vote> votes, long createdOn, String status, String ref, String newRev) { }

    record Vote(String label, int value) { }

    record Account(String username, String email, String name) { }

    static final Map<String, Account> ACCOUNTS = Map.of(
            "alice", new Account("alice", "alice@example.org", "Alice Dev"),
            "bob", new Account("bob", "bob@example.org", "Bob Reviewer"),
            "ci-bot", new Account("ci-bot", "ci@example.org", "CI Bot"),
            "eve", new Account("eve", "eve@evil.com", "Eve"));

    // ------------------------------------------------------------------ writing

    static String yaml(Layout l) {
        Map<String, Object> root = new LinkedHashMap<>();
        List<Object> pipelines = new ArrayList<>();
        for (Pipeline p : l.pipelines) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", p.name);
            m.put("manager", "IndependentPipelineManager");
            putIf(m, "dequeue-on-new-patchset", p.dequeueOnNewPatchset);
            putIf(m, "success-message", p.successMessage);
            putIf(m, "failure-message", p.failureMessage);
            putIf(m, "footer-message", p.footer);
            if (p.require != null) {
                Map<String, Object> r = new LinkedHashMap<>();
                putIf(r, "open", p.require.open);
                putIf(r, "current-patchset", p.require.currentPatchset);
                putIf(r, "status", p.require.statuses);
                if (p.require.approvals != null) {
                    r.put("approval", entries(p.require.approvals));
                }
                m.put("require", r);
            }
            if (p.reject != null) {
                m.put("reject", Map.of("approval", entries(p.reject)));
            }
            List<Object> triggers = new ArrayList<>();
            for (Trigger t : p.triggers) {
                Map<String, Object> tm = new LinkedHashMap<>();
                tm.put("event", t.events.size() == 1 ? t.events.get(0) : t.events);
                putIf(tm, "branch", t.branches);
                putIf(tm, "ref", t.refs);
                putIf(tm, "comment", t.comments);
                putIf(tm, "username", t.usernames);
                putIf(tm, "email", t.emails);
                putIf(tm, "approval", t.approvals);
                if (t.requireApprovals != null) {
                    tm.put("require-approval", entries(t.requireApprovals));
                }
                if (t.rejectApprovals != null) {
                    tm.put("reject-approval", entries(t.rejectApprovals));
                }
                putIf(tm, "ignore-deletes", t.ignoreDeletes);
                triggers.add(tm);
            }
            m.put("trigger", Map.of("gerrit", triggers));
            if (p.start) {
                m.put("start", Map.of("gerrit", Map.of()));
            }
            if (p.success != null) {
                m.put("success", Map.of("gerrit", p.success));
            }
            if (p.failure != null) {
                m.put("failure", Map.of("gerrit", p.failure));
            }
            pipelines.add(m);
        }
        root.put("pipelines", pipelines);
        if (!l.jobs.isEmpty()) {
            List<Object> jobs = new ArrayList<>();
            for (Job j : l.jobs) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", j.name);
                putIf(m, "voting", j.voting);
                putIf(m, "branch", j.branches);
                putIf(m, "success-message", j.successMessage);
                putIf(m, "failure-message", j.failureMessage);
                putIf(m, "attempts", j.attempts);
                if (j.skipIf != null) {
                    List<Object> skips = new ArrayList<>();
                    for (Skip s : j.skipIf) {
                        Map<String, Object> sm = new LinkedHashMap<>();
                        putIf(sm, "project", s.project);
                        putIf(sm, "branch", s.branch);
                        putIf(sm, "all-files-match-any", s.files);
                        skips.add(sm);
                    }
                    m.put("skip-if", skips);
                }
                jobs.add(m);
            }
            root.put("jobs", jobs);
        }
        if (!l.templates.isEmpty()) {
            List<Object> templates = new ArrayList<>();
            for (Template t : l.templates) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", t.name);
                m.putAll(t.jobs);
                templates.add(m);
            }
            root.put("project-templates", templates);
        }
        List<Object> projects = new ArrayList<>();
        for (Project p : l.projects) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", p.name);
            if (!p.templates.isEmpty()) {
                List<Object> calls = new ArrayList<>();
                for (TemplateCall c : p.templates) {
                    Map<String, Object> cm = new LinkedHashMap<>();
                    cm.put("name", c.name);
                    cm.putAll(c.params);
                    calls.add(cm);
                }
                m.put("template", calls);
            }
            m.putAll(p.jobs);
            projects.add(m);
        }
        root.put("projects", projects);
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        o.setWidth(200);
        return new Yaml(o).dump(root);
    }

    private static List<Object> entries(List<ApprovalEntry> list) {
        List<Object> out = new ArrayList<>();
        for (ApprovalEntry a : list) {
            Map<String, Object> m = new LinkedHashMap<>();
            putIf(m, "username", a.username);
            putIf(m, "email", a.email);
            putIf(m, "newer-than", a.newerThan);
            putIf(m, "older-than", a.olderThan);
            a.labels.forEach((k, v) -> m.put(k, v.size() == 1 ? v.get(0) : v));
            out.add(m);
        }
        return out;
    }

    static Map<String, Object> ordered(Object... keyValue) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValue.length; i += 2) {
            m.put((String) keyValue[i], keyValue[i + 1]);
        }
        return m;
    }

    private static void putIf(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    /** The event as Gerrit's stream-events would send it. */
    static Map<String, Object> json(Event e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", e.type);
        String accountField = switch (e.type) {
            case "patchset-created", "draft-published" -> "uploader";
            case "comment-added" -> "author";
            case "change-abandoned" -> "abandoner";
            case "change-restored" -> "restorer";
            default -> "submitter";
        };
        if (e.type.equals("ref-updated")) {
            m.put("refUpdate", ordered("project", e.project, "refName", e.ref, "oldRev", "1".repeat(40),
                    "newRev", e.newRev));
        } else {
            Map<String, Object> change = new LinkedHashMap<>();
            change.put("project", e.project);
            change.put("branch", e.branch);
            change.put("number", e.change);
            change.put("status", e.status);
            m.put("change", change);
            m.put("patchSet", ordered("number", e.patchset, "revision", "r" + e.change + "x" + e.patchset,
                    "ref", String.format("refs/changes/%02d/%d/%d", e.change % 100, e.change, e.patchset)));
            if (e.comment != null) {
                m.put("comment", e.comment);
            }
            if (!e.votes.isEmpty()) {
                List<Object> votes = new ArrayList<>();
                for (Vote v : e.votes) {
                    votes.add(ordered("type", v.label, "description", v.label, "value", String.valueOf(v.value)));
                }
                m.put("approvals", votes);
            }
        }
        if (e.user != null) {
            Account a = ACCOUNTS.get(e.user);
            m.put(accountField, ordered("username", a.username, "email", a.email, "name", a.name));
        }
        m.put("eventCreatedOn", e.createdOn);
        return m;
    }
}
