package dev.tollgate.openstack;

import dev.tollgate.cloud.contract.CloudDriverContract;
import dev.tollgate.cloud.port.CloudDriver;
import dev.tollgate.testing.ManualClock;
import dev.tollgate.testing.Peers;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * cloud-core's driver contract, run by the OpenStack driver through openstack4j against the real
 * control plane (Keystone, Glance, Neutron, Nova with the fake virt driver). The template takes a
 * floating IP from the pool, so every scenario of the fault matrix also checks that no floating IP
 * outlives its server: the peer's view of a controller counts fingerprinted floating IPs that no live
 * server holds. The peer's errors cannot be chosen on demand here; {@code OpenStackFaultsTest} covers
 * the error mapping through an HTTP server in front of the real APIs.
 */
public class OpenStackDriverContractTest extends CloudDriverContract {

    @Override
    protected Subject open(ManualClock clock) throws Exception {
        OpenStackPeer peer = OpenStackPeer.shared();
        List<dev.tollgate.cloud.AgentTemplate<OpenStackOptions>> templates =
                List.of(PeerFixture.template("agent", PeerFixture.fullOptions()));
        OpenStackDriver driver = PeerFixture.driver(peer, clock, templates);
        return new Subject() {
            @Override
            public CloudDriver driver() {
                return driver;
            }

            @Override
            public String cloudName() {
                return "openstack";
            }

            @Override
            public String templateName() {
                return "agent";
            }

            @Override
            public String unknownInstanceId() {
                return UUID.randomUUID().toString();
            }

            @Override
            public Set<String> liveInPeer(String controllerId) {
                return PeerFixture.liveInPeer(peer, controllerId);
            }

            @Override
            public String plantUnmarked() {
                return PeerFixture.plantUnmarked(peer);
            }

            @Override
            public CloudDriver unreachableDriver() {
                URI nowhere = URI.create("http://127.0.0.1:" + Peers.freePort() + "/v3");
                return new OpenStackDriver(PeerFixture.config(peer, nowhere, templates), clock);
            }

            /**
             * A server deleted while Nova was still scheduling it can be created in its cell by the
             * conductor after the delete, listed for a moment, then destroyed by the conductor itself:
             * wait (bounded) until Nova has no such server and nothing else in flight.
             */
            @Override
            public void settle() throws Exception {
                peer.settle(java.time.Duration.ofSeconds(60));
            }

            @Override
            public void close() {
                // the peer is shared by the JVM's tests and stops with it
            }
        };
    }
}
