package dev.tollgate.it;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;

import dev.tollgate.gearman.jenkins.config.GearmanConfiguration;
import dev.tollgate.pipeline.jenkins.config.GerritPipelineConfiguration;
import io.jenkins.plugins.casc.ConfigurationAsCode;
import io.jenkins.plugins.casc.misc.JenkinsConfiguredWithCodeRule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javaposse.jobdsl.plugin.ExecuteDslScripts;
import hudson.model.FreeStyleProject;
import org.junit.Rule;
import org.junit.Test;

/** Every file in casc/ applies to a Jenkins with the suite's plugins, and every seed in job-dsl/ runs. */
public class SuiteConfigurationTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Rule
    public JenkinsConfiguredWithCodeRule r = new JenkinsConfiguredWithCodeRule();

    private static List<Path> files(String dir, String suffix) throws Exception {
        try (Stream<Path> s = Files.walk(ROOT.resolve(dir))) {
            return s.filter(p -> p.toString().endsWith(suffix)).sorted().collect(Collectors.toList());
        }
    }

    @Test
    public void everyCascFileApplies() throws Exception {
        List<Path> files = files("casc", ".yaml");
        assertFalse(files.isEmpty());
        for (Path file : files) {
            Path filled = Files.createTempFile("casc", ".yaml");
            Files.writeString(filled, withTestValues(Files.readString(file)));
            ConfigurationAsCode.get().configure(filled.toString());
            String text = Files.readString(file);
            if (text.contains("  tollgateGerritPipeline:")) {
                assertNotNull(file + " configured the pipelines", GerritPipelineConfiguration.get().toSettings());
            }
            if (text.contains("  tollgateGearman:")) {
                assertEquals(file + " configured Gearman", List.of(), GearmanConfiguration.get().toSettings().problems());
            }
            if (text.contains("- tollgateEc2Spot:")) {
                for (hudson.slaves.Cloud c : r.jenkins.clouds) {
                    if (c instanceof dev.tollgate.ec2.jenkins.Ec2SpotCloud ec2) {
                        assertEquals(file + " configured an EC2 cloud the engine takes", List.of(), ec2.toRecord().problems());
                    }
                }
                assertFalse(file + " configured an EC2 cloud", r.jenkins.clouds.getAll(
                        dev.tollgate.ec2.jenkins.Ec2SpotCloud.class).isEmpty());
            }
            if (text.contains("  tollgateNodeRecycle:")) {
                assertFalse(file + " configured node recycling",
                        dev.tollgate.recycle.jenkins.config.NodeRecycleConfiguration.get().getRules().isEmpty());
            }
        }
    }

    private static final java.util.regex.Pattern VARIABLE =
            java.util.regex.Pattern.compile("\\$\\{([A-Z0-9_]+)(?::-([^}]*))?\\}");

    /**
     * The files take secrets and hosts from ${VARIABLES} that the operator sets; here each gets its
     * default or a test value of the right form (JCasC would leave an unset one empty).
     */
    static String withTestValues(String yaml) {
        java.util.regex.Matcher m = VARIABLE.matcher(yaml);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String value = m.group(2) != null ? m.group(2)
                    : name.endsWith("HOST_KEY") ? "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHu1jKFzGxr0u7gUfy5JKbq9C6P0H3YWnKeyxyzabcde"
                    : name.startsWith("EC2_SUBNET") ? "subnet-0" + Integer.toHexString(name.hashCode() & 0xffffff)
                    : name.endsWith("SECURITY_GROUP") ? "sg-0123456789abcdef0"
                    : name.endsWith("IMAGE_OWNER") ? "123456789012"
                    : name.startsWith("LXD_") ? java.util.Map.of("LXD_URL", "https://lxd.example.org:8443", "LXD_SERVER_FINGERPRINT", "ab".repeat(32), "LXD_CLIENT_P12_BASE64", "dGVzdA==").getOrDefault(name, "test-" + name.toLowerCase(java.util.Locale.ROOT))
                    : "test-" + name.toLowerCase(java.util.Locale.ROOT);
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    @Test
    public void everySeedScriptRuns() throws Exception {
        for (Path script : files("job-dsl", ".groovy")) {
            FreeStyleProject seed = r.createFreeStyleProject();
            ExecuteDslScripts dsl = new ExecuteDslScripts();
            dsl.setScriptText(Files.readString(script));
            dsl.setSandbox(false);
            seed.getBuildersList().add(dsl);
            r.buildAndAssertSuccess(seed);
        }
        assertNotNull(r.jenkins.getItemByFullName("check-tempest-dsvm-metaplugin"));
    }
}
