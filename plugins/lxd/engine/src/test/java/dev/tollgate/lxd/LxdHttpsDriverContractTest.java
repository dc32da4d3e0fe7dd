package dev.tollgate.lxd;

import dev.tollgate.cloud.contract.CloudDriverContract;
import dev.tollgate.cloud.port.CloudDriver;
import dev.tollgate.testing.ManualClock;
import dev.tollgate.testing.Peers;
import java.net.URI;
import java.util.List;
import java.util.Set;
import org.junit.AfterClass;
import org.junit.BeforeClass;

/** cloud-core's driver contract again, the driver talking HTTPS (trusted client certificate, pinned server). */
public class LxdHttpsDriverContractTest extends CloudDriverContract {
    private static LxdPeer peer;
    private static LxdEndpoint.Https endpoint;
    private static String[] client;

    @BeforeClass
    public static void startPeer() throws Exception {
        peer = LxdPeer.start();
        client = peer.newClientCertificate("contract");
        peer.trust(client[0], "contract");
        endpoint = new LxdEndpoint.Https(peer.https(), client[0], client[1],
                HttpsTransport.fingerprint(peer.serverCertificate()));
    }

    @AfterClass
    public static void stopPeer() {
        if (peer != null) {
            peer.close();
        }
    }

    @Override
    protected Subject open(ManualClock clock) throws Exception {
        LxdCloudConfig config = LxdCloudConfig.of("lxd", endpoint, List.of(LxdDriverContractTest.busybox("bb")));
        LxdDriver driver = new LxdDriver(config);
        return new Subject() {
            @Override
            public CloudDriver driver() {
                return driver;
            }

            @Override
            public String cloudName() {
                return "lxd";
            }

            @Override
            public String templateName() {
                return "bb";
            }

            @Override
            public String unknownInstanceId() {
                return "tg-no-such-instance";
            }

            @Override
            public Set<String> liveInPeer(String controllerId) throws Exception {
                return LxdPeerView.instancesOf(peer, controllerId);
            }

            @Override
            public String plantUnmarked() throws Exception {
                String name = "someones-own-" + Long.toHexString(System.nanoTime());
                peer.lxc("launch", LxdPeer.IMAGE, name);
                return name;
            }

            @Override
            public CloudDriver unreachableDriver() throws Exception {
                URI nobody = URI.create("https://127.0.0.1:" + Peers.freePort());
                return new LxdDriver(config.withEndpoint(new LxdEndpoint.Https(nobody, client[0], client[1],
                        endpoint.serverCertSha256())));
            }

            @Override
            public void close() {
                driver.close();
            }
        };
    }
}
