package dev.tollgate.ec2;

import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.port.CloudException;
import dev.tollgate.cloud.port.LaunchSpec;
import org.junit.After;
import org.junit.Test;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/** The agent secret and the AWS secret key never show in a log line, a toString or an error message. */
public class SecretsTest {
    private final Ec2Fixture f = new Ec2Fixture();
    private final LogCapture log = new LogCapture();
    private final List<String> texts = new ArrayList<>();

    public SecretsTest() throws Exception {}

    @After
    public void close() {
        log.close();
        f.close();
    }

    private void assertClean(String what, String text) {
        assertFalse(what + " shows the agent secret: " + text, text.contains(Ec2Fixture.SECRET));
        assertFalse(what + " shows the AWS secret key: " + text, text.contains(Ec2Fixture.AWS_SECRET));
    }

    @Test
    public void secretsStayOutOfLogsToStringsAndErrors() throws Exception {
        // success, with everything logged at every level
        var a = f.driver.create(f.spec("spot", "a0"));
        f.driver.describe(List.of(a.id()));
        f.driver.terminate(List.of(a.id()));
        // a spot rejection in every subnet (logged with its code)
        f.server.fail("RunInstances", 2, 500, "InsufficientInstanceCapacity");
        try {
            f.driver.create(f.spec("spot", "a1"));
            fail();
        } catch (CloudException e) {
            texts.add(e.toString());
        }
        // a user-data template asking for something the launch does not provide
        f.use(List.of(Ec2Fixture.spot(Ec2Fixture.spotOptions().userDataTemplate("x={{JENKINS_SECRET}} y={{MISSING}}"))), c -> c);
        try {
            f.driver.create(f.spec("spot", "a2"));
            fail();
        } catch (CloudException e) {
            assertEquals(CloudException.Kind.PERMANENT, e.kind());
            assertTrue(e.getMessage(), e.getMessage().contains("[MISSING]"));
            texts.add(e.toString());
        }
        LaunchSpec spec = f.spec("spot", "a3");
        texts.add(spec.toString());
        texts.add(f.config.toString());
        texts.add(f.config.templates().toString());
        texts.add(f.driver.toString());
        texts.add(new Ec2Credentials.Keys("AKIAIOSFODNN7EXAMPLE", Ec2Fixture.AWS_SECRET, "token").toString());
        texts.add(new SdkEc2ClientFactory(() -> new Ec2Credentials.Keys("AKIAIOSFODNN7EXAMPLE", Ec2Fixture.AWS_SECRET, null),
                Duration.ofSeconds(5)).toString());
        // the SDK's own request toString (what its debug logging would print) redacts user data
        texts.add(RunInstancesRequest.builder().userData("c2VjcmV0" + Ec2Fixture.SECRET).build().toString());

        assertTrue("the test must have seen log lines", log.lines().size() >= 3);
        for (String line : log.lines()) {
            assertClean("log line", line);
        }
        for (String t : texts) {
            assertClean("text", t);
        }
        // and yet the secret did reach the instance, in its user data
        assertTrue(new String(java.util.Base64.getDecoder().decode(
                f.server.calls("RunInstances").get(0).get("UserData"))).contains(Ec2Fixture.SECRET));
    }

    @Test
    public void awsSecretNeverGoesOnTheWire() throws Exception {
        f.driver.create(f.spec("ondemand", "a0"));
        for (FakeEc2Server.Call c : f.server.calls()) {
            assertClean("request " + c.action(), c.params().toString());
        }
    }

    @Test
    public void invalidConfigurationListsEveryProblem() {
        try {
            Ec2CloudConfig.of("ec2", "nowhere", List.of(
                    AgentTemplate.builder("bad").options(Ec2Options.builder().instanceType("large")
                            .image(ImageSelector.byLocation(List.of("12"), "(["))
                            .subnetIds(List.of("sn-1")).securityGroupIds(List.of("default"))
                            .elasticIpAllocationId("1.2.3.4").tags(Map.of("tollgate:agent", "x"))
                            .blockDevices(List.of(new BlockDevice("xvda", 0, "ssd", null, true, false)))
                            .spot(new SpotSettings(-1.0, null, 0, null, false)).build()).build(),
                    AgentTemplate.builder("bad").options(Ec2Options.builder().instanceType("m5.large").build()).build()));
            fail();
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            for (String expected : List.of("region must look like us-west-2", "instanceType must look like m5.large",
                    "'12' is not a 12-digit account id", ".regex: invalid regex", "subnet ids must start with subnet-",
                    "security group ids must start with sg-", "elasticIpAllocationId must start with eipalloc-",
                    "tag key 'tollgate:agent' is reserved", "sizeGiB must be 1..65536", "volumeType must be one of",
                    "spot.maxSpotPrice must be a positive", "spot.defaultPrice", "an image (AMI id or selector) is required",
                    "template 'bad' is defined twice")) {
                assertTrue("missing '" + expected + "' in:\n" + m, m.contains(expected));
            }
        }
    }
}
