package dev.tollgate.ec2;

import org.junit.After;
import org.junit.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/**
 * The EC2 client through an HTTP proxy ({@link RecordingProxy} in front of the local EC2 server).
 * The cloud's endpoint is a host that does not resolve, so a call only succeeds when it went through
 * the proxy, which records the absolute request target and the proxy credentials.
 */
public class ProxyTest {
    private static final URI NOWHERE = URI.create("http://ec2.no-such-host.invalid/");
    private final Ec2Fixture f = new Ec2Fixture();
    private final RecordingProxy proxy = new RecordingProxy(f.server.uri());

    public ProxyTest() throws Exception {}

    @After
    public void close() throws Exception {
        proxy.close();
        f.close();
    }

    private RecordingProxy.Request callThrough(HttpProxy config) throws Exception {
        Ec2CloudConfig cfg = f.config.withEndpoint(NOWHERE);
        Ec2Credentials keys = () -> new Ec2Credentials.Keys("AKIAPROXYTEST0000001", Ec2Fixture.AWS_SECRET, null);
        try (Ec2SpotDriver d = new Ec2SpotDriver(cfg, new SdkEc2ClientFactory(keys, Duration.ofSeconds(10), config), f.clock)) {
            d.listOwned(Ec2Fixture.CONTROLLER);
        }
        List<RecordingProxy.Request> seen = proxy.requests();
        assertFalse("no request reached the proxy", seen.isEmpty());
        assertEquals(seen.size(), f.server.calls().size());
        return seen.get(seen.size() - 1);
    }

    @Test
    public void everyCallGoesThroughTheProxy() throws Exception {
        RecordingProxy.Request c = callThrough(new HttpProxy(proxy.uri(), null, null));
        assertTrue(c.target(), c.target().startsWith("http://ec2.no-such-host.invalid"));
        assertNull(c.proxyAuthorization());
    }

    @Test
    public void proxyCredentialsAreSentAsBasicAuthorization() throws Exception {
        RecordingProxy.Request c = callThrough(new HttpProxy(proxy.uri(), "ci", "pr0xy-s3cret"));
        String expected = "Basic " + Base64.getEncoder().encodeToString("ci:pr0xy-s3cret".getBytes(StandardCharsets.UTF_8));
        assertEquals(expected, c.proxyAuthorization());
    }

    @Test
    public void withoutTheProxyTheUnresolvableEndpointFails() {
        Ec2CloudConfig cfg = f.config.withEndpoint(NOWHERE);
        Ec2Credentials keys = () -> new Ec2Credentials.Keys("AKIAPROXYTEST0000001", Ec2Fixture.AWS_SECRET, null);
        int before = f.server.calls().size();
        assertThrows(Exception.class, () -> {
            try (Ec2SpotDriver d = new Ec2SpotDriver(cfg, new SdkEc2ClientFactory(keys, Duration.ofSeconds(10), null), f.clock)) {
                d.listOwned(Ec2Fixture.CONTROLLER);
            }
        });
        assertEquals(before, f.server.calls().size());
    }

    @Test
    public void thePasswordNeverShowsAndOnlyHttpProxiesAreAccepted() {
        HttpProxy p = HttpProxy.of("proxy.example", 3128, "ci", "pr0xy-s3cret");
        assertFalse(p.toString(), p.toString().contains("pr0xy-s3cret"));
        assertFalse(new SdkEc2ClientFactory(null, Duration.ofSeconds(1), p).toString().contains("pr0xy-s3cret"));
        assertNull(HttpProxy.of("proxy.example", 3128, " ", "x").password());
        assertThrows(IllegalArgumentException.class, () -> new HttpProxy(URI.create("socks://proxy.example:1080"), null, null));
        assertThrows(IllegalArgumentException.class, () -> new HttpProxy(URI.create("http://proxy.example"), null, null));
    }
}
