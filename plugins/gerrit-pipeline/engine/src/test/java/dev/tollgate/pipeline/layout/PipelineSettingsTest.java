package dev.tollgate.pipeline.layout;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.Test;

/** The whole gerrit-pipeline section: servers and switches beside the layout. */
public class PipelineSettingsTest {
    private static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHu1jKFzGxr0u7gUfy5JKbq9C6P0H3YWnKeyxyzabcde";

    private static String section(String... serverLines) {
        return String.join("\n",
                "unclassified:",
                "  tollgateGerritPipeline:",
                "    commentOnly: true",
                "    servers:",
                String.join("\n", serverLines),
                "    pipelines:",
                "      - name: check",
                "        manager: IndependentPipelineManager",
                "        triggers:",
                "          - events: [patchset-created]",
                "");
    }

    private static List<String> errors(String yaml) {
        try {
            CascConfig.parseSettings(yaml, "c.yaml");
            fail("accepted:\n" + yaml);
            return null;
        } catch (ConfigException e) {
            return e.errors().stream().map(ConfigError::toString).collect(Collectors.toList());
        }
    }

    @Test
    public void readsServersAndSwitches() throws Exception {
        PipelineSettings s = CascConfig.parseSettings(section(
                "      - name: review",
                "        host: review.example.org",
                "        username: ci-bot",
                "        hostKey: '" + KEY + "'",
                "        credentialsId: gerrit-ssh",
                "        restUrl: https://review.example.org/",
                "        restCredentialsId: gerrit-http",
                "      - name: upstream",
                "        gerritTriggerServer: upstream-gerrit"), "c.yaml");
        assertTrue(s.commentOnly());
        assertEquals(2, s.servers().size());
        GerritServerConfig review = s.servers().get(0);
        assertEquals(GerritServerConfig.DEFAULT_SSH_PORT, review.sshPort());
        assertFalse(review.viaGerritTrigger());
        assertTrue(s.servers().get(1).viaGerritTrigger());
        assertNull(s.servers().get(1).restUrl());
        assertEquals(1, s.layout().pipelines().size());
    }

    @Test
    public void aLayoutAloneIsAWholeSectionAndWritesTheSame() throws Exception {
        Layout layout = LayoutParser.parse(LayoutParserTest.SEED);
        String yaml = CascConfig.toYaml(layout);
        assertEquals(PipelineSettings.of(layout), CascConfig.parseSettings(yaml, "c.yaml"));
        assertFalse("defaults are not written", yaml.contains("commentOnly") || yaml.contains("servers"));
    }

    @Test
    public void settingsRoundTrip() throws Exception {
        PipelineSettings s = CascConfig.parseSettings(section(
                "      - name: review",
                "        host: review.example.org",
                "        sshPort: 2222",
                "        username: ci-bot",
                "        hostKey: '" + KEY + "'",
                "        credentialsId: gerrit-ssh",
                "        restUrl: https://review.example.org/",
                "        restCredentialsId: gerrit-http",
                "        gitUrl: https://git.example.org"), "c.yaml");
        assertEquals(s, CascConfig.parseSettings(CascConfig.toYaml(s), "again.yaml"));
    }

    @Test
    public void anOwnStreamNeedsEverythingToConnectAndToVote() {
        assertEquals(List.of(
                "c.yaml:5: host: required: Gerrit's SSH host (or name a Gerrit Trigger server in gerritTriggerServer)",
                "c.yaml:5: username: required: the SSH user of the event stream",
                "c.yaml:5: credentialsId: required: an SSH private-key credential of that user",
                "c.yaml:5: hostKey: required: the server's public host key, pinned (from `ssh-keyscan -p 29418 HOST`)",
                "c.yaml:5: restUrl: required: reviews are posted over Gerrit's REST API (e.g. https://review.example.org/)"),
                errors(section("      - name: review")));
    }

    @Test
    public void badValuesAreReportedOnTheirLines() {
        assertEquals(List.of(
                "c.yaml:5: name: `my server`: use letters, digits, `.`, `_` and `-` (it names the server in URLs and logs)",
                "c.yaml:7: sshPort: expected a port from 1 to 65535, got 70000",
                "c.yaml:10: hostKey: not a public key line: `review.example.org ssh-ed25519 !!!` (expected e.g. "
                        + "`ssh-ed25519 AAAAC3Nza...`)",
                "c.yaml:11: restUrl: expected an http:// or https:// URL, got `review.example.org`",
                "c.yaml:5: restCredentialsId: required with restUrl: a username/password credential (Gerrit HTTP "
                        + "password) allowed to vote",
                "c.yaml:12: name: `my server`: use letters, digits, `.`, `_` and `-` (it names the server in URLs and logs)",
                "c.yaml:12: name: duplicate server `my server` (first on line 5)"),
                errors(section(
                        "      - name: my server",
                        "        host: review.example.org",
                        "        sshPort: 70000",
                        "        username: ci-bot",
                        "        credentialsId: gerrit-ssh",
                        "        hostKey: 'review.example.org ssh-ed25519 !!!'",
                        "        restUrl: review.example.org",
                        "      - name: my server",
                        "        gerritTriggerServer: x")));
    }

    @Test
    public void aGerritTriggerServerNeedsNoOwnConnection() {
        assertEquals(List.of("c.yaml:6: host: leave out with gerritTriggerServer: events come from the Gerrit "
                        + "Trigger plugin's server"),
                errors(section(
                        "      - name: review",
                        "        host: review.example.org",
                        "        gerritTriggerServer: upstream")));
    }

    @Test
    public void unknownServerKeysAreRefusedWithASuggestion() {
        List<String> e = errors(section(
                "      - name: review",
                "        gerritTriggerServer: upstream",
                "        hostkey: x"));
        assertEquals(1, e.size());
        assertTrue(e.get(0), e.get(0).startsWith("c.yaml:7: hostkey: unknown key") && e.get(0).contains("hostKey"));
    }

    /** JCasC fills in ${VAR} when it loads the file: a value that holds one is checked only for being there. */
    @Test
    public void valuesFromJcascVariablesAreLeftToJcasc() throws Exception {
        PipelineSettings s = CascConfig.parseSettings(section(
                "      - name: review",
                "        host: review.example.org",
                "        username: ${GERRIT_USER}",
                "        hostKey: ${GERRIT_HOST_KEY}",
                "        credentialsId: gerrit-ssh",
                "        restUrl: ${GERRIT_URL:-https://review.example.org/}",
                "        restCredentialsId: gerrit-http",
                "        gitUrl: ${GERRIT_GIT_URL}"), "c.yaml");
        assertEquals("${GERRIT_HOST_KEY}", s.servers().get(0).hostKey());
        // the text around a variable is still checked
        assertEquals(List.of("c.yaml:10: restUrl: expected an http:// or https:// URL, got `review.${DOMAIN}`"),
                errors(section(
                        "      - name: review",
                        "        host: review.example.org",
                        "        username: ci-bot",
                        "        hostKey: '" + KEY + "'",
                        "        credentialsId: gerrit-ssh",
                        "        restUrl: review.${DOMAIN}",
                        "        restCredentialsId: gerrit-http")));
    }

    @Test
    public void hostKeysInEveryUsualForm() {
        assertNull(LayoutValidator.hostKeyProblem(KEY));
        assertNull(LayoutValidator.hostKeyProblem("[review.example.org]:29418 " + KEY + " comment\n# other\n"
                + "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTY=\n"));
        assertEquals("no key in it", LayoutValidator.hostKeyProblem("# nothing\n\n"));
    }

    @Test
    public void settingsBuiltInCodeAreCheckedTheSameWay() {
        GerritServerConfig bad = new GerritServerConfig("review", null, 29418, null, null, null, null, null, null, null);
        try {
            LayoutValidator.validate(new PipelineSettings(List.of(bad), false,
                    LayoutParser.parse(LayoutParserTest.SEED).pipelines(), List.of(), List.of()), "global configuration");
            fail();
        } catch (ConfigException e) {
            assertEquals("global configuration: host: required: Gerrit's SSH host (or name a Gerrit Trigger server "
                    + "in gerritTriggerServer)", e.errors().get(0).toString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Zuul 2.5 reads only approvals under reject: the other conditions are refused in both forms, not
     * read and ignored (the JCasC form shares its record with require, so its rule says why).
     */
    @Test
    public void rejectTakesApprovalsOnlyInBothForms() {
        String casc = String.join("\n",
                "unclassified:",
                "  tollgateGerritPipeline:",
                "    pipelines:",
                "      - name: check",
                "        manager: IndependentPipelineManager",
                "        triggers:",
                "          - events: [patchset-created]",
                "        reject:",
                "          open: false",
                "          statuses: [MERGED]",
                "");
        assertEquals(List.of(
                "c.yaml:9: open: " + LayoutValidator.REJECT_APPROVALS_ONLY,
                "c.yaml:10: statuses: " + LayoutValidator.REJECT_APPROVALS_ONLY), errors(casc));
        String zuul = String.join("\n",
                "pipelines:",
                "  - name: check",
                "    manager: IndependentPipelineManager",
                "    trigger:",
                "      gerrit:",
                "        - event: patchset-created",
                "    reject:",
                "      current-patchset: true",
                "");
        try {
            LayoutParser.parse(zuul, "layout.yaml");
            fail();
        } catch (ConfigException e) {
            assertEquals("layout.yaml:8: current-patchset: unknown key in reject (expected one of: approval)",
                    e.errors().get(0).toString());
        }
    }
}
