package dev.tollgate.ec2.jenkins;

import static dev.tollgate.testing.ExportedYaml.assertContains;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.tollgate.ec2.config.Ec2CloudSpec;
import dev.tollgate.ec2.config.Ec2TemplateSpec;
import io.jenkins.plugins.casc.ConfigurationAsCode;
import io.jenkins.plugins.casc.ConfigurationContext;
import io.jenkins.plugins.casc.ConfiguratorRegistry;
import io.jenkins.plugins.casc.misc.ConfiguredWithCode;
import io.jenkins.plugins.casc.misc.JenkinsConfiguredWithCodeRule;
import io.jenkins.plugins.casc.misc.Util;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * JCasC: the repository's {@code casc/ec2-spot.yaml} (every EC2 option) applies to the describables,
 * every value reaches the engine's record, the export writes what the file says, and the export
 * applied again gives the same cloud. The file's ${VARIABLES} are left unset here: JCasC makes them
 * empty, and the lists they fill are empty.
 */
public class ConfigurationAsCodeTest {
    @Rule
    public JenkinsConfiguredWithCodeRule r = new JenkinsConfiguredWithCodeRule();

    private static Ec2SpotCloud cloud(JenkinsConfiguredWithCodeRule r) {
        return r.jenkins.clouds.getAll(Ec2SpotCloud.class).get(0);
    }

    @Test
    @ConfiguredWithCode("ec2-spot.yaml")
    public void everyOptionOfTheExampleFileReachesTheEngine() throws Exception {
        Ec2CloudSpec s = cloud(r).toRecord();
        assertEquals("aws", s.name());
        assertEquals("us-west-2", s.region());
        assertEquals("aws-ci", s.credentialsId());
        assertEquals("https://ec2.us-west-2.amazonaws.com", s.endpoint());
        assertEquals(Integer.valueOf(20), s.instanceCap());
        assertEquals("2", s.requestsPerSecond());
        assertEquals(20, s.requestBurst());
        assertEquals(300, s.reaperGraceSeconds());
        assertEquals(120, s.describeIntervalSeconds());
        assertEquals(300, s.reaperIntervalSeconds());
        assertEquals(60, s.interruptionCheckSeconds());
        assertEquals(120, s.agentReportWindowSeconds());
        assertEquals(120, s.capacityCooldownSeconds());
        assertEquals(1, s.throttleBackoffSeconds());
        assertEquals(5, s.terminateBackoffSeconds());
        assertEquals(300, s.maxBackoffSeconds());
        assertEquals(60, s.recordRetentionMinutes());
        assertEquals(600, s.priceCacheSeconds());
        assertEquals(300, s.imageCacheSeconds());
        assertEquals(false, s.usePublicAddress());
        assertEquals(24, s.costRetentionHours());
        assertEquals(2, s.templates().size());
        Ec2TemplateSpec t = s.templates().get(0);
        assertEquals("fedora-20", t.name());
        assertEquals("aws fedora-20", t.labels());
        assertEquals("m5.large", t.instanceType());
        assertEquals(1, t.executors());
        assertEquals(Integer.valueOf(10), t.instanceCap());
        assertEquals(600, t.buildWaitTimeoutSeconds());
        assertEquals(1200, t.missingTimeoutSeconds());
        assertEquals(0, t.maxUses());
        assertEquals("aws/fedora-20/{n}", t.namePattern());
        assertEquals("ami-0123456789abcdef0", t.image().imageId());
        assertEquals("buildslave-fedora-20/(\\d+)", t.image().regex());
        assertEquals("LOCATION", t.image().matchOn());
        assertEquals("production", t.image().tagFilters().get(0).key());
        assertEquals("true", t.image().tagFilters().get(0).value());
        assertEquals("LOCATION", t.image().order());
        assertEquals("1.2", t.spot().priceMultiplier());
        assertEquals("0.10", t.spot().maxSpotPrice());
        assertEquals("0.05", t.spot().defaultPrice());
        assertEquals("Linux/UNIX", t.spot().productDescription());
        assertEquals(true, t.spot().fallbackToOnDemand());
        assertEquals("latent_buildbot_slave", t.keyName());
        assertEquals("arn:aws:iam::123456789012:instance-profile/ci-agent", t.iamInstanceProfile());
        assertTrue(t.userData().startsWith("#cloud-config\n"));
        assertTrue(t.userData().contains("{{JENKINS_SECRET}}"));
        assertEquals(40, t.blockDevices().get(0).sizeGiB());
        assertEquals(Integer.valueOf(3000), t.blockDevices().get(0).iops());
        assertEquals(true, t.blockDevices().get(0).encrypted());
        assertEquals("team", t.tags().get(0).key());
        assertEquals("0.096", t.onDemandHourlyPrice());
        Ec2TemplateSpec cache = s.templates().get(1);
        assertEquals(-1, cache.buildWaitTimeoutSeconds());
        assertEquals("{cloud}/fedora-20/cache/{n}", cache.namePattern());
        assertEquals("vol-0123456789abcdef0", cache.attachVolumes().get(0).volumeId());
        assertEquals("/dev/sdf", cache.attachVolumes().get(0).device());
        assertEquals("eipalloc-0123456789abcdef0", cache.elasticIpAllocationId());
        assertEquals(null, cache.spot());
    }

    @Test
    @ConfiguredWithCode("ec2-spot.yaml")
    @SuppressWarnings("unchecked")
    public void theExportWritesTheFileAndAppliesAgainToTheSameCloud() throws Exception {
        Ec2CloudSpec before = cloud(r).toRecord();
        ConfigurationContext context = new ConfigurationContext(ConfiguratorRegistry.get());
        String exported = Util.toYamlString(Util.getJenkinsRoot(context).get("clouds"));

        // every key the file gives (bar its ${VARIABLES}) is exported with the file's value
        Map<String, Object> file;
        try (InputStream in = getClass().getResourceAsStream("ec2-spot.yaml")) {
            file = new Yaml().load(in);
        }
        Map<String, Object> written = (Map<String, Object>) ((List<Map<String, Object>>)
                ((Map<String, Object>) file.get("jenkins")).get("clouds")).get(0).get("tollgateEc2Spot");
        Map<String, Object> out = (Map<String, Object>) ((List<Map<String, Object>>) new Yaml().load(exported))
                .get(0).get("tollgateEc2Spot");
        assertContains("tollgateEc2Spot", written, out, ConfigurationAsCodeTest::schemaDefault);

        Path again = Files.createTempFile("ec2-spot-export", ".yaml");
        Files.writeString(again, "jenkins:\n  clouds:\n" + exported.indent(4));
        ConfigurationAsCode.get().configure(again.toString());
        assertEquals(before, cloud(r).toRecord());
    }

    /** The key's default in the engine's records (the describables start with the same), or null. */
    private static String schemaDefault(String key) {
        for (Class<?> record : List.of(Ec2CloudSpec.class, Ec2TemplateSpec.class, dev.tollgate.ec2.config.Ec2ImageSpec.class,
                dev.tollgate.ec2.config.Ec2SpotSpec.class, dev.tollgate.ec2.config.Ec2BlockDeviceSpec.class)) {
            for (java.lang.reflect.RecordComponent c : record.getRecordComponents()) {
                dev.tollgate.common.config.Schema.Default d = c.getAnnotation(dev.tollgate.common.config.Schema.Default.class);
                if (c.getName().equals(key) && d != null) {
                    return d.value();
                }
            }
        }
        return null;
    }
}
