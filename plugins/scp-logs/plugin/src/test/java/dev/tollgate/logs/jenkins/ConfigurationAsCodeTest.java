package dev.tollgate.logs.jenkins;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.tollgate.logs.config.ScpLogsSettings;
import dev.tollgate.logs.jenkins.config.ScpLogsConfiguration;
import dev.tollgate.pipeline.layout.CascSection;
import io.jenkins.plugins.casc.ConfigurationAsCode;
import io.jenkins.plugins.casc.ConfigurationContext;
import io.jenkins.plugins.casc.ConfiguratorRegistry;
import io.jenkins.plugins.casc.misc.JenkinsConfiguredWithCodeRule;
import io.jenkins.plugins.casc.misc.Util;
import io.jenkins.plugins.casc.model.CNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;

/**
 * JCasC applies casc/scp-logs.yaml into the describables exactly as {@code tollgate validate} reads the
 * same file (the suite's section reader on the engine's records), and exports what it applied.
 */
public class ConfigurationAsCodeTest {
    @Rule
    public JenkinsConfiguredWithCodeRule r = new JenkinsConfiguredWithCodeRule();

    /** casc/scp-logs.yaml with its ${VARIABLES} given test values of the right form. */
    static String referenceFile() throws Exception {
        return Files.readString(Path.of("../../../casc/scp-logs.yaml"))
                .replace("${LOG_SERVER_HOST_KEY}", ScpLogsConfigurationTest.KEY)
                .replace("${LOG_SERVER_SSH_PRIVATE_KEY}", "not-a-real-key")
                .replace("${ARCHIVE_SSH_PASSWORD}", "not-a-real-password");
    }

    private static ScpLogsSettings read(String yaml, String file) throws Exception {
        return CascSection.read(yaml, file, ScpLogsSettings.SYMBOL, ScpLogsSettings.class, CascSection.Rules.none());
    }

    @Test
    public void appliesWhatTheValidatorReads() throws Exception {
        String yaml = referenceFile();
        Path file = Files.createTempFile("scp-logs", ".yaml");
        Files.writeString(file, yaml);
        ConfigurationAsCode.get().configure(file.toString());
        ScpLogsSettings applied = ScpLogsConfiguration.get().toSettings();
        assertEquals(read(yaml, "scp-logs.yaml"), applied);
        assertEquals(2, applied.hosts().size());
        assertEquals(22, applied.hosts().get(1).port());
    }

    @Test
    public void exportsTheSectionItApplied() throws Exception {
        Path file = Files.createTempFile("scp-logs", ".yaml");
        Files.writeString(file, referenceFile());
        ConfigurationAsCode.get().configure(file.toString());
        ConfigurationContext context = new ConfigurationContext(ConfiguratorRegistry.get());
        CNode section = Util.getUnclassifiedRoot(context).get(ScpLogsSettings.SYMBOL);
        String exported = "unclassified:\n  " + ScpLogsSettings.SYMBOL + ":\n"
                + Util.toYamlString(section).replaceAll("(?m)^", "    ");
        assertEquals(ScpLogsConfiguration.get().toSettings(), read(exported, "exported.yaml"));
        assertTrue(exported, exported.contains("/var/www/html/metaplugin-ci"));
    }
}
