package dev.tollgate.lxd;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.port.CloudException;
import dev.tollgate.cloud.port.CloudInstance;
import dev.tollgate.cloud.port.Fingerprint;
import dev.tollgate.cloud.port.LaunchSpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * A remote LXD over HTTPS: the controller's client certificate trusted by the daemon, the daemon's
 * certificate pinned. A wrong pin, or a client the daemon does not trust, gets nothing done.
 */
public class HttpsPeerTest {
    static LxdPeer peer;
    private static URI url;
    private static String pin;
    private static String[] trusted;
    private static String[] stranger;
    private static final List<AgentTemplate<LxdOptions>> TEMPLATES = List.of(LxdDriverContractTest.busybox("bb"));

    @BeforeClass
    public static void startPeer() throws Exception {
        startPeer(LxdPeer.Flavor.LXD);
    }

    static void startPeer(LxdPeer.Flavor flavor) throws Exception {
        peer = LxdPeer.start(flavor);
        url = peer.https();
        pin = HttpsTransport.fingerprint(peer.serverCertificate());
        trusted = peer.newClientCertificate("tollgate-controller");
        stranger = peer.newClientCertificate("stranger");
        peer.trust(trusted[0], "tollgate-controller");
    }

    @AfterClass
    public static void stopPeer() {
        if (peer != null) {
            peer.close();
        }
    }

    private static LxdDriver driver(String[] client, String serverPin) throws Exception {
        return new LxdDriver(LxdCloudConfig.of("lxd", new LxdEndpoint.Https(url, client[0], client[1], serverPin), TEMPLATES));
    }

    private static LaunchSpec spec(String controller, String agent) {
        return new LaunchSpec("bb", agent, new Fingerprint(controller, "lxd", "bb", agent, Instant.parse("2026-01-01T00:00:00Z")),
                Map.of("TOLLGATE_AGENT_SECRET", "https-secret"));
    }

    @Test
    public void aTrustedClientWithThePinnedServerRunsTheLifecycle() throws Exception {
        try (LxdDriver d = driver(trusted, pin.toUpperCase().replaceAll("(..)(?!$)", "$1:"))) { // lxc's own notation
            CloudInstance ci = d.create(spec("ctl-https", "https-1"));
            assertEquals(CloudInstance.State.RUNNING, ci.state());
            assertEquals(Set.of(ci.id()), LxdPeerView.instancesOf(peer, "ctl-https"));
            assertEquals(List.of(ci.id()), d.listOwned("ctl-https").stream().map(CloudInstance::id).toList());
            d.terminate(List.of(ci.id()));
            assertEquals(Set.of(), LxdPeerView.instancesOf(peer, "ctl-https"));
        }
    }

    @Test
    public void aServerThatDoesNotMatchThePinIsRefused() throws Exception {
        String wrong = pin.substring(0, 63) + (pin.charAt(63) == '0' ? '1' : '0');
        try (LxdDriver d = driver(trusted, wrong)) {
            try {
                d.create(spec("ctl-https-wrong", "wrong-1"));
                fail("talked to a server whose certificate does not match the pin");
            } catch (CloudException e) {
                assertEquals(e.getMessage(), CloudException.Kind.PERMANENT, e.kind());
                assertTrue(e.getMessage(), e.getMessage().contains("TLS"));
            }
        }
        assertEquals(Set.of(), LxdPeerView.instancesOf(peer, "ctl-https-wrong"));
    }

    @Test
    public void aClientTheDaemonDoesNotTrustGetsNothingDone() throws Exception {
        try (LxdDriver d = driver(stranger, pin)) {
            try {
                d.create(spec("ctl-https-stranger", "stranger-1"));
                fail("an untrusted client created an instance");
            } catch (CloudException e) {
                assertEquals(e.getMessage(), CloudException.Kind.PERMANENT, e.kind());
            }
        }
        assertEquals(Set.of(), LxdPeerView.instancesOf(peer, "ctl-https-stranger"));
    }

    @Test
    public void noPinNoEndpoint() {
        for (String none : new String[] {null, "", "not-hex"}) {
            try {
                new LxdEndpoint.Https(url, trusted[0], trusted[1], none);
                fail("an endpoint without a valid pin: " + none);
            } catch (IllegalArgumentException expected) {
                assertFalse("no key material in the message", expected.getMessage().contains("PRIVATE"));
            }
        }
    }

    @Test
    public void theEndpointNeverShowsTheKey() {
        LxdEndpoint e = new LxdEndpoint.Https(url, trusted[0], trusted[1], pin);
        assertFalse(e.toString().contains("PRIVATE"));
        assertFalse(e.toString().contains(trusted[1].substring(40, 80)));
    }

    /**
     * A PKCS#12 key store with a password, as Jenkins' certificate credentials hold one, made from the
     * openssl PEMs by the JDK; fromKeyStore must give PEMs the daemon accepts.
     */
    private static byte[] pkcs12(String[] client, char[] password) throws Exception {
        String b64 = client[1].replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("lxd-client", key, password, new java.security.cert.Certificate[] {HttpsTransport.certificate(client[0])});
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ks.store(out, password);
        return out.toByteArray();
    }

    @Test
    public void aKeyStoreCredentialConnectsAndTheReportListsWhatTheDaemonHas() throws Exception {
        char[] password = "store-pass".toCharArray();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(new ByteArrayInputStream(pkcs12(trusted, password)), password);
        LxdEndpoint.ClientCertificate cert = LxdEndpoint.ClientCertificate.fromKeyStore(ks, password);
        assertFalse("the key is never shown", cert.toString().contains("PRIVATE"));
        AgentTemplate<LxdOptions> missing = AgentTemplate.builder("gone").options(LxdOptions.builder().image("no-such-image")
                .profiles(List.of("default", "no-such-profile")).agentCommand("/bin/true").build()).build();
        AgentTemplate<LxdOptions> remote = AgentTemplate.builder("far").options(LxdOptions.builder().image("debian/12")
                .imageRemote("images").agentCommand("/bin/true").build()).build();
        LxdCloudConfig config = new LxdCloudConfig("lxd", new LxdEndpoint.Https(url, cert.certPem(), cert.keyPem(), pin),
                List.of(TEMPLATES.get(0), missing, remote), null, Map.of("images",
                new LxdCloudConfig.ImageRemote(URI.create("https://images.example.org"), "simplestreams")), null, null);
        try (LxdDriver d = new LxdDriver(config)) {
            LxdDriver.ConnectionReport r = d.connectionReport();
            assertTrue(r.lines().toString(), r.lines().get(0).matches(peer.flavor.product + " \\S+ at " + url + " \\(API 1\\.0, \\d+ API "
                    + "extensions, standalone\\)"));
            assertEquals("storage pools: [default]", r.lines().get(1));
            assertEquals("profiles: [default]", r.lines().get(2));
            assertTrue(r.lines().toString(), r.lines().get(3).startsWith("template bb: image " + LxdPeer.IMAGE + " found ("));
            assertEquals(List.of("template gone: image no-such-image not found on the daemon",
                    "template gone: profile no-such-profile not found"), r.problems());
            assertTrue(r.lines().contains("template far: image debian/12 from remote images (https://images.example.org), "
                    + "pulled at the first launch"));
            assertEquals("the report only reads", d.client().calls().keySet().stream().filter(k -> !k.startsWith("GET "))
                    .toList(), List.of());
        }
    }

    @Test
    public void theReportOfAClientTheDaemonDoesNotTrustSaysSo() throws Exception {
        try (LxdDriver d = driver(stranger, pin)) {
            LxdDriver.ConnectionReport r = d.connectionReport();
            assertEquals(1, r.problems().size());
            assertTrue(r.problems().get(0), r.problems().get(0).startsWith("the daemon does not trust this client (auth: untrusted)"));
        }
    }

    @Test
    public void aKeyStoreWithoutAKeyIsRefusedWithoutShowingAnything() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("only-a-cert", HttpsTransport.certificate(trusted[0]));
        try {
            LxdEndpoint.ClientCertificate.fromKeyStore(ks, new char[0]);
            fail("a key store without a key");
        } catch (java.security.GeneralSecurityException e) {
            assertEquals("the key store holds no private key with a certificate", e.getMessage());
        }
    }
}
