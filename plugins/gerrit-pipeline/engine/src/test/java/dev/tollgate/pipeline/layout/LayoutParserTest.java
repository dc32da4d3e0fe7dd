package dev.tollgate.pipeline.layout;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.tollgate.pipeline.event.EventType;
import dev.tollgate.common.regex.SafePattern;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.Test;

public class LayoutParserTest {
    static final Path SEED = Path.of("../../../examples/metaplugin-ci/layout.yaml");

    @Test
    public void parsesTheSeedLayout() throws Exception {
        Layout l = LayoutParser.parse(SEED);
        assertEquals(1, l.pipelines().size());
        PipelineConfig check = l.pipelines().get(0);
        assertEquals("check", check.name());
        assertEquals(PipelineConfig.INDEPENDENT, check.manager());
        assertEquals("Build failed. Leave a comment with 'metaplugin-recheck' to rerun a check. "
                + "('recheck' will be ignored.)", check.failureMessage());
        assertEquals("Build succeeded.", check.successMessage());
        assertEquals("", check.footerMessage());
        assertTrue(check.dequeueOnNewPatchset());
        assertEquals(3, check.triggers().size());
        assertEquals(List.of(EventType.PATCHSET_CREATED), check.triggers().get(0).events());
        assertEquals(List.of(EventType.CHANGE_RESTORED), check.triggers().get(1).events());
        TriggerConfig comment = check.triggers().get(2);
        assertEquals(List.of(EventType.COMMENT_ADDED), comment.events());
        assertEquals(List.of(SafePattern.compile(
                "(?i)^(Patch Set [0-9]+:)?( [\\w\\\\+-]*)*(\\n\\n)?\\s*metaplugin-recheck\\s*$")), comment.comments());
        assertEquals(new ReporterConfig(List.of(new LabelVote("Verified", 1))), check.success());
        assertEquals(new ReporterConfig(List.of(new LabelVote("Verified", 0))), check.failure());
        assertNull(check.start());
        assertEquals(List.of(new ProjectConfig("openstack/neutron",
                List.of(new PipelineJobs("check", List.of("check-tempest-dsvm-metaplugin"))))), l.projects());
        assertEquals("1 pipeline(s), 1 project(s), 0 job definition(s), 1 project job(s)", l.summary());
    }

    static final String RICH = String.join("\n",
            "pipelines:",
            "  - name: check",
            "    description: Newly uploaded patchsets enter this pipeline",
            "    manager: IndependentPipelineManager",
            "    success-message: All good.",
            "    footer-message: 'Questions? Ask in #third-party-ci.'",
            "    dequeue-on-new-patchset: false",
            "    require:",
            "      open: true",
            "      status: NEW",
            "    reject:",
            "      approval:",
            "        - Verified: [-1, -2]",
            "          username: jenkins",
            "    trigger:",
            "      gerrit:",
            "        - event: [patchset-created, draft-published]",
            "          branch: ^master$",
            "        - event: comment-added",
            "          comment_filter: (?i)^\\s*recheck-me\\s*$",
            "          username: [alice, ^bob$]",
            "          email: '@example\\.org$'",
            "          approval:",
            "            - Code Review: 2",
            "            - workflow: 1",
            "          reject-approval:",
            "            - verified: -1",
            "              username: ^ci-bot$",
            "        - event: ref-updated",
            "          ref: ^refs/tags/",
            "    start:",
            "      gerrit: {}",
            "    success:",
            "      gerrit:",
            "        verified: 1",
            "        code-review: 1",
            "    failure:",
            "      gerrit:",
            "        verified: -1",
            "  - name: post",
            "    manager: IndependentPipelineManager",
            "    trigger:",
            "      gerrit:",
            "        - event: change-merged",
            "jobs:",
            "  - name: ^.*-nv$",
            "    voting: false",
            "  - name: unit",
            "    attempts: 5",
            "    branch: [master, ^stable/]",
            "    success-message: passed",
            "    failure-message: broke",
            "    skip-if:",
            "      - project: ^openstack/docs$",
            "project-templates:",
            "  - name: python-jobs",
            "    check:",
            "      - '{name}-pep8'",
            "      - '{prefix}-py27'",
            "projects:",
            "  - name: openstack/nova",
            "    template:",
            "      - name: python-jobs",
            "        prefix: gate-nova",
            "    check:",
            "      - unit",
            "      - tempest-nv",
            "    post:",
            "      - noop",
            "");

    @Test
    public void parsesARichLayout() throws Exception {
        Layout l = LayoutParser.parse(RICH, "rich.yaml");
        PipelineConfig check = l.pipeline("check").orElseThrow();
        assertEquals("All good.", check.successMessage());
        assertEquals("Questions? Ask in #third-party-ci.", check.footerMessage());
        assertEquals(false, check.dequeueOnNewPatchset());
        assertEquals(new ChangeRequirement(true, null, List.of("NEW"), List.of()), check.require());
        assertEquals(List.of(new ApprovalRequirement(SafePattern.compile("jenkins"), null, null, null,
                List.of(new LabelValues("verified", List.of(-1, -2))))), check.reject().approvals());
        TriggerConfig ps = check.triggers().get(0);
        assertEquals(List.of(EventType.PATCHSET_CREATED, EventType.DRAFT_PUBLISHED), ps.events());
        assertEquals(List.of(SafePattern.compile("^master$")), ps.branches());
        TriggerConfig ca = check.triggers().get(1);
        assertEquals(List.of(SafePattern.compile("(?i)^\\s*recheck-me\\s*$")), ca.comments());
        assertEquals(List.of(SafePattern.compile("alice"), SafePattern.compile("^bob$")), ca.usernames());
        assertEquals(List.of(SafePattern.compile("@example\\.org$")), ca.emails());
        assertEquals(List.of(new ApprovalValue("code-review", 2), new ApprovalValue("workflow", 1)), ca.approvals());
        assertEquals(List.of(new ApprovalRequirement(SafePattern.compile("^ci-bot$"), null, null, null,
                List.of(new LabelValues("verified", List.of(-1))))), ca.rejectApprovals());
        assertEquals(new ReporterConfig(List.of()), check.start());
        assertEquals(List.of(new LabelVote("Verified", 1), new LabelVote("Code-Review", 1)), check.success().labels());
        assertEquals(List.of(SafePattern.compile("^refs/tags/")), check.triggers().get(2).refs());
        assertEquals(List.of(new PipelineJobs("check", List.of("nova-pep8", "gate-nova-py27", "unit", "tempest-nv")),
                new PipelineJobs("post", List.of("noop"))), l.project("openstack/nova").orElseThrow().pipelines());
        JobConfig unit = l.jobs().get(1);
        assertEquals(new JobConfig("unit", null, List.of(SafePattern.compile("master"), SafePattern.compile("^stable/")),
                "passed", "broke", List.of(new SkipIf(SafePattern.compile("^openstack/docs$"), null, List.of())), 5), unit);
    }

    @Test
    public void reportsEveryErrorWithFileLineAndKey() {
        String text = String.join("\n",
                "pipelines:",                                         // 1
                "  - name: check",                                    // 2
                "    manager: FancyPipelineManager",                  // 3
                "    trigger:",                                       // 4
                "      gerrit:",                                      // 5
                "        - event: patchset-uploaded",                 // 6
                "          comment: (?i)recheck(?=now)",              // 7
                "          branch: '[master'",                        // 8
                "        - event: comment-added",                     // 9
                "          colour: blue",                             // 10
                "    success:",                                       // 11
                "      gerrit:",                                      // 12
                "        verified: yes-please",                       // 13
                "    dequeue-on-new-patchset: maybe",                 // 14
                "  - name: gate",                                     // 15
                "    manager: DependentPipelineManager",              // 16
                "    trigger:",                                       // 17
                "      gerrit:",                                      // 18
                "        - event: comment-added",                     // 19
                "jobs:",                                              // 20
                "  - name: ^broken(",                                 // 21
                "    voting: 3",                                      // 22
                "projects:",                                          // 23
                "  - name: openstack/neutron",                        // 24
                "    chek:",                                          // 25
                "      - job-a",                                      // 26
                "    check:",                                         // 27
                "      - job-b: [job-c]",                             // 28
                "");
        List<String> errors = errors(text);
        assertEquals(List.of(
                "l.yaml:3: manager: unknown manager `FancyPipelineManager` (expected IndependentPipelineManager)",
                "l.yaml:6: event: unknown event type `patchset-uploaded` (expected one of: patchset-created, "
                        + "draft-published, change-abandoned, change-restored, change-merged, comment-added, ref-updated)",
                "l.yaml:7: comment: bad regex `(?i)recheck(?=now)`: lookahead/lookbehind ((?=, (?!, (?<=, (?<!) is not "
                        + "supported: patterns run in linear time (RE2 syntax)",
                "l.yaml:8: branch: bad regex `[master`: invalid regex (RE2 syntax): missing closing ] at `[master`",
                "l.yaml:10: colour: unknown key in gerrit (expected one of: event, branch, ref, comment, comment_filter, "
                        + "approval, require-approval, reject-approval, username, username_filter, email, email_filter, "
                        + "ignore-deletes)",
                "l.yaml:13: verified: expected an integer, got `yes-please`",
                "l.yaml:14: dequeue-on-new-patchset: expected true or false, got `maybe`",
                "l.yaml:16: manager: DependentPipelineManager is not supported yet (only IndependentPipelineManager: "
                        + "no gating queue)",
                "l.yaml:21: name: bad regex `^broken(`: invalid regex (RE2 syntax): missing closing ) at `^broken(`",
                "l.yaml:22: voting: expected true or false, got `3`",
                "l.yaml:25: chek: unknown pipeline `chek` (defined: check, gate)",
                "l.yaml:28: check: job trees (jobs that wait for other jobs) are not supported yet: list job names only"),
                errors);
    }

    @Test
    public void reportsWrongTypesMissingKeysAndUnknownTemplates() {
        List<String> errors = errors(String.join("\n",
                "pipelines:",
                "  - name: check",
                "    manager: IndependentPipelineManager",
                "    trigger:",
                "      gerrit:",
                "        - branch: master",
                "    failure:",
                "      smtp:",
                "        to: a@b",
                "  - description: nameless",
                "projects: openstack/nova",
                "jobs:",
                "  - name: x",
                "    files: ['^doc/']",
                "project-templates:",
                "  - name: t",
                "    gate:",
                "      - x",
                ""));
        assertEquals(List.of(
                "l.yaml:6: event: required",
                "l.yaml:8: smtp: a Zuul 2.5 key Tollgate does not support: only gerrit reporters",
                "l.yaml:10: name: required",
                "l.yaml:10: manager: required",
                "l.yaml:10: trigger: required",
                "l.yaml:17: gate: unknown pipeline `gate` (defined: check)",
                "l.yaml:14: files: a Zuul 2.5 key Tollgate does not support: events do not carry the change's file list",
                "l.yaml:11: projects: expected a list, got `openstack/nova`"), errors);
    }

    @Test
    public void reportsBrokenYamlAndTemplateProblems() {
        assertEquals(List.of("l.yaml:3: invalid YAML: mapping values are not allowed here"),
                errors("pipelines:\n  - name: check\n    manager: a: b\n"));
        assertEquals(List.of("l.yaml:1: the file is empty"), errors(""));
        List<String> errors = errors(String.join("\n",
                "pipelines:",
                "  - name: check",
                "    manager: IndependentPipelineManager",
                "    trigger: {gerrit: [{event: patchset-created}]}",
                "project-templates:",
                "  - name: t",
                "    check: ['{missing}-job']",
                "projects:",
                "  - name: a/b",
                "    template:",
                "      - name: t",
                "      - name: nope",
                "  - name: a/b",
                ""));
        assertEquals(List.of(
                "l.yaml:11: template: template `t`, job `{missing}-job`: template parameter `missing` is not given",
                "l.yaml:12: template: unknown project template `nope`",
                "l.yaml:13: name: duplicate project `a/b`"), errors);
    }

    @Test
    public void labelAndCategoryNames() {
        assertEquals("Verified", Labels.gerritLabel("verified"));
        assertEquals("Code-Review", Labels.gerritLabel("code-review"));
        assertEquals("Workflow", Labels.gerritLabel("workflow"));
        assertEquals("My-Custom-Label", Labels.gerritLabel("my-custom-label"));
        assertEquals("Verified-Arm", Labels.gerritLabel("Verified-Arm"));
        assertEquals("code-review", Labels.normalizeCategory("Code Review"));
        assertEquals("code-review", Labels.normalizeCategory("Code-Review"));
    }

    static List<String> errors(String text) {
        try {
            LayoutParser.parse(text, "l.yaml");
            fail("accepted");
            return null;
        } catch (ConfigException e) {
            return e.errors().stream().map(ConfigError::toString).collect(Collectors.toList());
        }
    }
}
