package dev.tollgate.libvirt.jenkins;

import static dev.tollgate.testing.ExportedYaml.assertContains;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.tollgate.common.config.Schema;
import dev.tollgate.libvirt.config.LibvirtCloudSpec;
import dev.tollgate.libvirt.config.LibvirtTemplateSpec;
import io.jenkins.plugins.casc.ConfigurationAsCode;
import io.jenkins.plugins.casc.ConfigurationContext;
import io.jenkins.plugins.casc.ConfiguratorRegistry;
import io.jenkins.plugins.casc.misc.ConfiguredWithCode;
import io.jenkins.plugins.casc.misc.JenkinsConfiguredWithCodeRule;
import io.jenkins.plugins.casc.misc.Util;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * JCasC: the repository's {@code casc/libvirt.yaml} (every libvirt option) applies to the
 * describables, every value reaches the engine's record, the export writes what the file says, and
 * the export applied again gives the same cloud. The file's ${VARIABLES} are unset here and take their
 * defaults.
 */
public class ConfigurationAsCodeTest {
    @Rule
    public JenkinsConfiguredWithCodeRule r = new JenkinsConfiguredWithCodeRule();

    private static LibvirtCloud cloud(JenkinsConfiguredWithCodeRule r) {
        return r.jenkins.clouds.getAll(LibvirtCloud.class).get(0);
    }

    @Test
    @ConfiguredWithCode("libvirt.yaml")
    public void everyOptionOfTheExampleFileReachesTheEngine() throws Exception {
        LibvirtCloudSpec s = cloud(r).toRecord();
        assertEquals(List.of(), s.problems());
        assertEquals("kvm1", s.name());
        assertEquals("qemu+ssh://jenkins@kvm1.example.org/system?keyfile=/var/lib/jenkins/.ssh/id_kvm1", s.uri());
        assertEquals(120, s.shutdownTimeoutSeconds());
        assertEquals(Integer.valueOf(8), s.instanceCap());
        assertEquals("2", s.requestsPerSecond());
        assertEquals(20, s.requestBurst());
        assertEquals(300, s.reaperGraceSeconds());
        assertEquals(120, s.describeIntervalSeconds());
        assertEquals(300, s.reaperIntervalSeconds());
        assertEquals(120, s.capacityCooldownSeconds());
        assertEquals(1, s.throttleBackoffSeconds());
        assertEquals(5, s.terminateBackoffSeconds());
        assertEquals(300, s.maxBackoffSeconds());
        assertEquals(60, s.recordRetentionMinutes());
        assertEquals(2, s.templates().size());
        LibvirtTemplateSpec t = s.templates().get(0);
        assertEquals("debian-12", t.name());
        assertEquals("kvm debian-12", t.labels());
        assertEquals(2, t.executors());
        assertEquals(Integer.valueOf(6), t.instanceCap());
        assertEquals(0, t.buildWaitTimeoutSeconds());
        assertEquals(600, t.missingTimeoutSeconds());
        assertEquals(0, t.maxUses());
        assertEquals("kvm1/debian-12/{n}", t.namePattern());
        assertTrue(t.domainXml(), t.domainXml().contains("<name>{{name}}</name>"));
        assertEquals("/var/lib/libvirt/images/debian-12-agent.qcow2", t.baseImage());
        assertEquals("default", t.storagePool());
        assertEquals(Integer.valueOf(40), t.diskSizeGib());
        assertEquals(4096, t.memoryMib());
        assertEquals(2, t.vcpus());
        assertEquals("ci", t.network());
        assertEquals(false, t.persistent());
        assertEquals(true, t.smbiosAgentEnv());
        LibvirtTemplateSpec reused = s.templates().get(1);
        assertEquals(List.of("win10-a", "win10-b"), reused.existingDomains());
        assertEquals(null, reused.domainXml());
        assertEquals(false, reused.smbiosAgentEnv());
        assertEquals(-1, reused.buildWaitTimeoutSeconds());
    }

    @Test
    @ConfiguredWithCode("libvirt.yaml")
    @SuppressWarnings("unchecked")
    public void theExportWritesTheFileAndAppliesAgainToTheSameCloud() throws Exception {
        LibvirtCloudSpec before = cloud(r).toRecord();
        ConfigurationContext context = new ConfigurationContext(ConfiguratorRegistry.get());
        String exported = Util.toYamlString(Util.getJenkinsRoot(context).get("clouds"));

        Map<String, Object> file;
        try (InputStream in = getClass().getResourceAsStream("libvirt.yaml")) {
            file = new Yaml().load(in);
        }
        Map<String, Object> written = (Map<String, Object>) ((List<Map<String, Object>>)
                ((Map<String, Object>) file.get("jenkins")).get("clouds")).get(0).get(LibvirtCloudSpec.SYMBOL);
        Map<String, Object> out = (Map<String, Object>) ((List<Map<String, Object>>) new Yaml().load(exported))
                .get(0).get(LibvirtCloudSpec.SYMBOL);
        assertContains(LibvirtCloudSpec.SYMBOL, written, out, ConfigurationAsCodeTest::schemaDefault);

        Path again = Files.createTempFile("libvirt-export", ".yaml");
        Files.writeString(again, "jenkins:\n  clouds:\n" + exported.indent(4));
        ConfigurationAsCode.get().configure(again.toString());
        assertEquals(before, cloud(r).toRecord());
    }

    /** The key's default in the engine's records (the describables start with the same), or null. */
    private static String schemaDefault(String key) {
        for (Class<?> record : List.of(LibvirtCloudSpec.class, LibvirtTemplateSpec.class)) {
            for (RecordComponent c : record.getRecordComponents()) {
                Schema.Default d = c.getAnnotation(Schema.Default.class);
                if (c.getName().equals(key) && d != null) {
                    return d.value();
                }
            }
        }
        return null;
    }
}
