package dev.tollgate.ec2.config;

import dev.tollgate.cloud.config.CloudProblem;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.CloudSettings;
import dev.tollgate.ec2.Ec2CloudConfig;
import dev.tollgate.ec2.Ec2Options;
import dev.tollgate.ec2.ImageSelector;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.Test;

/** The JCasC records of an EC2 cloud: every value reaches the engine, every bad value is named at its key. */
public class Ec2CloudSpecTest {

    static Ec2TemplateSpec template(String name, Ec2SpotSpec spot) {
        return new Ec2TemplateSpec(name, "aws fedora-20", 2, 4, 0, 900, 3, "aws/fedora-20/" + name + "/{n}", "m5.large",
                new Ec2ImageSpec(null, List.of("self"), "fedora-20/(\\d+)", "LOCATION",
                        List.of(new Ec2TagSpec("production", "true")), "LOCATION"),
                List.of("subnet-1", "subnet-2"), null, List.of("sg-1"), "buildbot", "arn:aws:iam::1:instance-profile/b",
                "#!/bin/sh\necho {{agentName}}\n", List.of(new Ec2BlockDeviceSpec("/dev/xvda", 40, "gp3", 3000, true, true)),
                List.of(new Ec2VolumeSpec("vol-1", "/dev/sdf")), "eipalloc-1", List.of(new Ec2TagSpec("team", "ci")),
                spot, "0.096");
    }

    static Ec2CloudSpec cloud(Ec2TemplateSpec... templates) {
        return new Ec2CloudSpec("aws/clusterhq", "us-west-2", "aws-ci", "https://ec2.us-west-2.amazonaws.com",
                List.of(templates), 10, "0.5", 5, 600, 90, 240, 45, 180, 2, 10, 600, 30, 100, 900, 60, true, 12);
    }

    @Test
    public void everyValueReachesTheEngine() {
        Ec2CloudSpec spec = cloud(template("zfs-head", new Ec2SpotSpec("0.20", "1.2", "0.08", "Linux/UNIX", true)));
        assertEquals(List.of(), spec.problems());
        assertEquals("aws-clusterhq", spec.engineName());
        List<AgentTemplate<Ec2Options>> ts = spec.agentTemplates();
        AgentTemplate<Ec2Options> t = ts.get(0);
        assertEquals(Set.of("aws", "fedora-20"), t.labels());
        assertEquals(2, t.executors());
        assertEquals(4, t.instanceCap());
        assertEquals(Duration.ZERO, t.buildWaitTimeout());
        assertEquals(Duration.ofMinutes(15), t.missingTimeout());
        assertEquals(3, t.maxUses());
        assertEquals("aws/fedora-20/zfs-head/{n}", t.namePattern());
        Ec2Options o = t.options();
        assertEquals("m5.large", o.instanceType());
        assertEquals(new ImageSelector(null, List.of("self"), "fedora-20/(\\d+)", ImageSelector.MatchOn.LOCATION,
                Map.of("production", "true"), ImageSelector.Order.LOCATION), o.image());
        assertEquals(List.of("subnet-1", "subnet-2"), o.subnetIds());
        assertEquals(List.of("sg-1"), o.securityGroupIds());
        assertEquals("buildbot", o.keyName());
        assertEquals("arn:aws:iam::1:instance-profile/b", o.iamInstanceProfile());
        assertTrue(o.userDataTemplate().contains("{{agentName}}"));
        assertEquals(40, o.blockDevices().get(0).sizeGiB());
        assertEquals(Integer.valueOf(3000), o.blockDevices().get(0).iops());
        assertTrue(o.blockDevices().get(0).encrypted());
        assertEquals("vol-1", o.attachVolumes().get(0).volumeId());
        assertEquals("eipalloc-1", o.elasticIpAllocationId());
        assertEquals(Map.of("team", "ci"), o.tags());
        assertEquals(0.20, o.spot().maxSpotPrice(), 0);
        assertEquals(1.2, o.spot().priceMultiplier(), 0);
        assertEquals(0.08, o.spot().defaultPrice(), 0);
        assertTrue(o.spot().fallbackToOnDemand());
        assertEquals(0.096, o.onDemandHourlyPrice(), 0);

        Ec2CloudConfig c = spec.ec2Config(ts);
        assertEquals("aws-clusterhq", c.cloudName());
        assertEquals("us-west-2", c.region());
        assertEquals("https://ec2.us-west-2.amazonaws.com", c.endpoint().toString());
        assertEquals(Duration.ofSeconds(900), c.priceCacheTtl());
        assertEquals(Duration.ofSeconds(60), c.imageCacheTtl());
        assertEquals(Duration.ofSeconds(45), c.interruptionCheckInterval());
        assertTrue(c.usePublicAddress());
        assertEquals(Duration.ofHours(12), c.costRetention());

        CloudSettings s = spec.configure(CloudSettings.builder(spec.engineName(), "ctl")).templates(ts).build();
        assertEquals(10, s.instanceCap());
        assertEquals(0.5, s.requestsPerSecond(), 0);
        assertEquals(5, s.requestBurst());
        assertEquals(Duration.ofSeconds(600), s.reaperGrace());
        assertEquals(Duration.ofSeconds(90), s.describeInterval());
        assertEquals(Duration.ofSeconds(240), s.reaperInterval());
        assertEquals(Duration.ofSeconds(45), s.interruptionCheckInterval());
        assertEquals(Duration.ofSeconds(180), s.capacityCooldown());
        assertEquals(Duration.ofSeconds(2), s.throttleBackoff());
        assertEquals(Duration.ofSeconds(10), s.terminateBackoff());
        assertEquals(Duration.ofSeconds(600), s.maxBackoff());
        assertEquals(Duration.ofMinutes(30), s.recordRetention());
        assertEquals(Duration.ofSeconds(100), s.agentReportWindow());
    }

    @Test
    public void withoutSpotTheTemplateIsOnDemandAndAMaxPriceAloneIsTheDefaultAverage() {
        assertNull(cloud(template("od", null)).agentTemplates().get(0).options().spot());
        Ec2Options o = cloud(template("fixed", new Ec2SpotSpec("0.30", null, null, "Linux/UNIX", false)))
                .agentTemplates().get(0).options();
        assertEquals(0.30, o.spot().defaultPrice(), 0);
        assertNull(o.spot().priceMultiplier());
    }

    private static List<String> problems(Ec2CloudSpec spec) {
        return spec.problems().stream().map(p -> p.keyOfRecord() + "/" + p).toList();
    }

    @Test
    public void badValuesAreNamedAtTheirKeys() {
        Ec2TemplateSpec good = template("t", null);
        Ec2CloudSpec bad = new Ec2CloudSpec("", "Oregon", null, "not a url", List.of(good), -1, "fast", 0, 0, 1, 1, -1,
                1, 1, 1, 1, 1, 0, 1, 1, false, 1);
        List<String> p = problems(bad);
        for (String s : List.of("tollgateEc2Spot/name: a name is required",
                "tollgateEc2Spot/region: must look like us-west-2, got Oregon",
                "tollgateEc2Spot/endpoint: must be an absolute http(s) URL, got not a url",
                "tollgateEc2Spot/instanceCap: must be 0 or more (leave it out for no cap), got -1",
                "tollgateEc2Spot/requestsPerSecond: must be a positive number, got fast",
                "tollgateEc2Spot/requestBurst: must be at least 1, got 0",
                "tollgateEc2Spot/reaperGraceSeconds: must be at least 1, got 0",
                "tollgateEc2Spot/interruptionCheckSeconds: must be 0 or more, got -1",
                "tollgateEc2Spot/agentReportWindowSeconds: must be at least 1, got 0")) {
            assertTrue(p + " lacks " + s, p.contains(s));
        }
    }

    @Test
    public void templateProblemsComeFromTheEngineAtTheirKeys() {
        Ec2TemplateSpec t = new Ec2TemplateSpec("bad name", "a", 0, null, 600, 1200, 0, "x/{os}", "large",
                new Ec2ImageSpec("img-1", List.of(), null, "PATH", List.of(), null), List.of("net-1"), null,
                List.of("group"), null, null, null, List.of(), List.of(), null, List.of(new Ec2TagSpec("aws:x", "y")),
                new Ec2SpotSpec(null, "lots", null, null, false), "free");
        List<String> p = problems(cloud(t, t));
        for (String s : List.of("templates/name: template 'bad name' is defined twice",
                "templates/onDemandHourlyPrice: must be a USD/hour price such as 0.096, got free",
                "image/matchOn: must be LOCATION or NAME, got PATH",
                "spot/priceMultiplier: must be a positive decimal such as 0.12, got lots")) {
            assertTrue(p + " lacks " + s, p.contains(s));
        }
        // once the values can be read, the engine's own checks speak, each at its key
        Ec2TemplateSpec readable = new Ec2TemplateSpec("bad name", "a", 0, null, 600, 1200, 0, "x/{os}", "large",
                new Ec2ImageSpec("img-1", List.of(), null, null, List.of(), null), List.of("net-1"), null,
                List.of("group"), null, null, null, List.of(), List.of(), null, List.of(new Ec2TagSpec("aws:x", "y")),
                null, null);
        p = problems(cloud(readable));
        for (String s : List.of("templates/instanceType: must look like m5.large, got large",
                "templates/image: image.imageId must start with ami-, got img-1",
                "templates/subnetIds: subnet ids must start with subnet-, got net-1",
                "templates/securityGroupIds: security group ids must start with sg-, got group",
                "templates/tags: tag key 'aws:x' is reserved (aws: belongs to AWS, tollgate: to the fingerprint)")) {
            assertTrue(p + " lacks " + s, p.contains(s));
        }
        Ec2TemplateSpec engineSide = new Ec2TemplateSpec("bad name", "a", 0, null, 600, 1200, 0, "x/{os}", "m5.large",
                new Ec2ImageSpec("ami-1", List.of(), null, null, List.of(), null), List.of(), null, List.of(), null, null,
                null, List.of(), List.of(), null, List.of(), null, null);
        p = problems(cloud(engineSide));
        for (String s : List.of("templates/name: must be 1-40 characters of letters, digits, '.', '_' or '-', starting with a letter or digit",
                "templates/executors: must be at least 1, was 0",
                "templates/namePattern: has an unknown placeholder {os} (known: {cloud}, {template}, {n}, {id})")) {
            assertTrue(p + " lacks " + s, p.contains(s));
        }
        try {
            cloud(engineSide).agentTemplates();
            fail("an invalid cloud built templates");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("cloud 'aws/clusterhq': template 'bad name' name: must be"));
        }
    }

    @Test
    public void aMultiplierWithoutMaxNeedsADefaultPriceAndABidNeedsOneOfTheTwo() {
        List<String> p = problems(cloud(template("t", new Ec2SpotSpec(null, "1.1", null, "Linux/UNIX", false))));
        assertTrue(p.toString(), p.contains("spot/defaultPrice: is needed without a maxSpotPrice: the average used when EC2 has no price history"));
        p = problems(cloud(template("t", new Ec2SpotSpec(null, null, "0.1", "Linux/UNIX", false))));
        assertTrue(p.toString(), p.contains("spot/priceMultiplier: give a priceMultiplier (bid = 24-hour average x multiplier) "
                + "or a maxSpotPrice (a fixed bid)"));
    }

    @Test
    public void jcascVariablesStandForValidValuesOnlyWhenAFileIsChecked() {
        Ec2TemplateSpec t = new Ec2TemplateSpec("t", "x", 1, null, 600, 1200, 0, null, "m5.large",
                new Ec2ImageSpec(null, List.of("${IMAGE_OWNER}", "${OTHER_OWNER}"), null, null, List.of(), null),
                List.of("${SUBNET_A}", "${SUBNET_B}"),
                null, List.of("${GROUP:-sg-1}"), null, null, null, List.of(), List.of(), null, List.of(),
                new Ec2SpotSpec("${MAX_PRICE}", null, null, "Linux/UNIX", false), null);
        Ec2CloudSpec spec = new Ec2CloudSpec("c", "${REGION:-us-west-2}", null, null, List.of(t), null, "2", 20, 300, 120,
                300, 60, 120, 1, 5, 300, 60, 120, 600, 300, false, 24);
        assertEquals(List.of(), spec.problemsWithVariables());
        // in Jenkins, JCasC has put the values in: a literal "${...}" is a bad value
        List<String> strict = problems(spec);
        assertTrue(strict.toString(), strict.contains("tollgateEc2Spot/region: must look like us-west-2, got ${REGION:-us-west-2}"));
        // a variable's default is checked
        Ec2CloudSpec badDefault = new Ec2CloudSpec("c", "${REGION:-Oregon}", null, null, List.of(t), null, "2", 20, 300,
                120, 300, 60, 120, 1, 5, 300, 60, 120, 600, 300, false, 24);
        assertEquals(List.of("region: must look like us-west-2, got Oregon"),
                badDefault.problemsWithVariables().stream().map(CloudProblem::toString).toList());
    }

    @Test
    public void theUserDataNeverShowsInTheTemplatesText() {
        assertEquals("Ec2TemplateSpec[t, m5.large, labels=aws fedora-20]", template("t", null).toString());
    }
}
