package dev.tollgate.pipeline.scheduler;

import dev.tollgate.pipeline.event.Account;
import dev.tollgate.pipeline.event.Change;
import dev.tollgate.pipeline.event.EventType;
import dev.tollgate.pipeline.event.GerritEvent;
import dev.tollgate.pipeline.event.PatchSet;
import dev.tollgate.pipeline.event.RefUpdate;
import dev.tollgate.pipeline.port.Merger;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The parameters a build gets: Zuul v2's ZUUL_* and LOG_PATH, and the Gerrit Trigger plugin's
 * GERRIT_* names, so existing job scripts keep working. See docs/gerrit-pipeline.md for each one.
 */
public final class JobParameters {
    private JobParameters() {}

    public static Map<String, String> build(GerritEvent event, String pipeline, ResolvedJob job, String buildUuid,
                                            LaunchSettings settings) {
        return build(event, pipeline, job, buildUuid, settings, null);
    }

    /**
     * With a merger's result, a change's ZUUL_REF and ZUUL_COMMIT are the merge's ref and commit (as
     * Zuul v2 set them); without one (null) they are the patchset's ref and revision.
     */
    public static Map<String, String> build(GerritEvent event, String pipeline, ResolvedJob job, String buildUuid,
                                            LaunchSettings settings, Merger.MergeResult.Merged merged) {
        Map<String, String> p = new LinkedHashMap<>();
        String project = event.project();
        p.put("ZUUL_UUID", buildUuid);
        p.put("ZUUL_PROJECT", project);
        p.put("ZUUL_PIPELINE", pipeline);
        p.put("ZUUL_URL", settings.zuulUrl() == null ? "" : settings.zuulUrl());
        p.put("ZUUL_VOTING", job.voting() ? "1" : "0");
        String basePath;
        Change c = event.change();
        PatchSet ps = event.patchSet();
        if (c != null && ps != null) {
            String ref = refspec(c, ps);
            p.put("ZUUL_BRANCH", c.branch());
            p.put("ZUUL_CHANGE", Integer.toString(c.number()));
            p.put("ZUUL_PATCHSET", Integer.toString(ps.number()));
            // With a merger the build tests the change merged onto its branch (the merger's ref);
            // without one, the patchset itself, fetched from Gerrit.
            p.put("ZUUL_REF", merged != null ? merged.ref() : ref);
            p.put("ZUUL_CHANGES", project + ":" + c.branch() + ":" + ref);
            p.put("ZUUL_CHANGE_IDS", c.number() + "," + ps.number());
            put(p, "ZUUL_COMMIT", merged != null ? merged.commit() : ps.revision());
            basePath = basePath(c.number(), ps.number());
        } else {
            RefUpdate r = event.refUpdate();
            p.put("ZUUL_REF", r.refName());
            String branch = branchOf(r.refName());
            put(p, "ZUUL_BRANCH", branch);
            p.put("ZUUL_REFNAME", r.refName());
            put(p, "ZUUL_OLDREV", r.oldRev());
            p.put("ZUUL_NEWREV", r.newRev());
            p.put("ZUUL_COMMIT", r.newRev());
            basePath = refBasePath(r.newRev());
        }
        p.put("BASE_LOG_PATH", basePath);
        p.put("LOG_PATH", logPath(basePath, pipeline, job.name(), buildUuid));

        p.put("GERRIT_EVENT_TYPE", event.typeName());
        p.put("GERRIT_PROJECT", project);
        if (c != null) {
            p.put("GERRIT_BRANCH", c.branch());
            put(p, "GERRIT_TOPIC", c.topic());
            p.put("GERRIT_CHANGE_NUMBER", Integer.toString(c.number()));
            put(p, "GERRIT_CHANGE_ID", c.id());
            if (ps != null) {
                p.put("GERRIT_PATCHSET_NUMBER", Integer.toString(ps.number()));
                put(p, "GERRIT_PATCHSET_REVISION", ps.revision());
                p.put("GERRIT_REFSPEC", refspec(c, ps));
            }
            put(p, "GERRIT_CHANGE_SUBJECT", c.subject());
            if (c.commitMessage() != null) {
                p.put("GERRIT_CHANGE_COMMIT_MESSAGE", base64(c.commitMessage()));
            }
            put(p, "GERRIT_CHANGE_URL", c.url());
            account(p, "GERRIT_CHANGE_OWNER", c.owner());
            Account uploader = ps != null && ps.uploader() != null ? ps.uploader() : event.account();
            account(p, "GERRIT_PATCHSET_UPLOADER", uploader);
            if (event.type() == EventType.CHANGE_RESTORED) {
                account(p, "GERRIT_CHANGE_RESTORER", event.account());
            }
            if (event.type() == EventType.CHANGE_ABANDONED) {
                account(p, "GERRIT_CHANGE_ABANDONER", event.account());
            }
        } else {
            RefUpdate r = event.refUpdate();
            p.put("GERRIT_REFNAME", r.refName());
            put(p, "GERRIT_OLDREV", r.oldRev());
            p.put("GERRIT_NEWREV", r.newRev());
        }
        if (event.account() != null) {
            account(p, "GERRIT_EVENT_ACCOUNT", event.account());
        }
        if (event.comment() != null) {
            // Base64, as the Gerrit Trigger plugin passes it (a comment may hold anything)
            p.put("GERRIT_EVENT_COMMENT_TEXT", base64(event.comment()));
        }
        put(p, "GERRIT_NAME", settings.gerritName());
        put(p, "GERRIT_HOST", settings.gerritHost());
        put(p, "GERRIT_PORT", settings.gerritPort());
        put(p, "GERRIT_SCHEME", settings.gerritScheme());
        return p;
    }

    /** Zuul's change base path: {last two digits}/{change}/{patchset} (Python's str[-2:]). */
    public static String basePath(int change, int patchset) {
        String n = Integer.toString(change);
        return n.substring(Math.max(0, n.length() - 2)) + "/" + n + "/" + patchset;
    }

    /** Zuul's ref base path: {newrev[:2]}/{newrev}. */
    public static String refBasePath(String newRev) {
        return newRev.substring(0, Math.min(2, newRev.length())) + "/" + newRev;
    }

    /** LOG_PATH: {base}/{pipeline}/{job}/{uuid[:7]}. */
    public static String logPath(String basePath, String pipeline, String job, String uuid) {
        return basePath + "/" + pipeline + "/" + job + "/" + uuid.substring(0, Math.min(7, uuid.length()));
    }

    /** The patchset's ref as Gerrit sent it, else refs/changes/NN/CHANGE/PATCHSET. */
    public static String refspec(Change c, PatchSet ps) {
        if (ps.ref() != null && !ps.ref().isEmpty()) {
            return ps.ref();
        }
        return String.format(Locale.ROOT, "refs/changes/%02d/%d/%d", c.number() % 100, c.number(), ps.number());
    }

    static String branchOf(String refName) {
        if (refName == null) {
            return null;
        }
        if (refName.startsWith("refs/heads/")) {
            return refName.substring("refs/heads/".length());
        }
        return refName.startsWith("refs/") ? null : refName;
    }

    private static void account(Map<String, String> p, String prefix, Account a) {
        if (a == null) {
            return;
        }
        p.put(prefix, a.nameAndEmail());
        p.put(prefix + "_NAME", a.name() == null ? "" : a.name());
        p.put(prefix + "_EMAIL", a.email() == null ? "" : a.email());
    }

    private static void put(Map<String, String> p, String key, String value) {
        if (value != null) {
            p.put(key, value);
        }
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
