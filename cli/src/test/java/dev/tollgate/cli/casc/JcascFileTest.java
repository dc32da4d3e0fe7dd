package dev.tollgate.cli.casc;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.tollgate.cli.casc.SuiteSection.Place;
import dev.tollgate.pipeline.layout.ConfigError;
import dev.tollgate.pipeline.layout.ConfigException;
import java.util.ArrayList;
import java.util.List;
import org.junit.Test;

/** The registry: a section is added by registering one reader, wherever it sits. */
public class JcascFileTest {
    /** A cloud section as a cloud driver would register it: counts its entries, refuses `bad: true`. */
    static final SuiteSection CLOUD = new SuiteSection(Place.CLOUD, "tollgateTestCloud", (text, file) -> {
        int n = text.split("tollgateTestCloud:", -1).length - 1;
        if (text.contains("bad: true")) {
            throw new ConfigException(List.of(new ConfigError(file, 42, "bad", "refused by the cloud's reader")));
        }
        return n + " cloud(s)";
    });

    static final List<SuiteSection> WITH_CLOUD = List.of(SuiteSections.ALL.get(0), CLOUD);

    static final String PIPELINE = String.join("\n",
            "unclassified:",
            "  tollgateGerritPipeline:",
            "    pipelines:",
            "      - name: check",
            "        manager: IndependentPipelineManager",
            "        triggers:",
            "          - events: [patchset-created]",
            "");

    static List<String> problems(String text, List<SuiteSection> sections) {
        try {
            JcascFile.check(text, "c.yaml", sections);
            return List.of();
        } catch (ConfigException e) {
            return e.errors().stream().map(ConfigError::toString).toList();
        }
    }

    @Test
    public void aRegisteredCloudIsReadWhereJcascHasClouds() throws Exception {
        String text = "jenkins:\n  clouds:\n    - tollgateTestCloud:\n        name: a\n    - amazonEC2: {}\n"
                + "    - tollgateTestCloud:\n        name: b\n" + PIPELINE;
        assertEquals(List.of(
                "valid JCasC configuration (unclassified.tollgateGerritPipeline): 1 pipeline(s), 0 project(s), "
                        + "0 job definition(s), 0 project job(s)",
                "valid JCasC configuration (jenkins.clouds.tollgateTestCloud): 2 cloud(s)"),
                JcascFile.check(text, "c.yaml", WITH_CLOUD));
        assertEquals(List.of("c.yaml:42: bad: refused by the cloud's reader"),
                problems(text.replace("name: b", "bad: true"), WITH_CLOUD));
    }

    @Test
    public void misspeltAndMisplacedCloudsAreErrors() {
        assertEquals(List.of("c.yaml:3: tollgateTestClod: unknown section of the suite (did you mean `tollgateTestCloud`?)"),
                problems("jenkins:\n  clouds:\n    - tollgateTestClod: {}\n" + PIPELINE, WITH_CLOUD));
        assertEquals(List.of("c.yaml:8: tollgateTestCloud: a section of the suite that belongs under jenkins.clouds:"),
                problems(PIPELINE + "  tollgateTestCloud: {}\n", WITH_CLOUD));
        assertEquals(List.of("c.yaml:8: tollgateTestCloudy: unknown section of the suite (did you mean "
                        + "`tollgateTestCloud` under jenkins.clouds:?)"),
                problems(PIPELINE + "  tollgateTestCloudy: {}\n", WITH_CLOUD));
        // without a cloud of the suite registered, a tollgate* cloud is unknown all the same
        assertEquals(List.of("c.yaml:3: tollgateLxd: unknown section of the suite (it has none under "
                        + "jenkins.clouds: yet)"),
                problems("jenkins:\n  clouds:\n    - tollgateLxd: {}\n" + PIPELINE, List.of(SuiteSections.ALL.get(0))));
        // the suite's own clouds are named to the writer of an unknown one
        assertEquals(List.of("c.yaml:3: tollgateNoSuchCloud: unknown section of the suite (its sections under "
                        + "jenkins.clouds: " + SuiteSections.ALL.stream().filter(x -> x.place() == SuiteSection.Place.CLOUD).map(SuiteSection::symbol).collect(java.util.stream.Collectors.joining(", ")) + ")"),
                problems("jenkins:\n  clouds:\n    - tollgateNoSuchCloud: {}\n" + PIPELINE, SuiteSections.ALL));
        assertEquals(List.of("c.yaml:2: clouds: expected a list, got a mapping"),
                problems("jenkins:\n  clouds: {}\n" + PIPELINE, WITH_CLOUD));
    }

    @Test
    public void aRootThatIsNotAMappingIsOneError() {
        assertEquals(List.of("c.yaml:1: expected the JCasC sections (jenkins:, credentials:, unclassified:, ...) at the "
                + "top of the file, got a list"), problems("- jenkins: {}\n- unclassified: {}\n", SuiteSections.ALL));
        assertEquals(List.of("c.yaml:1: the file is empty"), problems("# nothing\n", SuiteSections.ALL));
    }

    @Test
    public void suspiciousRootKeys() {
        assertEquals(List.of("c.yaml:1: tollgate: unknown section of the suite (the suite's sections belong under "
                + "unclassified: or jenkins.clouds:)"), problems("tollgate: {}\n" + PIPELINE, SuiteSections.ALL));
        assertEquals(List.of("c.yaml:1: jenkin: unknown JCasC root key (did you mean `jenkins`?)"),
                problems("jenkin: {}\n" + PIPELINE, SuiteSections.ALL));
        assertEquals(List.of("c.yaml:2: job: unknown JCasC root key (did you mean `jobs`?)"),
                problems("myPluginRoot: {}\njob: {}\n" + PIPELINE, SuiteSections.ALL));
    }

    @Test
    public void onlyJcascRootsMakeAJcascFile() {
        assertTrue(JcascFile.looksLikeJcasc("jenkins:\n  numExecutors: 0\n"));
        assertTrue(JcascFile.looksLikeJcasc("# c\ncredentials: {}\n"));
        assertTrue(JcascFile.looksLikeJcasc(PIPELINE));
        assertFalse("a Zuul layout has jobs: too", JcascFile.looksLikeJcasc("pipelines: []\njobs: []\n"));
        assertFalse(JcascFile.looksLikeJcasc("  jenkins: {}\n"));
    }

    @Test
    public void distances() {
        assertEquals(0, JcascFile.distance("abc", "abc"));
        assertEquals(1, JcascFile.distance("tollgategerritpipline", "tollgategerritpipeline"));
        assertEquals("tollgateGerritPipeline", JcascFile.nearest("TOLLGATEGERRITPIPELIN", List.of("tollgateGerritPipeline"), 3));
        assertEquals(null, JcascFile.nearest("location", List.of("tollgateGerritPipeline"), 3));
        List<String> longKey = new ArrayList<>(List.of("x".repeat(100_000)));
        assertEquals(null, JcascFile.nearest(longKey.get(0), List.of("jenkins"), 2)); // quick, and far
    }
}
