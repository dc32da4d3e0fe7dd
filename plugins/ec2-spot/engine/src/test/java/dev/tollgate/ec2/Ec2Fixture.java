package dev.tollgate.ec2;

import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.InMemoryAgentRegistry;
import dev.tollgate.cloud.port.Fingerprint;
import dev.tollgate.cloud.port.LaunchSpec;
import dev.tollgate.testing.ManualClock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** A fake EC2 endpoint, a manual clock and a driver wired to them through the real SDK client. */
final class Ec2Fixture implements AutoCloseable {
    static final String SECRET = "s3cr3t-AGENT-token-7f1e";

    /** The controller's agent list in memory, handing agents what the plugin would (URL and secret). */
    static InMemoryAgentRegistry registry() {
        return new InMemoryAgentRegistry(Map.of("JENKINS_URL", "https://ci.example.org/", "JENKINS_SECRET", SECRET));
    }
    static final String AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY";
    static final String CONTROLLER = "ctl-1";
    static final String USER_DATA = "#!/bin/sh\nexec /opt/agent --name '{{agentName}}' --url '{{JENKINS_URL}}'"
            + " --secret '{{JENKINS_SECRET}}' # ${HOME} stays as it is\n";

    final ManualClock clock = new ManualClock();
    final FakeEc2Server server;
    Ec2SpotDriver driver;
    Ec2CloudConfig config;
    private final List<Ec2SpotDriver> drivers = new ArrayList<>();

    Ec2Fixture() throws IOException {
        server = new FakeEc2Server(clock);
        server.subnet("subnet-aaaa1111", "us-east-1a");
        server.subnet("subnet-bbbb2222", "us-east-1b");
        server.subnet("subnet-cccc3333", "us-east-1c");
        use(List.of(spot(spotOptions()), onDemand(onDemandOptions())), c -> c);
    }

    /** The template "spot" (label linux) with these EC2 options. */
    static AgentTemplate<Ec2Options> spot(Ec2Options.Builder options) {
        return AgentTemplate.builder("spot").labels("linux").options(options.build()).build();
    }

    /** The template "ondemand" (label linux) with these EC2 options. */
    static AgentTemplate<Ec2Options> onDemand(Ec2Options.Builder options) {
        return AgentTemplate.builder("ondemand").labels("linux").options(options.build()).build();
    }

    static Ec2Options.Builder spotOptions() {
        return Ec2Options.builder()
                .instanceType("m5.large")
                .image(ImageSelector.byId("ami-0123456789abcdef0"))
                .subnetIds(List.of("subnet-aaaa1111", "subnet-bbbb2222"))
                .securityGroupIds(List.of("sg-0a1b2c3d"))
                .keyName("latent_buildbot_slave")
                .iamInstanceProfile("arn:aws:iam::111122223333:instance-profile/ci-agent")
                .userDataTemplate(USER_DATA)
                .blockDevices(List.of(BlockDevice.gp3("/dev/xvda", 40)))
                .tags(Map.of("team", "ci"))
                .spot(SpotSettings.averaged(1.15, 0.09, 0.02));
    }

    static Ec2Options.Builder onDemandOptions() {
        return Ec2Options.builder()
                .instanceType("c5.xlarge")
                .image(ImageSelector.byId("ami-0fedcba9876543210"))
                .subnetIds(List.of("subnet-cccc3333"))
                .onDemandHourlyPrice(0.17);
    }

    /** Replaces the driver with one for these templates (the server and its state stay). */
    Ec2SpotDriver use(List<AgentTemplate<Ec2Options>> templates, UnaryOperator<Ec2CloudConfig> tweak) {
        config = tweak.apply(Ec2CloudConfig.of("ec2", "us-east-1", templates).withEndpoint(server.uri()));
        driver = new Ec2SpotDriver(config, new SdkEc2ClientFactory(
                () -> new Ec2Credentials.Keys("AKIAIOSFODNN7EXAMPLE", AWS_SECRET, null), Duration.ofSeconds(60)), clock);
        drivers.add(driver);
        return driver;
    }

    LaunchSpec spec(String template, String agent) {
        return new LaunchSpec(template, agent, new Fingerprint(CONTROLLER, "ec2", template, agent, clock.instant()),
                Map.of("JENKINS_URL", "https://ci.example.org/", "JENKINS_SECRET", SECRET));
    }

    @Override
    public void close() {
        drivers.forEach(Ec2SpotDriver::close);
        server.close();
    }
}
