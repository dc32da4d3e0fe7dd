package dev.tollgate.pipeline.layout;

import dev.tollgate.common.regex.SafePattern;
import dev.tollgate.common.regex.UnsupportedPatternException;
import dev.tollgate.pipeline.trigger.GerritTrigger;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules a layout follows, in one place, whichever form it came from: a Zuul v2 layout
 * ({@link LayoutParser}), the JCasC form ({@link CascConfig}) or records built in code (the Jenkins
 * plugin's describables, through {@link #validate}). The readers only check how a configuration is
 * written (YAML types, known keys, required keys, regex syntax); what the records say is checked
 * here, and a trigger's own rules by its driver ({@link GerritTrigger#validate}).
 *
 * <p>Every problem is reported as {@code FILE:LINE: key: message}, with the key as the file spells
 * it, merged with the readers' problems in reading order: a rule's problem about a key comes right
 * after the problems found while reading up to that key. Stateless; each check runs on one thread.
 */
public final class LayoutValidator {
    /** Zuul's EventFilter has no type filter for an empty list: every event would match. */
    public static final String EMPTY_EVENTS = "an empty list (Zuul 2.5 would take it as every event type): name the events";
    /** Zuul's Job.copy never copies attempts from a regex entry: refused rather than ignored. */
    static final String ATTEMPTS_ON_REGEX = "only a job's own entry sets attempts (Zuul 2.5 ignores it on a regex "
            + "entry)";
    /** Zuul 2.5's reject: takes approvals only; the other conditions would be read and never applied. */
    static final String REJECT_APPROVALS_ONLY = "Zuul 2.5's reject takes approvals only (use require for the change's "
            + "state)";
    /** Zuul's MatchAll of nothing matches every change. */
    static final String EMPTY_SKIP_IF = "a condition without project, branch or all-files-match-any matches every "
            + "change, so the job would never run (Zuul 2.5 skips it always)";

    /**
     * What a driver's rules see of one of its configuration records: which keys were given, how the
     * file spells a key, and where to report.
     */
    public interface Problems {
        /** Was the key given (for records built in code: is it required, or set)? */
        boolean given(String key);

        /** The key as the configuration writes it, for messages that name another key. */
        String spelled(String key);

        void add(String key, String message);
    }

    private final String file;
    private final Positions where;
    private final List<Found> found = new ArrayList<>();

    /** A rule's problem and its place among the reading errors. */
    private record Found(int index, ConfigError error) { }

    private LayoutValidator(String file, Positions where) {
        this.file = file;
        this.where = where;
    }

    /**
     * Checks a layout built in code (no file, so no lines: problems read {@code source: key: message}).
     *
     * @throws ConfigException with every problem
     */
    public static void validate(Layout layout, String source) throws ConfigException {
        validateRoot(layout, source);
    }

    /**
     * Checks the whole global configuration built in code (the Jenkins plugin's describables), as
     * {@link #validate(Layout, String)}.
     *
     * @throws ConfigException with every problem
     */
    public static void validate(PipelineSettings settings, String source) throws ConfigException {
        validateRoot(settings, source);
    }

    private static void validateRoot(Record root, String source) throws ConfigException {
        List<ConfigError> missing = new ArrayList<>();
        requiredKeys(root, source, missing);
        if (!missing.isEmpty()) {
            throw new ConfigException(missing); // the rules below assume what is required is there
        }
        List<ConfigError> errors = check(root, source, Positions.NONE, List.of());
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
    }

    /** The configuration a reader built (a Layout or PipelineSettings), or every problem of the reading and of the rules. */
    static <R extends Record> R checked(R root, NodeReader r, Positions where) throws ConfigException {
        List<ConfigError> errors = root == null ? r.errors : check(root, r.file, where, r.errors);
        if (!errors.isEmpty() || root == null) {
            throw new ConfigException(errors);
        }
        return root;
    }

    /** The rules' problems merged with the reading problems, in reading order. */
    static List<ConfigError> check(Record root, String file, Positions where, List<ConfigError> reading) {
        LayoutValidator v = new LayoutValidator(file, where);
        if (root instanceof PipelineSettings s) {
            v.servers(s);
            v.merger(s);
            v.layout(s.layout());
        } else {
            v.layout((Layout) root);
        }
        List<Found> rules = new ArrayList<>(v.found);
        rules.sort(Comparator.comparingInt(Found::index)); // stable: equal places keep the rules' order
        List<ConfigError> out = new ArrayList<>(reading.size() + rules.size());
        int k = 0;
        for (int i = 0; i <= reading.size(); i++) {
            while (k < rules.size() && rules.get(k).index() <= i) {
                out.add(rules.get(k++).error());
            }
            if (i < reading.size()) {
                out.add(reading.get(i));
            }
        }
        return out;
    }

    private void add(Positions.Mark at, String message) {
        found.add(new Found(at.index(), new ConfigError(file, at.line(), at.key(), message)));
    }

    private void layout(Layout l) {
        Set<String> names = new LinkedHashSet<>();
        l.pipelines().forEach(p -> names.add(p.name()));
        Set<String> seen = new HashSet<>();
        for (PipelineConfig p : l.pipelines()) {
            pipeline(p);
            if (!seen.add(p.name())) {
                add(at(where.of(p, "pipelines"), "name"), "duplicate pipeline `" + p.name() + "`");
            }
        }
        Map<String, Positions.Mark> firstJob = new HashMap<>();
        for (JobConfig j : l.jobs()) {
            job(j);
            Positions.Mark name = where.of(j, "jobs", "name");
            Positions.Mark first = firstJob.putIfAbsent(j.name(), name);
            if (first != null) {
                add(new Positions.Mark(name.line(), where.of(j, "jobs").index(), name.key()),
                        "duplicate job `" + j.name() + "` (first on line " + first.line() + "): Zuul 2.5 refuses it too");
            }
        }
        Set<String> projects = new HashSet<>();
        for (ProjectConfig p : l.projects()) {
            project(p, names);
            if (!projects.add(p.name())) {
                add(at(where.of(p, "projects"), "name"), "duplicate project `" + p.name() + "`");
            }
        }
    }

    private void servers(PipelineSettings s) {
        Map<String, Positions.Mark> firstName = new HashMap<>();
        for (GerritServerConfig g : s.servers()) {
            Problems p = problems(g, "servers");
            Positions.Mark name = where.of(g, "servers", "name");
            if (!g.name().matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
                p.add("name", "`" + g.name() + "`: use letters, digits, `.`, `_` and `-` (it names the server in URLs and logs)");
            }
            Positions.Mark first = firstName.putIfAbsent(g.name(), name);
            if (first != null) {
                p.add("name", "duplicate server `" + g.name() + "` (first on line " + first.line() + ")");
            }
            if (g.sshPort() < 1 || g.sshPort() > 65535) {
                p.add("sshPort", "expected a port from 1 to 65535, got " + g.sshPort());
            }
            if (g.viaGerritTrigger()) {
                for (String own : List.of("host", "hostKey", "username", "credentialsId")) {
                    if (p.given(own)) {
                        p.add(own, "leave out with " + p.spelled("gerritTriggerServer")
                                + ": events come from the Gerrit Trigger plugin's server");
                    }
                }
            } else {
                need(g.host(), "host", "Gerrit's SSH host (or name a Gerrit Trigger server in "
                        + p.spelled("gerritTriggerServer") + ")", p);
                need(g.username(), "username", "the SSH user of the event stream", p);
                need(g.credentialsId(), "credentialsId", "an SSH private-key credential of that user", p);
                if (need(g.hostKey(), "hostKey", "the server's public host key, pinned (from `ssh-keyscan -p "
                        + g.sshPort() + " " + (g.host() == null ? "HOST" : g.host()) + "`)", p)
                        && !jcascVariable(g.hostKey())) {
                    String bad = hostKeyProblem(g.hostKey());
                    if (bad != null) {
                        p.add("hostKey", bad);
                    }
                }
                if (blank(g.restUrl())) {
                    p.add("restUrl", "required: reviews are posted over Gerrit's REST API (e.g. https://review.example.org/)");
                }
            }
            for (String key : List.of("restUrl", "gitUrl")) {
                String url = key.equals("restUrl") ? g.restUrl() : g.gitUrl();
                if (!blank(url) && !jcascVariable(url) && !url.matches("(?i)https?://[^\\s/]+.*")) {
                    p.add(key, "expected an http:// or https:// URL, got `" + url + "`");
                }
            }
            if (!blank(g.restUrl()) && blank(g.restCredentialsId())) {
                p.add("restCredentialsId", "required with " + p.spelled("restUrl")
                        + ": a username/password credential (Gerrit HTTP password) allowed to vote");
            }
        }
    }

    /** The merger's keys, and what it needs of each server. */
    private void merger(PipelineSettings s) {
        MergerConfig m = s.merger();
        if (m == null) {
            return;
        }
        Problems p = problems(m, "merger");
        if (m.fetch() != null && !MergerConfig.FETCH_MODES.contains(m.fetch())) {
            p.add("fetch", "expected one of " + MergerConfig.FETCH_MODES + ", got `" + m.fetch() + "`");
        }
        if (m.zuulRefMaxAgeHours() < 1) {
            p.add("zuulRefMaxAgeHours", "expected at least 1 (hours a merge is kept), got " + m.zuulRefMaxAgeHours());
        }
        if (m.maxCacheGigabytes() < 1) {
            p.add("maxCacheGigabytes", "expected at least 1 (GiB), got " + m.maxCacheGigabytes());
        }
        if (m.pruneMinutes() < 1) {
            p.add("pruneMinutes", "expected at least 1 (minutes between prunes), got " + m.pruneMinutes());
        }
        if (!blank(m.cacheDir()) && !jcascVariable(m.cacheDir()) && (m.cacheDir().contains("\0")
                || m.cacheDir().isBlank())) {
            p.add("cacheDir", "not a directory name: `" + m.cacheDir() + "`");
        }
        if (!blank(m.zuulUrl()) && !jcascVariable(m.zuulUrl()) && !m.zuulUrl().matches("(?i)(https?|git|ssh)://[^\\s/]+.*")) {
            p.add("zuulUrl", "expected an http://, https://, git:// or ssh:// URL, got `" + m.zuulUrl() + "`");
        }
        if (m.daemon() != null) {
            MergerDaemonConfig d = m.daemon();
            Problems dp = problems(d, "daemon");
            if (!jcascVariable(d.address())) {
                String bad = MergerConfig.addressProblem(d.address());
                if (bad != null) {
                    dp.add("address", "`" + d.address() + "`: " + bad + " (a literal address the daemon binds to)");
                }
            }
            if (!jcascVariable(d.address()) && d.address().matches("0\\.0\\.0\\.0|[0:]*::[0:]*") && blank(m.zuulUrl())) {
                p.add("zuulUrl", "required when the daemon listens on every address (" + d.address()
                        + "): the git:// URL agents reach it at, e.g. git://jenkins.example.org:" + d.port());
            }
            if (d.port() < 1 || d.port() > 65535) {
                dp.add("port", "expected a port from 1 to 65535, got " + d.port());
            }
            if (d.allowedNetworks().isEmpty()) {
                dp.add("allowedNetworks", "required: the networks whose agents may fetch (CIDR, e.g. 10.0.0.0/16)");
            }
            for (String n : d.allowedNetworks()) {
                String bad = n == null || !jcascVariable(n) ? MergerConfig.cidrProblem(n) : null;
                if (bad != null) {
                    dp.add("allowedNetworks", bad);
                }
            }
        }
        if (!m.enabled()) {
            return;
        }
        for (GerritServerConfig g : s.servers()) {
            Problems sp = problems(g, "servers");
            if (m.fetchesOverSsh() && g.viaGerritTrigger()) {
                sp.add("gerritTriggerServer", "the merger fetches over SSH with the server's own host, user, host key "
                        + "and credential, which a Gerrit Trigger server leaves out: give them, or set "
                        + p.spelled("fetch") + ": http");
            }
            if (!m.fetchesOverSsh() && blank(g.restUrl()) && !g.viaGerritTrigger()) {
                sp.add("restUrl", "required with the merger's " + p.spelled("fetch") + ": http (Gerrit's /a/ git URLs)");
            }
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /**
     * Is the whole value one JCasC variable ({@code ${GERRIT_HOST_KEY}}, {@code ${URL:-default}},
     * {@code ${readFile:/path}})? JCasC replaces it when it loads the file, so only the loaded value has a
     * form to check (the plugin checks its records then); in the file it stands for a value that is given.
     */
    static boolean jcascVariable(String value) {
        return value.strip().matches("\\$\\{[^{}]+}");
    }

    /** Reports a missing value; true when it is there. */
    private static boolean need(String value, String key, String what, Problems p) {
        if (blank(value)) {
            p.add(key, "required: " + what);
            return false;
        }
        return true;
    }

    /**
     * What is wrong with a pinned host key, or null: each line (known_hosts or public-key form, blank
     * lines and {@code #} comments aside) must hold a key type and a base64 key.
     */
    static String hostKeyProblem(String hostKey) {
        int keys = 0;
        for (String line : hostKey.split("\n")) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            String[] f = t.split("\\s+");
            int type = 0;
            while (type < f.length && !f[type].matches("ssh-[a-z0-9-]+|ecdsa-sha2-[a-z0-9-]+|sk-[a-z0-9@.-]+")) {
                type++;
            }
            if (type + 1 >= f.length || !f[type + 1].matches("[A-Za-z0-9+/]+={0,2}")) {
                String shown = t.length() > 40 ? t.substring(0, 40) + "..." : t;
                return "not a public key line: `" + shown + "` (expected e.g. `ssh-ed25519 AAAAC3Nza...`)";
            }
            keys++;
        }
        return keys == 0 ? "no key in it" : null;
    }

    /** The record's mark, reported under another key (a duplicate entry is reported as its name). */
    private static Positions.Mark at(Positions.Mark record, String key) {
        return new Positions.Mark(record.line(), record.index(), key);
    }

    private void pipeline(PipelineConfig p) {
        if (!PipelineConfig.INDEPENDENT.equals(p.manager())) {
            add(where.of(p, "pipelines", "manager"), p.manager().equals("DependentPipelineManager")
                    ? "DependentPipelineManager is not supported yet (only IndependentPipelineManager: no gating queue)"
                    : "unknown manager `" + p.manager() + "` (expected " + PipelineConfig.INDEPENDENT + ")");
        }
        for (TriggerConfig t : p.triggers()) {
            GerritTrigger.validate(t, problems(t, "triggers"));
            t.requireApprovals().forEach(this::approval);
            t.rejectApprovals().forEach(this::approval);
        }
        for (ChangeRequirement r : new ChangeRequirement[] {p.require(), p.reject()}) {
            if (r != null) {
                r.approvals().forEach(this::approval);
            }
        }
        if (p.reject() != null) {
            Problems reject = problems(p.reject(), "reject");
            for (String key : List.of("open", "currentPatchset", "statuses")) {
                if (reject.given(key)) {
                    reject.add(key, REJECT_APPROVALS_ONLY);
                }
            }
        }
    }

    private Problems problems(Object record, String keyOfRecord) {
        return new Problems() {
            @Override
            public boolean given(String key) {
                return where.given(record, key);
            }

            @Override
            public String spelled(String key) {
                return where.spell(key);
            }

            @Override
            public void add(String key, String message) {
                LayoutValidator.this.add(where.of(record, keyOfRecord, key), message);
            }
        };
    }

    private void approval(ApprovalRequirement a) {
        age(a, "newerThan", a.newerThan());
        age(a, "olderThan", a.olderThan());
    }

    private void age(ApprovalRequirement a, String key, String value) {
        if (value != null && Ages.parse(value) == null) {
            add(where.of(a, "approvals", key), "expected an age such as 30m, 48h, 2d or 1w, got `" + value + "`");
        }
    }

    private void job(JobConfig j) {
        if (j.isRegex()) {
            try {
                SafePattern.compile(j.name());
            } catch (UnsupportedPatternException e) {
                add(where.of(j, "jobs", "name"), badRegex(j.name(), e));
            }
            if (where.given(j, "attempts")) {
                add(where.of(j, "jobs", "attempts"), ATTEMPTS_ON_REGEX);
            }
        }
        for (SkipIf s : j.skipIf()) {
            if (!where.given(s, "project") && !where.given(s, "branch") && !where.given(s, "allFilesMatchAny")) {
                add(where.of(s, "skipIf"), EMPTY_SKIP_IF);
            }
        }
    }

    private void project(ProjectConfig p, Set<String> pipelines) {
        if (!ProjectConfig.MERGE_MODES.contains(p.mergeMode())) {
            add(where.of(p, "projects", "mergeMode"), "unknown merge mode `" + p.mergeMode() + "` (expected one of: "
                    + String.join(", ", ProjectConfig.MERGE_MODES) + ")");
        }
        Set<String> listed = new HashSet<>();
        for (PipelineJobs pj : p.pipelines()) {
            Positions.Mark name = where.of(pj, "pipelines", "name");
            if (!pipelines.contains(pj.name())) {
                add(name, unknownPipeline(pj.name(), pipelines));
            } else if (!listed.add(pj.name())) {
                add(name, "pipeline `" + pj.name() + "` listed twice");
            }
            for (String job : pj.jobs()) {
                String problem = jobNameProblem(job);
                if (problem != null) {
                    add(where.of(pj, "pipelines", "jobs", job), problem);
                }
            }
        }
    }

    static String unknownPipeline(String name, Set<String> pipelines) {
        return "unknown pipeline `" + name + "`" + (pipelines.isEmpty() ? " (no pipelines are defined)"
                : " (defined: " + String.join(", ", pipelines) + ")");
    }

    /** What is wrong with a job name (Zuul's job_name is one word), or null. */
    static String jobNameProblem(String name) {
        if (name.isBlank()) {
            return "empty job name";
        }
        return name.matches("\\S+") ? null : "job name `" + name + "` has spaces (Zuul 2.5 refuses it too)";
    }

    static String badRegex(String source, UnsupportedPatternException e) {
        // a refused pattern may be megabytes long: show its start
        String shown = source.length() <= 100 ? "`" + source + "`"
                : "`" + source.substring(0, 60) + "...` (" + source.length() + " characters)";
        return "bad regex " + shown + ": " + e.getMessage();
    }

    /** Required keys a record built in code leaves null, anywhere in the layout. */
    private static void requiredKeys(Record record, String source, List<ConfigError> out) {
        for (RecordComponent c : record.getClass().getRecordComponents()) {
            Object v = Records.value(c, record);
            if (v == null && Records.required(c)) {
                out.add(new ConfigError(source, 0, c.getName(), "required"));
            } else if (v instanceof Record r) {
                requiredKeys(r, source, out);
            } else if (v instanceof List<?> list) {
                for (Object e : list) {
                    if (e instanceof Record r) {
                        requiredKeys(r, source, out);
                    }
                }
            }
        }
    }
}
