package dev.tollgate.pipeline.jenkins;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.tollgate.pipeline.jenkins.config.GerritPipelineConfiguration;
import dev.tollgate.pipeline.layout.CascConfig;
import dev.tollgate.pipeline.layout.PipelineSettings;
import io.jenkins.plugins.casc.ConfigurationContext;
import io.jenkins.plugins.casc.ConfiguratorRegistry;
import io.jenkins.plugins.casc.misc.ConfiguredWithCode;
import io.jenkins.plugins.casc.misc.JenkinsConfiguredWithCodeRule;
import io.jenkins.plugins.casc.misc.Util;
import io.jenkins.plugins.casc.model.CNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;

/**
 * JCasC applies the suite's section into the describables exactly as the engine's validator reads
 * the same file, and exports what it applied.
 */
public class ConfigurationAsCodeTest {
    @Rule
    public JenkinsConfiguredWithCodeRule r = new JenkinsConfiguredWithCodeRule();

    @Test
    @ConfiguredWithCode("metaplugin-ci.yaml")
    public void appliesWhatTheValidatorReads() throws Exception {
        String yaml = new String(getClass().getResourceAsStream("metaplugin-ci.yaml").readAllBytes(),
                StandardCharsets.UTF_8);
        PipelineSettings expected = CascConfig.parseSettings(yaml, "metaplugin-ci.yaml");
        assertEquals(expected, GerritPipelineConfiguration.get().toSettings());
    }

    @Test
    @ConfiguredWithCode("metaplugin-ci.yaml")
    public void exportsTheSectionItApplied() throws Exception {
        ConfigurationContext context = new ConfigurationContext(ConfiguratorRegistry.get());
        CNode section = Util.getUnclassifiedRoot(context).get(CascConfig.SYMBOL);
        String exported = "unclassified:\n  " + CascConfig.SYMBOL + ":\n"
                + Util.toYamlString(section).replaceAll("(?m)^", "    ");
        PipelineSettings again = CascConfig.parseSettings(exported, "exported.yaml");
        assertEquals(GerritPipelineConfiguration.get().toSettings(), again);
        assertTrue(exported, exported.contains("metaplugin-recheck"));
    }

    @Test
    public void importZuulOutputLoadsUnchanged() throws Exception {
        Path layout = Path.of("../../../examples/metaplugin-ci/layout.yaml");
        String imported = CascConfig.toYaml(dev.tollgate.pipeline.layout.LayoutParser.parse(layout));
        Path file = Files.createTempFile("imported", ".yaml");
        Files.writeString(file, imported);
        io.jenkins.plugins.casc.ConfigurationAsCode.get().configure(file.toString());
        assertEquals(CascConfig.parse(imported, "imported.yaml"), GerritPipelineConfiguration.get().toSettings().layout());
    }
}
