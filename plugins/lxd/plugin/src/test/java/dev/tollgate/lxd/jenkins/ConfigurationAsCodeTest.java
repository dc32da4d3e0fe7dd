package dev.tollgate.lxd.jenkins;

import static dev.tollgate.testing.ExportedYaml.assertContains;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.tollgate.common.config.Schema;
import dev.tollgate.lxd.config.LxdCloudSpec;
import dev.tollgate.lxd.config.LxdConfigSpec;
import dev.tollgate.lxd.config.LxdDeviceSpec;
import dev.tollgate.lxd.config.LxdImageRemoteSpec;
import dev.tollgate.lxd.config.LxdTemplateSpec;
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
 * JCasC: the repository's {@code casc/lxd.yaml} (every LXD option) applies to the describables, every
 * value reaches the engine's record, the export writes what the file says, and the export applied
 * again gives the same clouds. The file's ${VARIABLES} are left unset here: JCasC makes them empty.
 */
public class ConfigurationAsCodeTest {
    @Rule
    public JenkinsConfiguredWithCodeRule r = new JenkinsConfiguredWithCodeRule();

    private static List<LxdCloud> clouds(JenkinsConfiguredWithCodeRule r) {
        return r.jenkins.clouds.getAll(LxdCloud.class);
    }

    @Test
    @ConfiguredWithCode("lxd.yaml")
    public void everyOptionOfTheExampleFileReachesTheEngine() throws Exception {
        assertEquals(2, clouds(r).size());
        LxdCloudSpec s = clouds(r).get(0).toRecord();
        assertEquals(List.of(), s.problems());
        assertEquals("lxd", s.name());
        assertEquals("/var/lib/lxd/unix.socket", s.socketPath());
        assertEquals(null, s.url());
        assertEquals("ci", s.project());
        assertEquals(Integer.valueOf(8), s.instanceCap());
        assertEquals("2", s.requestsPerSecond());
        assertEquals(20, s.requestBurst());
        assertEquals(30, s.requestTimeoutSeconds());
        assertEquals(300, s.operationTimeoutSeconds());
        assertEquals(300, s.reaperGraceSeconds());
        assertEquals(120, s.describeIntervalSeconds());
        assertEquals(300, s.reaperIntervalSeconds());
        assertEquals(120, s.capacityCooldownSeconds());
        assertEquals(1, s.throttleBackoffSeconds());
        assertEquals(5, s.terminateBackoffSeconds());
        assertEquals(300, s.maxBackoffSeconds());
        assertEquals(60, s.recordRetentionMinutes());
        LxdTemplateSpec t = s.templates().get(0);
        assertEquals("debian-12", t.name());
        assertEquals("lxd debian-12", t.labels());
        assertEquals("debian-12-ci", t.image());
        assertEquals("container", t.type());
        assertEquals(List.of("default", "ci"), t.profiles());
        assertEquals(List.of(new LxdConfigSpec("limits.cpu", "2"), new LxdConfigSpec("limits.memory", "4GiB"),
                new LxdConfigSpec("security.nesting", "true")), t.config());
        assertEquals(List.of(new LxdDeviceSpec("cache", "disk", List.of(new LxdConfigSpec("path", "/cache"),
                new LxdConfigSpec("source", "/srv/ci-cache"), new LxdConfigSpec("readonly", "true")))), t.devices());
        assertTrue(t.ephemeral());
        assertEquals(3, t.agentCommand().size());
        assertEquals("/bin/sh", t.agentCommand().get(0));
        assertTrue("JCasC leaves $NAME alone", t.agentCommand().get(2).contains("-secret \"$JENKINS_SECRET\""));
        assertEquals(1000, t.agentUser());
        assertEquals("/home/jenkins", t.agentCwd());
        assertEquals("/home/jenkins/agent", t.remoteFs());
        assertEquals(1, t.executors());
        assertEquals(Integer.valueOf(6), t.instanceCap());
        assertEquals(0, t.buildWaitTimeoutSeconds());
        assertEquals(600, t.missingTimeoutSeconds());
        assertEquals(0, t.maxUses());
        assertEquals("lxd/debian-12/{n}", t.namePattern());

        LxdCloudSpec remote = clouds(r).get(1).toRecord();
        assertEquals("lxd-remote", remote.name());
        assertEquals("lxd-client", remote.credentialsId());
        assertEquals(List.of(new LxdImageRemoteSpec("images", "https://images.linuxcontainers.org", "simplestreams")),
                remote.imageRemotes());
        LxdTemplateSpec vm = remote.templates().get(0);
        assertEquals("virtual-machine", vm.type());
        assertEquals("images", vm.imageRemote());
        assertEquals(false, vm.ephemeral());
        assertEquals(600, vm.buildWaitTimeoutSeconds());
        assertEquals(10, vm.maxUses());
        assertTrue(vm.cloudInitUserData().startsWith("#cloud-config\n"));
        assertTrue(vm.cloudInitUserData().contains("{{JENKINS_SECRET}}"));
    }

    @Test
    @ConfiguredWithCode("lxd.yaml")
    @SuppressWarnings("unchecked")
    public void theExportWritesTheFileAndAppliesAgainToTheSameClouds() throws Exception {
        List<LxdCloudSpec> before = clouds(r).stream().map(LxdCloud::toRecord).toList();
        ConfigurationContext context = new ConfigurationContext(ConfiguratorRegistry.get());
        String exported = Util.toYamlString(Util.getJenkinsRoot(context).get("clouds"));

        Map<String, Object> file;
        try (InputStream in = getClass().getResourceAsStream("lxd.yaml")) {
            file = new Yaml().load(in);
        }
        List<Map<String, Object>> written = (List<Map<String, Object>>) ((Map<String, Object>) file.get("jenkins")).get("clouds");
        List<Map<String, Object>> out = (List<Map<String, Object>>) new Yaml().load(exported);
        assertEquals(written.size(), out.size());
        for (int i = 0; i < written.size(); i++) {
            assertContains("tollgateLxd[" + i + "]", written.get(i).get("tollgateLxd"), out.get(i).get("tollgateLxd"),
                    ConfigurationAsCodeTest::schemaDefault);
        }

        Path again = Files.createTempFile("lxd-export", ".yaml");
        Files.writeString(again, "jenkins:\n  clouds:\n" + exported.indent(4));
        ConfigurationAsCode.get().configure(again.toString());
        assertEquals(before, clouds(r).stream().map(LxdCloud::toRecord).toList());
    }

    /** The key's default in the engine's records (the describables start with the same), or null. */
    private static String schemaDefault(String key) {
        for (Class<?> record : List.of(LxdCloudSpec.class, LxdTemplateSpec.class, LxdImageRemoteSpec.class)) {
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
