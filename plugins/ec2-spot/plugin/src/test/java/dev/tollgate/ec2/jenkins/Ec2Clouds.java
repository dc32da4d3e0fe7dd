package dev.tollgate.ec2.jenkins;

import dev.tollgate.cloud.jenkins.TollgateCloud;
import dev.tollgate.ec2.LocalEc2;
import java.io.IOException;
import java.util.List;
import org.jvnet.hudson.test.JenkinsRule;

/** The tests' EC2 cloud: one template on the local EC2 server, agents launched as local processes. */
final class Ec2Clouds {
    private Ec2Clouds() {
    }

    static LocalEc2 localEc2() throws IOException {
        return new LocalEc2().subnet("subnet-aaaa1111", "us-east-1a").securityGroup("sg-0a1b2c3d", "ci-agents");
    }

    /** Agents of this Jenkins connect as local processes (the instances of the local server are not real). */
    static void localAgents(JenkinsRule r) {
        TollgateCloud.launchersForTests = () -> {
            try {
                return r.createComputerLauncher(null);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    /**
     * A cloud named aws with one template: label aws, agents aws-fedora-20-0, -1, ..., a fixed AMI, a
     * fixed spot bid (no price history needed) and the given idle timeout.
     */
    static Ec2SpotCloud cloud(LocalEc2 ec2, int buildWaitTimeoutSeconds) {
        Ec2Image image = new Ec2Image();
        image.setImageId("ami-0123456789abcdef0");
        Ec2SpotTemplate t = new Ec2SpotTemplate("fedora-20", "aws fedora-20", "m5.large", image);
        t.setNamePattern("aws/fedora-20/{n}");
        t.setBuildWaitTimeoutSeconds(buildWaitTimeoutSeconds);
        t.setSubnetIds(List.of("subnet-aaaa1111"));
        t.setSecurityGroupIds(List.of("sg-0a1b2c3d"));
        Ec2SpotBid bid = new Ec2SpotBid();
        bid.setMaxSpotPrice("0.10");
        t.setSpot(bid);
        Ec2SpotCloud cloud = new Ec2SpotCloud("aws", "us-east-1", List.of(t));
        cloud.setEndpoint(ec2.endpoint().toString());
        cloud.setCredentialsId(TestAwsCredentials.ID);
        return cloud;
    }
}
