package dev.tollgate.openstack.jenkins;

import static dev.tollgate.testing.ExportedYaml.assertContains;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.tollgate.common.config.Schema;
import dev.tollgate.openstack.config.OpenStackCloudSpec;
import dev.tollgate.openstack.config.OpenStackImageSpec;
import dev.tollgate.openstack.config.OpenStackPropertySpec;
import dev.tollgate.openstack.config.OpenStackTemplateSpec;
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
 * JCasC: the repository's {@code casc/openstack.yaml} (every OpenStack option) applies to the
 * describables, every value reaches the engine's record, the export writes what the file says, and
 * the export applied again gives the same clouds. The file's ${VARIABLES} (the credentials' values)
 * are left unset here: JCasC makes them empty.
 */
public class ConfigurationAsCodeTest {
    @Rule
    public JenkinsConfiguredWithCodeRule r = new JenkinsConfiguredWithCodeRule();

    private static List<OpenStackCloud> clouds(JenkinsConfiguredWithCodeRule r) {
        return r.jenkins.clouds.getAll(OpenStackCloud.class);
    }

    @Test
    @ConfiguredWithCode("openstack.yaml")
    public void everyOptionOfTheExampleFileReachesTheEngine() throws Exception {
        assertEquals(2, clouds(r).size());
        OpenStackCloudSpec s = clouds(r).get(0).toRecord();
        assertEquals(List.of(), s.problems());
        assertEquals("openstack", s.name());
        assertEquals("https://keystone.example.org:5000/v3", s.authUrl());
        assertEquals("password", s.authentication());
        assertEquals("openstack-ci", s.credentialsId());
        assertEquals("Default", s.userDomain());
        assertEquals("ci", s.project());
        assertEquals("Default", s.projectDomain());
        assertEquals("RegionOne", s.region());
        assertEquals("public", s.endpointInterface());
        assertEquals(Integer.valueOf(20), s.instanceCap());
        assertEquals(4, s.maxConcurrentBoots());
        assertEquals("0.5", s.requestsPerSecond());
        assertEquals(4, s.requestBurst());
        assertEquals(10, s.connectTimeoutSeconds());
        assertEquals(60, s.readTimeoutSeconds());
        assertEquals(300, s.lookupCacheSeconds());
        assertEquals(300, s.reaperGraceSeconds());
        assertEquals(120, s.describeIntervalSeconds());
        assertEquals(300, s.reaperIntervalSeconds());
        assertEquals(120, s.capacityCooldownSeconds());
        assertEquals(1, s.throttleBackoffSeconds());
        assertEquals(5, s.terminateBackoffSeconds());
        assertEquals(300, s.maxBackoffSeconds());
        assertEquals(60, s.recordRetentionMinutes());
        OpenStackTemplateSpec t = s.templates().get(0);
        assertEquals("debian-12", t.name());
        assertEquals("openstack debian-12", t.labels());
        assertEquals("m1.large", t.flavor());
        assertEquals(new OpenStackImageSpec(null, null, "^debian-12-", List.of(new OpenStackPropertySpec("os_distro", "debian"),
                new OpenStackPropertySpec("tollgate_role", "agent")), "NEWEST"), t.image());
        assertEquals(List.of("ci-agents"), t.networks());
        assertEquals(List.of("default", "ci-agent"), t.securityGroups());
        assertEquals("ci", t.keyPair());
        assertEquals("nova", t.availabilityZone());
        assertEquals(false, t.configDrive());
        assertEquals("public", t.floatingIpPool());
        assertEquals(List.of(new OpenStackPropertySpec("purpose", "ci-agent")), t.metadata());
        assertTrue(t.userData().startsWith("#!/bin/sh\n"));
        assertTrue("JCasC leaves {{...}} alone", t.userData().contains("-secret {{JENKINS_SECRET}}"));
        assertEquals("/home/jenkins/agent", t.remoteFs());
        assertEquals(1, t.executors());
        assertEquals(Integer.valueOf(10), t.instanceCap());
        assertEquals(0, t.buildWaitTimeoutSeconds());
        assertEquals(1200, t.missingTimeoutSeconds());
        assertEquals(0, t.maxUses());
        assertEquals("os/debian-12/{n}", t.namePattern());
        assertNull(t.bootVolumeSizeGb());

        OpenStackCloudSpec app = clouds(r).get(1).toRecord();
        assertEquals(List.of(), app.problems());
        assertEquals("applicationCredential", app.authentication());
        assertEquals("openstack-app", app.credentialsId());
        assertNull(app.project());
        OpenStackTemplateSpec volume = app.templates().get(0);
        assertEquals(new OpenStackImageSpec(null, "fedora-40-ci", null, List.of(), null), volume.image());
        assertEquals(Integer.valueOf(80), volume.bootVolumeSizeGb());
        assertEquals(900, volume.buildWaitTimeoutSeconds());
        assertTrue(volume.userData().startsWith("#cloud-config\n"));
    }

    @Test
    @ConfiguredWithCode("openstack.yaml")
    @SuppressWarnings("unchecked")
    public void theExportWritesTheFileAndAppliesAgainToTheSameClouds() throws Exception {
        List<OpenStackCloudSpec> before = clouds(r).stream().map(OpenStackCloud::toRecord).toList();
        ConfigurationContext context = new ConfigurationContext(ConfiguratorRegistry.get());
        String exported = Util.toYamlString(Util.getJenkinsRoot(context).get("clouds"));

        Map<String, Object> file;
        try (InputStream in = getClass().getResourceAsStream("openstack.yaml")) {
            file = new Yaml().load(in);
        }
        List<Map<String, Object>> written = (List<Map<String, Object>>) ((Map<String, Object>) file.get("jenkins")).get("clouds");
        List<Map<String, Object>> out = (List<Map<String, Object>>) new Yaml().load(exported);
        assertEquals(written.size(), out.size());
        for (int i = 0; i < written.size(); i++) {
            assertContains("tollgateOpenStack[" + i + "]", written.get(i).get("tollgateOpenStack"),
                    out.get(i).get("tollgateOpenStack"), ConfigurationAsCodeTest::schemaDefault);
        }

        Path again = Files.createTempFile("openstack-export", ".yaml");
        Files.writeString(again, "jenkins:\n  clouds:\n" + exported.indent(4));
        ConfigurationAsCode.get().configure(again.toString());
        assertEquals(before, clouds(r).stream().map(OpenStackCloud::toRecord).toList());
    }

    /** The key's default in the engine's records (the describables start with the same), or null. */
    private static String schemaDefault(String key) {
        for (Class<?> record : List.of(OpenStackCloudSpec.class, OpenStackTemplateSpec.class, OpenStackImageSpec.class)) {
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
