package dev.tollgate.gearman.jenkins;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.tollgate.gearman.config.GearmanServerConfig;
import dev.tollgate.gearman.config.GearmanSettings;
import dev.tollgate.gearman.jenkins.config.GearmanConfiguration;
import io.jenkins.plugins.casc.ConfigurationAsCode;
import io.jenkins.plugins.casc.ConfigurationContext;
import io.jenkins.plugins.casc.ConfiguratorRegistry;
import io.jenkins.plugins.casc.misc.ConfiguredWithCode;
import io.jenkins.plugins.casc.misc.JenkinsConfiguredWithCodeRule;
import io.jenkins.plugins.casc.misc.Util;
import io.jenkins.plugins.casc.model.CNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;

/**
 * JCasC applies the section into the describables with the engine's defaults (port 4730), exports
 * what it applied, and the repository's own files load: casc/gearman.yaml, and metaplugin-ci's
 * section, which is off.
 */
public class ConfigurationAsCodeTest {
    @Rule
    public JenkinsConfiguredWithCodeRule r = new JenkinsConfiguredWithCodeRule();

    private static final GearmanSettings EXPECTED = new GearmanSettings(true, List.of(
            new GearmanServerConfig("zuul.invalid", 4730), new GearmanServerConfig("zuul-standby.invalid", 4731)));

    @Test
    @ConfiguredWithCode("gearman.yaml")
    public void appliesTheSectionWithItsDefaults() {
        assertEquals(EXPECTED, GearmanConfiguration.get().toSettings());
        assertEquals(List.of(), GearmanConfiguration.get().toSettings().problems());
    }

    @Test
    @ConfiguredWithCode("gearman.yaml")
    public void exportsWhatItAppliedAndTheExportAppliesAgain() throws Exception {
        ConfigurationContext context = new ConfigurationContext(ConfiguratorRegistry.get());
        CNode section = Util.getUnclassifiedRoot(context).get(GearmanSettings.SYMBOL);
        String exported = "unclassified:\n  " + GearmanSettings.SYMBOL + ":\n"
                + Util.toYamlString(section).replaceAll("(?m)^", "    ");
        assertTrue(exported, exported.contains("zuul-standby.invalid"));
        GearmanConfiguration.get().setEnabled(false);
        GearmanConfiguration.get().setServers(List.of());
        Path file = Files.createTempFile("exported", ".yaml");
        Files.writeString(file, exported);
        ConfigurationAsCode.get().configure(file.toString());
        assertEquals(EXPECTED, GearmanConfiguration.get().toSettings());
    }

    @Test
    public void theRepositorysFilesLoad() throws Exception {
        ConfigurationAsCode.get().configure(Path.of("../../../casc/gearman.yaml").toString());
        GearmanSettings reference = GearmanConfiguration.get().toSettings();
        assertTrue(reference.enabled());
        assertEquals(2, reference.servers().size());
        assertEquals(List.of(), reference.problems());

        String metaplugin = Files.readString(Path.of("../../../casc/metaplugin-ci.yaml"));
        int at = metaplugin.indexOf("  tollgateGearman:");
        String section = metaplugin.substring(at, metaplugin.indexOf("\n\n", at));
        Path file = Files.createTempFile("metaplugin-gearman", ".yaml");
        Files.writeString(file, "unclassified:\n" + section + "\n");
        ConfigurationAsCode.get().configure(file.toString());
        assertEquals("metaplugin-ci keeps Gearman off", false, GearmanConfiguration.get().isEnabled());
    }
}
