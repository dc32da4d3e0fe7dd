package dev.tollgate.recycle.jenkins;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.tollgate.pipeline.layout.CascSection;
import dev.tollgate.recycle.RecycleMode;
import dev.tollgate.recycle.config.RecycleConfig;
import dev.tollgate.recycle.config.RecycleSettings;
import dev.tollgate.recycle.jenkins.config.NodeRecycleConfiguration;
import io.jenkins.plugins.casc.ConfigurationAsCode;
import io.jenkins.plugins.casc.ConfigurationContext;
import io.jenkins.plugins.casc.ConfiguratorRegistry;
import io.jenkins.plugins.casc.misc.ConfiguredWithCode;
import io.jenkins.plugins.casc.misc.JenkinsConfiguredWithCodeRule;
import io.jenkins.plugins.casc.misc.Util;
import io.jenkins.plugins.casc.model.CNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.Rule;
import org.junit.Test;

/**
 * JCasC applies the section into the describables exactly as {@code tollgate validate} reads the
 * same file, the running recycler takes its rules, and JCasC exports what it applied.
 */
public class ConfigurationAsCodeTest {
    @Rule
    public JenkinsConfiguredWithCodeRule r = new JenkinsConfiguredWithCodeRule();

    private static RecycleSettings validated(String yaml, String file) throws Exception {
        return CascSection.read(yaml, file, RecycleConfig.SYMBOL, RecycleSettings.class,
                (section, problems) -> RecycleConfig.check(section, problems::add));
    }

    @Test
    public void theReferenceFileAppliesAsTheValidatorReadsIt() throws Exception {
        Path file = Path.of("../../../casc/node-recycle.yaml");
        ConfigurationAsCode.get().configure(file.toString());
        RecycleSettings expected = validated(Files.readString(file), file.toString());
        assertEquals(expected, NodeRecycleConfiguration.get().toSettings());
        assertEquals(4, expected.rules().size());
        assertEquals(RecycleMode.OFFLINE, RecycleConfig.rules(expected).resolve("g1", Set.of("g1", "gpu")).mode());
    }

    @Test
    @ConfiguredWithCode("metaplugin-ci-recycle.yaml")
    public void exportsTheSectionItApplied() throws Exception {
        ConfigurationContext context = new ConfigurationContext(ConfiguratorRegistry.get());
        CNode section = Util.getUnclassifiedRoot(context).get(RecycleConfig.SYMBOL);
        String exported = "unclassified:\n  " + RecycleConfig.SYMBOL + ":\n"
                + Util.toYamlString(section).replaceAll("(?m)^", "    ");
        assertEquals(NodeRecycleConfiguration.get().toSettings(), validated(exported, "exported.yaml"));
        assertTrue(exported, exported.contains("sudo shutdown -r +1"));
        assertTrue("a default is not exported: " + exported, !exported.contains("reconnectTimeoutMinutes"));
    }
}
