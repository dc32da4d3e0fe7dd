package dev.tollgate.pipeline.layout;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.Test;

public class CascConfigTest {
    @Test
    public void seedLayoutRoundTrips() throws Exception {
        Layout zuul = LayoutParser.parse(LayoutParserTest.SEED);
        String yaml = CascConfig.toYaml(zuul);
        assertTrue(yaml, yaml.startsWith("unclassified:\n  tollgateGerritPipeline:\n    pipelines:\n"));
        assertTrue(yaml, yaml.contains("        success:\n          labels:\n            - name: Verified\n"
                + "              value: 1\n"));
        assertEquals(zuul, CascConfig.parse(yaml, "casc.yaml"));
    }

    @Test
    public void richLayoutRoundTrips() throws Exception {
        Layout zuul = LayoutParser.parse(LayoutParserTest.RICH, "rich.yaml");
        String yaml = CascConfig.toYaml(zuul);
        Layout casc = CascConfig.parse(yaml, "casc.yaml");
        assertEquals(zuul, casc);
        assertEquals(yaml, CascConfig.toYaml(casc));
    }

    @Test
    public void otherJcascSectionsAreLeftAlone() throws Exception {
        String yaml = "jenkins:\n  systemMessage: hi\nunclassified:\n  location:\n    url: https://ci/\n"
                + CascConfig.toYaml(LayoutParser.parse(LayoutParserTest.SEED)).substring("unclassified:\n".length());
        assertTrue(CascConfig.looksLikeCasc(yaml));
        assertEquals(1, CascConfig.parse(yaml, "c.yaml").pipelines().size());
        assertFalse(CascConfig.looksLikeCasc("pipelines: []\n"));
    }

    @Test
    public void reportsErrorsWithLines() {
        String yaml = String.join("\n",
                "unclassified:",
                "  tollgateGerritPipeline:",
                "    pipelines:",
                "      - name: check",
                "        manager: DependentPipelineManager",
                "        triggers:",
                "          - events: [patchset-created, comment-add]",
                "            comments: ['(a)\\1']",
                "        success:",
                "          labels:",
                "            - name: Verified",
                "              value: one",
                "    projects:",
                "      - name: a/b",
                "        pipelines:",
                "          - name: gate",
                "            jobs: [x]",
                "");
        try {
            CascConfig.parse(yaml, "c.yaml");
            fail();
        } catch (ConfigException e) {
            List<String> errors = e.errors().stream().map(ConfigError::toString).collect(Collectors.toList());
            assertEquals(List.of(
                    "c.yaml:5: manager: DependentPipelineManager is not supported yet (only IndependentPipelineManager: "
                            + "no gating queue)",
                    "c.yaml:7: events: unknown event type `comment-add`",
                    "c.yaml:8: comments: bad regex `(a)\\1`: backreferences (\\1) are not supported: patterns run in "
                            + "linear time (RE2 syntax)",
                    "c.yaml:12: value: expected an integer, got `one`",
                    "c.yaml:16: name: unknown pipeline `gate` (defined: check)"), errors);
        }
        try {
            CascConfig.parse(String.join("\n",
                    "unclassified:",
                    "  tollgateGerritPipeline:",
                    "    pipelines:",
                    "      - name: check",
                    "        manager: IndependentPipelineManager",
                    "        triggers:",
                    "          - events: [patchset-created]",
                    "            refs: ['^refs/heads/']",
                    "          - events: []",
                    "    jobs:",
                    "      - name: unit",
                    "      - name: ^.*$",
                    "        attempts: 2",
                    "      - name: unit",
                    "        skipIf:",
                    "          - {}",
                    "    projects: []",
                    ""), "c.yaml");
            fail();
        } catch (ConfigException e) {
            assertEquals(List.of(
                    "c.yaml:8: refs: the event `patchset-created` carries no ref, so this filter could never match it "
                            + "(Zuul 2.5 refuses it too): filter change events with `branches`",
                    "c.yaml:9: events: an empty list (Zuul 2.5 would take it as every event type): name the events",
                    "c.yaml:13: attempts: only a job's own entry sets attempts (Zuul 2.5 ignores it on a regex entry)",
                    "c.yaml:16: skipIf: a condition without project, branch or all-files-match-any matches every "
                            + "change, so the job would never run (Zuul 2.5 skips it always)",
                    "c.yaml:14: name: duplicate job `unit` (first on line 11): Zuul 2.5 refuses it too"),
                    e.errors().stream().map(ConfigError::toString).collect(Collectors.toList()));
        }
        try {
            CascConfig.parse("unclassified:\n  location: {url: x}\n", "c.yaml");
            fail();
        } catch (ConfigException e) {
            assertEquals("c.yaml:1: unclassified: no `tollgateGerritPipeline` section", e.errors().get(0).toString());
        }
    }
}
