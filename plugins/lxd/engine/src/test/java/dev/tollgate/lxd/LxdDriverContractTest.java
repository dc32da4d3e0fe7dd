package dev.tollgate.lxd;

import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.contract.CloudDriverContract;
import dev.tollgate.cloud.port.CloudDriver;
import dev.tollgate.testing.ManualClock;
import java.nio.file.Path;
import java.util.List;
import org.junit.AfterClass;
import org.junit.BeforeClass;

/** cloud-core's driver contract, run by the LXD driver against a real LXD daemon (one per class). */
public class LxdDriverContractTest extends CloudDriverContract {
    static LxdPeer peer;

    @BeforeClass
    public static void startPeer() throws Exception {
        peer = LxdPeer.start(LxdPeer.Flavor.LXD);
    }

    @AfterClass
    public static void stopPeer() {
        if (peer != null) {
            peer.close();
        }
    }

    static AgentTemplate<LxdOptions> busybox(String name) {
        return AgentTemplate.builder(name).labels("linux").options(LxdOptions.builder().image(LxdPeer.IMAGE)
                .agentCommand("/bin/sh", "-c", "exec sleep 2147483647").build()).build();
    }

    @Override
    protected Subject open(ManualClock clock) throws Exception {
        LxdCloudConfig config = LxdCloudConfig.of("lxd", new LxdEndpoint.Unix(peer.socket()), List.of(busybox("bb")));
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
            public java.util.Set<String> liveInPeer(String controllerId) throws Exception {
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
                return new LxdDriver(config.withEndpoint(new LxdEndpoint.Unix(Path.of(peer.dir.toString(), "nobody.socket"))));
            }

            @Override
            public void close() {
                driver.close();
            }
        };
    }
}
