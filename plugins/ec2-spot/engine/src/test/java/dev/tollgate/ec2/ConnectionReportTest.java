package dev.tollgate.ec2;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/** "Test connection": what the credentials can see, through the real SDK against the local EC2 server. */
public class ConnectionReportTest {

    @Test
    public void listsTheImageSubnetsGroupsAndBidOfEachTemplate() throws Exception {
        try (Ec2Fixture f = new Ec2Fixture()) {
            f.server.securityGroup("sg-0a1b2c3d", "ci-agents");
            f.server.price("m5.large", "us-east-1a", "0.040", f.clock.instant().minus(Duration.ofHours(1)));
            ImageSelector promoted = new ImageSelector(null, List.of("111122223333"), "fedora-20/(\\d+)", ImageSelector.MatchOn.LOCATION,
                    Map.of("production", "true"), ImageSelector.Order.LOCATION);
            f.server.image("ami-00000000000000009", "self/fedora-20/9", "fedora-20-9", "111122223333", "2026-01-01T00:00:00.000Z",
                    Map.of("production", "true"));
            f.server.image("ami-00000000000000010", "self/fedora-20/10", "fedora-20-10", "111122223333", "2026-01-02T00:00:00.000Z",
                    Map.of("production", "true"));
            f.use(List.of(Ec2Fixture.spot(Ec2Fixture.spotOptions().image(promoted)),
                    Ec2Fixture.onDemand(Ec2Fixture.onDemandOptions())), c -> c);
            List<String> report = f.driver.connectionReport();
            assertEquals(List.of(
                    "region us-east-1 at " + f.server.uri(),
                    "template spot: image ami-00000000000000010 selected",
                    "template spot: subnets subnet-aaaa1111 (us-east-1a), subnet-bbbb2222 (us-east-1b)",
                    "template spot: security groups sg-0a1b2c3d (ci-agents)",
                    "template spot: spot bid 0.0460 USD/h for m5.large in us-east-1a",
                    "template ondemand: image ami-0fedcba9876543210 (fixed id)",
                    "template ondemand: subnets subnet-cccc3333 (us-east-1c)",
                    "template ondemand: on-demand c5.xlarge"), report);
        }
    }

    @Test
    public void aFailedLookupIsALineAndTheRestIsStillChecked() throws Exception {
        try (Ec2Fixture f = new Ec2Fixture()) {
            // sg-0a1b2c3d unknown to the server: EC2 answers InvalidGroup.NotFound
            List<String> report = f.driver.connectionReport();
            assertTrue(report.toString(), report.stream().anyMatch(l -> l.startsWith("template spot: security groups: ")
                    && l.contains("sg-0a1b2c3d")));
            assertTrue(report.toString(), report.contains("template ondemand: on-demand c5.xlarge"));
            assertFalse("no credential in the report", String.join("\n", report).contains(Ec2Fixture.AWS_SECRET));
        }
    }
}
