package dev.tollgate.ec2;

import dev.tollgate.cloud.port.CloudInstance;
import dev.tollgate.cloud.port.Fingerprint;
import org.junit.After;
import org.junit.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

/** What the real SDK sends for one spot launch: IMDSv2, the fingerprint at launch, spot options, user data. */
public class LaunchOnTheWireTest {
    private final Ec2Fixture f = new Ec2Fixture();

    public LaunchOnTheWireTest() throws Exception {}

    @After
    public void close() {
        f.close();
    }

    @Test
    public void spotLaunchCarriesEverythingInOneRunInstances() throws Exception {
        Instant t0 = f.clock.instant();
        f.server.price("m5.large", "us-east-1a", "0.040", t0.minus(Duration.ofHours(2)));
        f.server.price("m5.large", "us-east-1a", "0.060", t0.minus(Duration.ofHours(1)));

        CloudInstance ci = f.driver.create(f.spec("spot", "aws/fedora-20/zfs-head/0"));

        assertEquals(CloudInstance.State.PENDING, ci.state());
        assertTrue(ci.id().startsWith("i-"));
        assertEquals("aws/fedora-20/zfs-head/0", ci.fingerprint().agentName());
        assertEquals(0.05, ci.hourlyPrice(), 1e-9); // expected price = the average, below the bid
        assertTrue(ci.address().startsWith("10.0."));

        List<FakeEc2Server.Call> runs = f.server.calls("RunInstances");
        assertEquals(1, runs.size());
        Map<String, String> p = runs.get(0).params();
        assertEquals("2016-11-15", p.get("Version"));
        assertEquals("ami-0123456789abcdef0", p.get("ImageId"));
        assertEquals("m5.large", p.get("InstanceType"));
        assertEquals("1", p.get("MinCount"));
        assertEquals("1", p.get("MaxCount"));
        assertEquals("subnet-aaaa1111", p.get("SubnetId"));
        assertEquals("sg-0a1b2c3d", p.get("SecurityGroupId.1"));
        assertEquals("latent_buildbot_slave", p.get("KeyName"));
        assertEquals("arn:aws:iam::111122223333:instance-profile/ci-agent", p.get("IamInstanceProfile.Arn"));
        // IMDSv2 only
        assertEquals("required", p.get("MetadataOptions.HttpTokens"));
        assertEquals("enabled", p.get("MetadataOptions.HttpEndpoint"));
        // spot: one-time, terminate on interruption, bid = 0.05 × 1.15
        assertEquals("spot", p.get("InstanceMarketOptions.MarketType"));
        assertEquals("0.0575", p.get("InstanceMarketOptions.SpotOptions.MaxPrice"));
        assertEquals("one-time", p.get("InstanceMarketOptions.SpotOptions.SpotInstanceType"));
        assertEquals("terminate", p.get("InstanceMarketOptions.SpotOptions.InstanceInterruptionBehavior"));
        // volumes
        assertEquals("/dev/xvda", p.get("BlockDeviceMapping.1.DeviceName"));
        assertEquals("40", p.get("BlockDeviceMapping.1.Ebs.VolumeSize"));
        assertEquals("gp3", p.get("BlockDeviceMapping.1.Ebs.VolumeType"));
        assertEquals("true", p.get("BlockDeviceMapping.1.Ebs.DeleteOnTermination"));
        // idempotency token
        assertTrue(p.get("ClientToken").startsWith("tg-"));
        // user data: base64 of the filled template; shell ${..} left alone
        String script = new String(Base64.getDecoder().decode(p.get("UserData")), StandardCharsets.UTF_8);
        assertEquals("#!/bin/sh\nexec /opt/agent --name 'aws/fedora-20/zfs-head/0' --url 'https://ci.example.org/'"
                + " --secret '" + Ec2Fixture.SECRET + "' # ${HOME} stays as it is\n", script);

        // tags: instance and volume, fingerprint included, at launch
        assertEquals("instance", p.get("TagSpecification.1.ResourceType"));
        assertEquals("volume", p.get("TagSpecification.2.ResourceType"));
        Map<String, String> instTags = f.server.instance(ci.id()).tags;
        Map<String, String> volTags = f.server.instance(ci.id()).volumeTags;
        assertEquals("ci", instTags.get("team"));
        assertEquals("aws/fedora-20/zfs-head/0", instTags.get("Name"));
        assertEquals(Ec2Fixture.CONTROLLER, instTags.get(Fingerprint.CONTROLLER));
        assertEquals("ec2", instTags.get(Fingerprint.CLOUD));
        assertEquals("spot", instTags.get(Fingerprint.TEMPLATE));
        assertEquals("aws/fedora-20/zfs-head/0", instTags.get(Fingerprint.AGENT));
        assertEquals(t0.toString(), instTags.get(Fingerprint.CREATED_AT));
        assertEquals("0.05", instTags.get(Ec2SpotDriver.PRICE_TAG));
        assertEquals(instTags, volTags);
        assertEquals("TagSpecification.1.Tag.1.Key", firstKeyWithValue(p, "team"));
        // no separate tagging call, no other call than the price history
        assertEquals(List.of("DescribeSubnets", "DescribeSpotPriceHistory", "RunInstances"),
                f.server.calls().stream().map(FakeEc2Server.Call::action).toList());
    }

    @Test
    public void onDemandLaunchHasNoMarketOptionsAndNoUserData() throws Exception {
        CloudInstance ci = f.driver.create(f.spec("ondemand", "od-0"));
        Map<String, String> p = f.server.calls("RunInstances").get(0).params();
        assertNull(p.get("InstanceMarketOptions.MarketType"));
        assertNull(p.get("UserData"));
        assertEquals("required", p.get("MetadataOptions.HttpTokens"));
        assertEquals("subnet-cccc3333", p.get("SubnetId"));
        assertEquals(0.17, ci.hourlyPrice(), 1e-9);
        assertEquals(List.of("RunInstances"), f.server.calls().stream().map(FakeEc2Server.Call::action).toList());
    }

    @Test
    public void iamProfileByNameAndZonePlacementWithoutSubnets() throws Exception {
        f.use(List.of(Ec2Fixture.onDemand(Ec2Fixture.onDemandOptions().subnetIds(List.of()).availabilityZone("us-east-1b")
                .iamInstanceProfile("ci-agent"))), c -> c);
        f.driver.create(f.spec("ondemand", "od-1"));
        Map<String, String> p = f.server.calls("RunInstances").get(0).params();
        assertEquals("ci-agent", p.get("IamInstanceProfile.Name"));
        assertEquals("us-east-1b", p.get("Placement.AvailabilityZone"));
        assertFalse(p.containsKey("SubnetId"));
    }

    @Test
    public void aRetriedLaunchOfTheSameAgentReusesItsClientToken() throws Exception {
        var spec = f.spec("ondemand", "od-2");
        CloudInstance a = f.driver.create(spec);
        CloudInstance b = f.driver.create(spec); // e.g. the engine retrying after a timeout
        assertEquals(a.id(), b.id());
        assertEquals(f.server.calls("RunInstances").get(0).get("ClientToken"),
                f.server.calls("RunInstances").get(1).get("ClientToken"));
        assertEquals(1, f.server.liveCount());
    }

    @Test
    public void aLaunchRetriedAfterATimeoutSendsTheSameSubnetAndToken() throws Exception {
        var spec = f.spec("spot", "retried");
        f.server.fail("RunInstances", 1, 500, "InternalError"); // outcome unknown for the engine
        try {
            f.driver.create(spec);
            org.junit.Assert.fail();
        } catch (dev.tollgate.cloud.port.CloudException e) {
            assertEquals(dev.tollgate.cloud.port.CloudException.Kind.TRANSIENT, e.kind());
        }
        f.driver.create(f.spec("spot", "other")); // the rotation moves on meanwhile
        f.driver.create(spec);
        List<FakeEc2Server.Call> runs = f.server.calls("RunInstances");
        assertEquals(runs.get(0).get("SubnetId"), runs.get(2).get("SubnetId"));
        assertEquals(runs.get(0).get("ClientToken"), runs.get(2).get("ClientToken"));
        assertFalse(runs.get(0).get("SubnetId").equals(runs.get(1).get("SubnetId")));
    }

    @Test
    public void aTokenReusedWithOtherParametersMeansTheFirstLaunchHappened() throws Exception {
        var spec = f.spec("spot", "twice");
        f.driver.create(spec);
        try {
            f.driver.create(spec); // a later retry lands on the next subnet: EC2 refuses the token
            org.junit.Assert.fail();
        } catch (dev.tollgate.cloud.port.CloudException e) {
            // the first instance exists with the fingerprint: "outcome unknown, the listing finds it"
            assertEquals(dev.tollgate.cloud.port.CloudException.Kind.TRANSIENT, e.kind());
            assertEquals("IdempotentParameterMismatch", e.code());
        }
        assertEquals(1, f.server.liveCount());
    }

    private static String firstKeyWithValue(Map<String, String> p, String value) {
        return p.entrySet().stream().filter(e -> e.getValue().equals(value) && e.getKey().endsWith(".Key"))
                .map(Map.Entry::getKey).sorted().findFirst().orElse(null);
    }
}
