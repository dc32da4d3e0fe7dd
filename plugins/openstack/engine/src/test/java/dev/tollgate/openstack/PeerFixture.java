package dev.tollgate.openstack;

import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.port.Fingerprint;
import java.net.URI;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.openstack4j.api.Builders;
import org.openstack4j.api.OSClient.OSClientV3;
import org.openstack4j.model.compute.Server;
import org.openstack4j.model.network.NetFloatingIP;

/** Templates and peer-side views shared by the tests that run against the real control plane. */
final class PeerFixture {
    static final String USER_DATA = "#!/bin/sh\n# agent {{agentName}} of {{templateName}}\nexport SECRET='{{TOLLGATE_AGENT_SECRET}}'\n";

    private PeerFixture() {
    }

    /** A template with everything: image rule, networks, security group, key pair, user data, metadata, floating IP. */
    static OpenStackOptions fullOptions() {
        return OpenStackOptions.builder().flavor("m1.agent")
                .image(ImageSelector.rule("^debian-12-", Map.of("tollgate_role", "agent"), ImageSelector.Order.NEWEST))
                .networks(List.of("agents")).securityGroups(List.of("default")).keyPair("tollgate")
                .userDataTemplate(USER_DATA).metadata(Map.of("purpose", "ci-agent"))
                .floatingIpPool("public").build();
    }

    /** The same without a floating IP: one create call. */
    static OpenStackOptions plainOptions() {
        return OpenStackOptions.builder().flavor("m1.agent").image(ImageSelector.byName("debian-12-20261120"))
                .networks(List.of("agents")).securityGroups(List.of("default")).keyPair("tollgate")
                .userDataTemplate(USER_DATA).metadata(Map.of("purpose", "ci-agent")).build();
    }

    static AgentTemplate<OpenStackOptions> template(String name, OpenStackOptions o) {
        return AgentTemplate.builder(name).labels(name).options(o).build();
    }

    static OpenStackCloudConfig config(OpenStackPeer peer, URI authUrl, List<AgentTemplate<OpenStackOptions>> templates) {
        return OpenStackCloudConfig.of("openstack", authUrl, peer.userPassword(), "RegionOne", templates);
    }

    static OpenStackDriver driver(OpenStackPeer peer, Clock clock, List<AgentTemplate<OpenStackOptions>> templates) {
        return new OpenStackDriver(config(peer, peer.authUrl(), templates), clock);
    }

    /**
     * What the peer holds for a controller, read with the peer's own client: live servers carrying its
     * fingerprint, and floating IPs carrying it that no live server holds (as {@code floating-ip:<id>},
     * the ids the driver reports leftovers under). A server whose delete Nova has accepted is not live:
     * its task state says {@code deleting}, or, when the delete met a build still in progress (Nova
     * then finishes the build's clean-up a moment later and the listing can show the server ACTIVE
     * meanwhile), its instance actions hold a {@code delete}.
     */
    static Set<String> liveInPeer(OpenStackPeer peer, String controllerId) {
        OSClientV3 os = peer.peerClient();
        Set<String> out = new HashSet<>();
        Set<String> held = new HashSet<>();
        for (Server s : os.compute().servers().list(true)) {
            Map<String, String> md = s.getMetadata() == null ? Map.of() : s.getMetadata();
            boolean live = OpenStackDriver.state(s) != dev.tollgate.cloud.port.CloudInstance.State.TERMINATED
                    && OpenStackDriver.state(s) != dev.tollgate.cloud.port.CloudInstance.State.FAILED;
            if (live && md.get(OpenStackOptions.FLOATING_IP) != null) {
                held.add(md.get(OpenStackOptions.FLOATING_IP));
            }
            if (live && controllerId.equals(md.get(Fingerprint.CONTROLLER)) && !deleteAccepted(os, s.getId())) {
                out.add(s.getId());
            }
        }
        for (NetFloatingIP f : os.networking().floatingip().list()) {
            Fingerprint fp = FingerprintText.decode(f.getDescription());
            if (fp != null && controllerId.equals(fp.controllerId()) && !held.contains(f.getId())) {
                out.add(OpenStackDriver.FLOATING_IP_ID + f.getId());
            }
        }
        return out;
    }

    private static boolean deleteAccepted(OSClientV3 os, String serverId) {
        try {
            return os.compute().servers().instanceActions().list(serverId).stream()
                    .anyMatch(a -> "delete".equals(a.getAction()));
        } catch (RuntimeException e) {
            return false; // gone between the listing and this call, or no answer: count it live (never hide a leak)
        }
    }

    /** Floating IPs of the project that carry a fingerprint of this controller, held or not. */
    static Set<String> floatingIps(OpenStackPeer peer, String controllerId) {
        Set<String> out = new HashSet<>();
        for (NetFloatingIP f : peer.peerClient().networking().floatingip().list()) {
            Fingerprint fp = FingerprintText.decode(f.getDescription());
            if (fp != null && controllerId.equals(fp.controllerId())) {
                out.add(f.getId());
            }
        }
        return out;
    }

    /** Boots a server with no fingerprint, as a person would; returns its id. */
    static String plantUnmarked(OpenStackPeer peer) {
        Server s = peer.peerClient().compute().servers().boot(Builders.server().name("someones-own")
                .flavor(peer.text("flavorId")).image(peer.image("debian-12-20261101"))
                .networks(List.of(peer.network("agents"))).build());
        return s.getId();
    }
}
