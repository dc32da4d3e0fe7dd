package dev.tollgate.pipeline.layout;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
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

    @Test
    public void bothFormsFollowTheSameRules() {
        // a job name is one word and an age has a unit the engine knows, in either form
        String casc = String.join("\n",
                "unclassified:",
                "  tollgateGerritPipeline:",
                "    pipelines:",
                "      - name: check",
                "        manager: IndependentPipelineManager",
                "        triggers:",
                "          - events: [comment-added]",
                "        require:",
                "          approvals:",
                "            - newerThan: 2 days",
                "    projects:",
                "      - name: a/b",
                "        pipelines:",
                "          - name: check",
                "            jobs: [unit tests]",
                "");
        String zuul = String.join("\n",
                "pipelines:",
                "  - name: check",
                "    manager: IndependentPipelineManager",
                "    trigger: {gerrit: [{event: comment-added}]}",
                "    require:",
                "      approval:",
                "        - newer-than: 2 days",
                "projects:",
                "  - name: a/b",
                "    check: [unit tests]",
                "");
        assertEquals(List.of(
                "c.yaml:10: newerThan: expected an age such as 30m, 48h, 2d or 1w, got `2 days`",
                "c.yaml:15: jobs: job name `unit tests` has spaces (Zuul 2.5 refuses it too)"), errors(casc, "c.yaml"));
        assertEquals(List.of(
                "l.yaml:7: newer-than: expected an age such as 30m, 48h, 2d or 1w, got `2 days`",
                "l.yaml:10: check: job name `unit tests` has spaces (Zuul 2.5 refuses it too)"),
                LayoutParserTest.errors(zuul));
    }

    static List<String> errors(String casc, String file) {
        try {
            CascConfig.parse(casc, file);
            fail("accepted");
            return null;
        } catch (ConfigException e) {
            return e.errors().stream().map(ConfigError::toString).collect(Collectors.toList());
        }
    }

    /** What {@code tollgate import-zuul} printed before the form was derived from the records. */
    static final Path IMPORTED = Path.of("src/test/resources/casc-import");
    static final Path CORPUS = Path.of("src/test/resources/zuul-fidelity");

    @Test
    public void importOutputWrittenBeforeStillLoadsUnchanged() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(IMPORTED)) {
            files = s.sorted().toList();
        }
        assertTrue(files.size() > 10);
        for (Path f : files) {
            String name = f.getFileName().toString().replaceAll("\\.yaml$", "");
            Layout zuul = switch (name) {
                case "metaplugin-ci" -> LayoutParser.parse(LayoutParserTest.SEED);
                case "rich" -> LayoutParser.parse(LayoutParserTest.RICH, "rich.yaml");
                default -> LayoutParser.parse(CORPUS.resolve(name).resolve("layout.yaml"));
            };
            // fragments written before the merger dropped merge-mode (it had no effect then)
            Layout expected = Files.readString(f).contains("mergeMode") ? zuul : withDefaultMergeModes(zuul);
            assertEquals(name, expected, CascConfig.parse(f));
            assertEquals(name, zuul, CascConfig.parse(CascConfig.toYaml(zuul), "casc.yaml"));
        }
    }

    private static Layout withDefaultMergeModes(Layout l) {
        List<ProjectConfig> projects = new java.util.ArrayList<>();
        for (ProjectConfig p : l.projects()) {
            projects.add(new ProjectConfig(p.name(), p.pipelines()));
        }
        return new Layout(l.pipelines(), l.jobs(), projects);
    }

    @Test
    public void keysAtTheirDefaultAreLeftOutAndReadBackAsTheDefault() throws Exception {
        String yaml = CascConfig.toYaml(LayoutParser.parse(LayoutParserTest.RICH, "rich.yaml"));
        assertTrue(yaml, yaml.contains("        start: {}\n"));
        assertFalse(yaml, yaml.contains("ignoreDeletes"));
        assertFalse(yaml, yaml.contains("startMessage"));
        assertTrue(yaml, yaml.contains("        dequeueOnNewPatchset: false\n"));
        Layout minimal = CascConfig.parse(String.join("\n",
                "unclassified:",
                "  tollgateGerritPipeline:",
                "    pipelines:",
                "      - name: check",
                "        manager: IndependentPipelineManager",
                "        triggers:",
                "          - events: [patchset-created]",
                "        start: {}",
                ""), "c.yaml");
        PipelineConfig p = minimal.pipelines().get(0);
        assertEquals(new ReporterConfig(List.of()), p.start());
        assertEquals(PipelineConfig.DEFAULT_SUCCESS_MESSAGE, p.successMessage());
        assertEquals("", p.footerMessage());
        assertTrue(p.dequeueOnNewPatchset());
        assertTrue(p.triggers().get(0).ignoreDeletes());
    }

    /**
     * The configuration reference shows every key of the form, and its example is a valid
     * configuration: the records are the schema, the page describes them.
     */
    @Test
    public void theReferenceExampleLoadsAndShowsEveryKeyOfTheRecords() throws Exception {
        String page = Files.readString(Path.of("../../../docs/configuration.md"));
        Matcher m = Pattern.compile("```yaml\n(.*?)```", Pattern.DOTALL).matcher(page);
        assertTrue("docs/configuration.md has a yaml example", m.find());
        String example = m.group(1);
        Layout layout = CascConfig.parse(example, "docs/configuration.md");
        assertEquals(1, layout.pipelines().size());
        Set<String> keys = new TreeSet<>();
        keysOf(Layout.class, keys, new HashSet<>());
        for (String key : keys) {
            assertTrue("the example shows `" + key + "`", Pattern.compile("(?m)^\\s*(- )?" + key + ":").matcher(example).find());
        }
    }

    private static void keysOf(Class<?> record, Set<String> keys, Set<Class<?>> seen) {
        if (!seen.add(record)) {
            return;
        }
        for (RecordComponent c : record.getRecordComponents()) {
            keys.add(c.getName());
            Class<?> t = c.getType() == List.class
                    ? (Class<?>) ((ParameterizedType) c.getGenericType()).getActualTypeArguments()[0] : c.getType();
            if (t.isRecord()) {
                keysOf(t, keys, seen);
            }
        }
    }
}

