package dev.tollgate.openstack;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.tollgate.cloud.AgentRecord;
import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.CloudEngine;
import dev.tollgate.cloud.CloudSettings;
import dev.tollgate.cloud.InMemoryAgentRegistry;
import dev.tollgate.cloud.InMemoryLifecycleStore;
import dev.tollgate.cloud.port.CloudException;
import dev.tollgate.cloud.port.CloudInstance;
import dev.tollgate.cloud.port.Fingerprint;
import dev.tollgate.cloud.port.LaunchSpec;
import dev.tollgate.testing.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Before;
import org.junit.Test;
import org.openstack4j.api.Builders;
import org.openstack4j.model.compute.Server;
import org.openstack4j.model.network.NetFloatingIP;
import org.openstack4j.model.network.Port;

/** Floating IPs on the real control plane: allocated, associated, fingerprinted, released, and reaped when leaked. */
public class FloatingIpPeerTest {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private final ManualClock clock = new ManualClock();
    private OpenStackPeer peer;
    private OpenStackDriver driver;

    @Before
    public void setUp() throws Exception {
        peer = OpenStackPeer.shared();
        driver = PeerFixture.driver(peer, clock, List.of(PeerFixture.template("fip", PeerFixture.fullOptions()),
                PeerFixture.template("fip-bad-key", OpenStackOptions.builder().flavor("m1.agent")
                        .image(ImageSelector.byName("debian-12-20261120")).networks(List.of("agents"))
                        .keyPair("no-such-key").floatingIpPool("public").build())));
    }

    private LaunchSpec spec(String controller, String template, String agent) {
        return new LaunchSpec(template, agent, new Fingerprint(controller, "openstack", template, agent, clock.instant()),
                Map.of("TOLLGATE_AGENT_SECRET", "s3cret-fip"));
    }

    private static String controller() {
        return "ctl-fip-" + SEQ.incrementAndGet() + "-" + System.nanoTime();
    }

    @Test
    public void aFloatingIpIsAllocatedOnTheServersPortFingerprintedAndReleasedWithTheServer() throws Exception {
        String ctl = controller();
        CloudInstance made = driver.create(spec(ctl, "fip", "agent-fip-1"));
        assertNotNull("the floating address is known at once", made.address());

        Server s = peer.peerClient().compute().servers().get(made.id());
        String fipId = s.getMetadata().get(OpenStackOptions.FLOATING_IP);
        String portId = s.getMetadata().get(OpenStackOptions.PORT);
        NetFloatingIP fip = peer.peerClient().networking().floatingip().get(fipId);
        assertEquals(made.address(), fip.getFloatingIpAddress());
        assertEquals("associated with the server's port", portId, fip.getPortId());
        Fingerprint fp = FingerprintText.decode(fip.getDescription());
        assertEquals("agent-fip-1", fp.agentName());
        assertEquals(ctl, fp.controllerId());
        assertEquals("held by its live server: not a leftover", Set.of(made.id()), PeerFixture.liveInPeer(peer, ctl));
        assertEquals(Set.of(made.id()), Set.copyOf(driver.listOwned(ctl).stream().map(CloudInstance::id).toList()));

        driver.terminate(List.of(made.id()));
        assertNull("floating IP released", peer.peerClient().networking().floatingip().get(fipId));
        assertNull("port deleted", peer.peerClient().networking().port().get(portId));
        assertEquals(Set.of(), PeerFixture.floatingIps(peer, ctl));
        driver.terminate(List.of(made.id())); // again: nothing left, no error
    }

    @Test
    public void aRefusedBootReleasesTheFloatingIpItAllocated() throws Exception {
        String ctl = controller();
        try {
            driver.create(spec(ctl, "fip-bad-key", "agent-fip-2"));
            fail("booted with a key pair that does not exist");
        } catch (CloudException e) {
            assertTrue(e.getMessage(), e.kind() == CloudException.Kind.PERMANENT || e.kind() == CloudException.Kind.NOT_FOUND);
        }
        assertEquals(Set.of(), PeerFixture.floatingIps(peer, ctl));
        assertEquals(Set.of(), PeerFixture.liveInPeer(peer, ctl));
    }

    @Test
    public void aLeakedFloatingIpIsListedAndTheReaperReleasesItAfterTheGrace() throws Exception {
        String ctl = controller();
        // what a controller that died between the allocation and the boot leaves: a port and a fingerprinted floating IP
        Port port = peer.peerClient().networking().port().create(Builders.port().networkId(peer.network("agents"))
                .name(OpenStackDriver.PORT_NAME_PREFIX + "agent-fip-3").build());
        Fingerprint fp = new Fingerprint(ctl, "openstack", "fip", "agent-fip-3", clock.instant());
        NetFloatingIP leaked = peer.peerClient().networking().floatingip().create(Builders.netFloatingIP()
                .floatingNetworkId(peer.network("public")).portId(port.getId()).description(FingerprintText.encode(fp)).build());
        String leftover = OpenStackDriver.FLOATING_IP_ID + leaked.getId();
        assertEquals(Set.of(leftover), PeerFixture.liveInPeer(peer, ctl));
        List<CloudInstance> listed = driver.listOwned(ctl);
        assertEquals(1, listed.size());
        assertEquals(leftover, listed.get(0).id());
        assertEquals("agent-fip-3" + OpenStackDriver.FLOATING_IP_AGENT_SUFFIX, listed.get(0).fingerprint().agentName());

        InMemoryAgentRegistry registry = new InMemoryAgentRegistry(Map.of());
        CloudSettings settings = CloudSettings.builder("openstack", ctl).reaperGrace(Duration.ofMinutes(5))
                .interruptionCheckInterval(Duration.ZERO)
                .template(AgentTemplate.builder("fip").labels("fip").build()).build();
        CloudEngine engine = CloudEngine.builder(settings).driver(driver).registry(registry)
                .store(new InMemoryLifecycleStore()).clock(clock).executor(Runnable::run).random(new Random(1)).build();
        engine.reap();
        assertEquals("within the grace it may be a create in flight: kept", Set.of(leftover), PeerFixture.liveInPeer(peer, ctl));
        clock.advance(Duration.ofMinutes(6));
        engine.reap();
        assertEquals(Set.of(), PeerFixture.liveInPeer(peer, ctl));
        assertNull(peer.peerClient().networking().floatingip().get(leaked.getId()));
        assertNull("its port went with it", peer.peerClient().networking().port().get(port.getId()));
        assertTrue(engine.records().stream().map(AgentRecord::agentName).noneMatch(n -> n.startsWith("agent-fip-3")));
        assertFalse(registry.listOwned().contains("agent-fip-3"));
    }
}
