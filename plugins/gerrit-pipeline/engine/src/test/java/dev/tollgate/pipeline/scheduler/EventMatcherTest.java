package dev.tollgate.pipeline.scheduler;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.tollgate.pipeline.event.Account;
import dev.tollgate.pipeline.event.Approval;
import dev.tollgate.pipeline.event.EventType;
import dev.tollgate.pipeline.event.GerritEvent;
import dev.tollgate.pipeline.layout.Layout;
import dev.tollgate.pipeline.layout.LayoutParser;
import dev.tollgate.pipeline.layout.PipelineConfig;
import dev.tollgate.pipeline.layout.TriggerConfig;
import dev.tollgate.pipeline.trigger.EventMatcher;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.Test;

public class EventMatcherTest {
    private static final Instant NOW = Instant.ofEpochSecond(1763700000L + 60);

    private static PipelineConfig seedCheck() throws Exception {
        return LayoutParser.parse(Path.of("../../../examples/metaplugin-ci/layout.yaml")).pipelines().get(0);
    }

    private static boolean triggers(PipelineConfig p, GerritEvent e) {
        for (TriggerConfig t : p.triggers()) {
            if (EventMatcher.matches(t, e, NOW)) {
                return true;
            }
        }
        return false;
    }

    @Test
    public void seedCases() throws Exception {
        PipelineConfig check = seedCheck();
        String n = "openstack/neutron";
        assertTrue(triggers(check, Events.created(n, 1, 1)));
        assertTrue("metaplugin-recheck triggers", triggers(check, Events.comment(n, 1, 1, "metaplugin-recheck")));
        assertTrue(triggers(check, Events.comment(n, 1, 1, "Patch Set 1:\n\nmetaplugin-recheck")));
        assertTrue(triggers(check, Events.comment(n, 1, 3, "Patch Set 3: Code-Review+1\n\nmetaplugin-recheck")));
        assertFalse("plain recheck belongs to the upstream CI", triggers(check, Events.comment(n, 1, 1, "recheck")));
        assertFalse(triggers(check, Events.comment(n, 1, 1, "Patch Set 1:\n\nrecheck")));
        assertFalse(triggers(check, Events.comment(n, 1, 1, "Looks good, metaplugin-recheck later")));
        assertFalse(triggers(check, Events.comment(n, 1, 1, null)));
        assertTrue("a restored change triggers", triggers(check, Events.of(EventType.CHANGE_RESTORED, n, 1, 2)));
        assertFalse(triggers(check, Events.of(EventType.CHANGE_ABANDONED, n, 1, 2)));
        assertFalse(triggers(check, Events.of(EventType.CHANGE_MERGED, n, 1, 2)));
        assertFalse(triggers(check, Events.refUpdated(n, "refs/heads/master", "abc")));
    }

    private static PipelineConfig pipeline(String triggerYaml) throws Exception {
        Layout l = LayoutParser.parse("pipelines:\n  - name: p\n    manager: IndependentPipelineManager\n"
                + "    trigger:\n      gerrit:\n" + triggerYaml, "t.yaml");
        return l.pipelines().get(0);
    }

    @Test
    public void approvalsAreAndedWithCategoryNormalisation() throws Exception {
        PipelineConfig p = pipeline("        - event: comment-added\n          approval:\n"
                + "            - Code Review: 2\n            - workflow: 1\n");
        Approval cr2 = new Approval("Code-Review", "Code-Review", 2, 0);
        Approval wf1 = new Approval("Workflow", "Workflow", 1, null);
        assertTrue(triggers(p, Events.comment("a/b", 1, 1, "", cr2, wf1)));
        assertFalse("both are needed", triggers(p, Events.comment("a/b", 1, 1, "", cr2)));
        assertFalse(triggers(p, Events.comment("a/b", 1, 1, "", new Approval("Code-Review", "Code-Review", 1, 0), wf1)));
        // description as older Gerrit versions sent it ("Code Review") normalises the same way
        assertTrue(triggers(p, Events.comment("a/b", 1, 1, "", new Approval("CRVW", "Code Review", 2, null), wf1)));
    }

    @Test
    public void branchRefUsernameAndEmail() throws Exception {
        PipelineConfig p = pipeline("        - event: patchset-created\n          branch: [^master$, ^stable/]\n"
                + "        - event: ref-updated\n          ref: ^refs/tags/\n"
                + "        - event: comment-added\n          username: ^bob$\n          email: '@example\\.org$'\n");
        GerritEvent master = Events.created("a/b", 1, 1);
        assertTrue(triggers(p, master));
        GerritEvent stable = GerritEvent.ofChange(EventType.PATCHSET_CREATED, Events.change("a/b", "stable/ocata", 2),
                Events.ps(2, 1), Events.ALICE, null, List.of(), 0);
        assertTrue(triggers(p, stable));
        GerritEvent feature = GerritEvent.ofChange(EventType.PATCHSET_CREATED, Events.change("a/b", "feature/x-master", 3),
                Events.ps(3, 1), Events.ALICE, null, List.of(), 0);
        assertFalse("branch patterns are anchored at the start (re.match)", triggers(p, feature));
        assertTrue(triggers(p, Events.refUpdated("a/b", "refs/tags/1.0", "abc")));
        assertFalse(triggers(p, Events.refUpdated("a/b", "refs/heads/master", "abc")));
        assertFalse("a deleted tag is ignored (ignore-deletes)",
                triggers(p, Events.refUpdated("a/b", "refs/tags/1.0", "0000000000000000000000000000000000000000")));
        assertTrue(triggers(p, Events.comment("a/b", 1, 1, "hi")));
        GerritEvent fromBobby = GerritEvent.ofChange(EventType.COMMENT_ADDED, Events.change("a/b", "master", 1),
                Events.ps(1, 1), new Account("bobby", "bob@example.org", "B"), "hi", List.of(), 0);
        assertFalse(triggers(p, fromBobby));
        GerritEvent otherMail = GerritEvent.ofChange(EventType.COMMENT_ADDED, Events.change("a/b", "master", 1),
                Events.ps(1, 1), new Account("bob", "bob@example.com", "B"), "hi", List.of(), 0);
        assertFalse(triggers(p, otherMail));
    }

    @Test
    public void requireAndReject() throws Exception {
        Layout l = LayoutParser.parse(String.join("\n",
                "pipelines:",
                "  - name: p",
                "    manager: IndependentPipelineManager",
                "    require:",
                "      open: true",
                "      approval:",
                "        - code-review: [1, 2]",
                "          newer-than: 1h",
                "    reject:",
                "      approval:",
                "        - verified: -1",
                "    trigger:",
                "      gerrit:",
                "        - event: comment-added",
                ""), "r.yaml");
        PipelineConfig p = l.pipelines().get(0);
        GerritEvent ok = Events.comment("a/b", 1, 1, "", new Approval("Code-Review", "Code-Review", 2, 0));
        assertTrue(EventMatcher.meetsRequire(p.require(), ok, NOW));
        assertFalse("too old", EventMatcher.meetsRequire(p.require(), ok, NOW.plusSeconds(7200)));
        GerritEvent low = Events.comment("a/b", 1, 1, "", new Approval("Code-Review", "Code-Review", -1, 0));
        assertFalse(EventMatcher.meetsRequire(p.require(), low, NOW));
        GerritEvent vm1 = Events.comment("a/b", 1, 1, "", new Approval("Code-Review", "Code-Review", 2, 0),
                new Approval("Verified", "Verified", -1, 0));
        assertTrue(EventMatcher.rejected(p.reject(), vm1, NOW));
        assertFalse(EventMatcher.rejected(p.reject(), ok, NOW));
    }
}
