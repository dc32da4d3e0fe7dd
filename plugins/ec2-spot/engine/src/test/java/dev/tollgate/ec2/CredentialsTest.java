package dev.tollgate.ec2;

import org.junit.After;
import org.junit.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/** Credentials from the SDK's default chain or from the port, asked at each signing; only the key id travels. */
public class CredentialsTest {
    private final Ec2Fixture f = new Ec2Fixture();

    public CredentialsTest() throws Exception {}

    @After
    public void close() {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
        f.close();
    }

    private String lastAuthorization() {
        List<FakeEc2Server.Call> calls = f.server.calls();
        return calls.get(calls.size() - 1).authorization();
    }

    @Test
    public void defaultProviderChainIsUsedWithoutExplicitKeys() throws Exception {
        // the chain's first link: JVM system properties (then environment, profile file, container/instance role)
        System.setProperty("aws.accessKeyId", "AKIADEFAULTCHAIN0001");
        System.setProperty("aws.secretAccessKey", Ec2Fixture.AWS_SECRET);
        Ec2CloudConfig cfg = Ec2CloudConfig.of("ec2", "us-east-1", List.of(Ec2Fixture.onDemand(Ec2Fixture.onDemandOptions())))
                .withEndpoint(f.server.uri());
        try (Ec2SpotDriver d = new Ec2SpotDriver(cfg, new SdkEc2ClientFactory(), f.clock)) {
            d.listOwned(Ec2Fixture.CONTROLLER);
        }
        String auth = lastAuthorization();
        assertTrue(auth, auth.startsWith("AWS4-HMAC-SHA256 Credential=AKIADEFAULTCHAIN0001/"));
        assertTrue(auth, auth.contains("/us-east-1/ec2/aws4_request"));
        assertFalse(auth.contains(Ec2Fixture.AWS_SECRET));
    }

    @Test
    public void explicitKeysComeFromThePortAtEachCallSoRotationIsPickedUp() throws Exception {
        AtomicInteger n = new AtomicInteger();
        Ec2SpotDriver d = f.use(f.config.templates(), c -> c);
        d.close();
        Ec2CloudConfig cfg = f.config;
        try (Ec2SpotDriver rotating = new Ec2SpotDriver(cfg, new SdkEc2ClientFactory(
                () -> new Ec2Credentials.Keys("AKIAROTATED000000" + n.incrementAndGet(), Ec2Fixture.AWS_SECRET, null),
                Duration.ofSeconds(10)), f.clock)) {
            rotating.listOwned(Ec2Fixture.CONTROLLER);
            String first = lastAuthorization();
            rotating.listOwned(Ec2Fixture.CONTROLLER);
            String second = lastAuthorization();
            assertTrue(first, first.contains("Credential=AKIAROTATED0000001/"));
            assertTrue(second, second.contains("Credential=AKIAROTATED0000002/"));
        }
    }
}
