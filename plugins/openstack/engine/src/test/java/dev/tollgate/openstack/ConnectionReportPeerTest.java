package dev.tollgate.openstack;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.port.CloudException;
import dev.tollgate.testing.ManualClock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.Before;
import org.junit.Test;
import org.openstack4j.api.Builders;
import org.openstack4j.api.OSClient.OSClientV3;
import org.openstack4j.model.compute.Flavor;
import org.openstack4j.model.image.v2.ContainerFormat;
import org.openstack4j.model.image.v2.DiskFormat;
import org.openstack4j.model.image.v2.Image;
import org.openstack4j.model.network.Network;

/**
 * The "Test connection" report against the real control plane: what a launch of each template would
 * use now, each wrong setting as exactly one problem, no secret in any line, and nothing made (the
 * driver's calls are the Keystone token and reads; the peer's own client sees nothing new).
 */
public class ConnectionReportPeerTest {
    private final ManualClock clock = new ManualClock();
    private OpenStackPeer peer;

    @Before
    public void setUp() throws Exception {
        peer = OpenStackPeer.shared();
    }

    private OpenStackDriver driver(List<AgentTemplate<OpenStackOptions>> templates) {
        return PeerFixture.driver(peer, clock, templates);
    }

    private static OpenStackOptions.Builder plain() {
        return OpenStackOptions.builder().flavor("m1.agent").image(ImageSelector.byName("debian-12-20261120"))
                .networks(List.of("agents")).securityGroups(List.of("default")).keyPair("tollgate");
    }

    @Test
    public void aFullTemplateHasNoProblemsAndNamesWhatALaunchWouldUse() throws Exception {
        OpenStackDriver d = driver(List.of(PeerFixture.template("full", PeerFixture.fullOptions()),
                PeerFixture.template("by-id", OpenStackOptions.builder().flavor(peer.text("flavorId"))
                        .image(ImageSelector.byId(peer.image("debian-12-20261101"))).networks(List.of(peer.network("agents")))
                        .availabilityZone("nova").build())));
        OpenStackDriver.ConnectionReport r = readOnly(d);

        assertEquals(String.join("\n", r.lines()), List.of(), r.problems());
        int nova = peer.ready.get("ports").get("nova").asInt();
        assertEquals(List.of("authenticated as tollgate@Default (password)",
                "project tollgate (id " + peer.text("projectId") + ") in domain Default",
                "region RegionOne, interface public",
                "compute endpoint http://127.0.0.1:" + nova + "/v2.1",
                "image endpoint http://127.0.0.1:" + peer.ready.get("ports").get("glance").asInt(),
                "network endpoint http://127.0.0.1:" + peer.ready.get("ports").get("neutron").asInt()), r.lines().subList(0, 6));

        OSClientV3 os = peer.peerClient();
        String newest = peer.image("debian-12-20261120");
        Image chosen = os.imagesV2().get(newest);
        Flavor flavor = os.compute().flavors().get(peer.text("flavorId"));
        String flavorLine = "flavor m1.agent (id " + flavor.getId() + "): vCPUs " + flavor.getVcpus() + ", RAM " + flavor.getRam()
                + " MB, disk " + flavor.getDisk() + " GB";
        String agents = "network agents (id " + peer.network("agents") + ")";
        assertEquals(List.of(
                "image " + newest + " (debian-12-20261120, created " + chosen.getCreatedAt().toInstant()
                        + "), the newest image matching '^debian-12-' {tollgate_role=agent}",
                flavorLine,
                agents,
                "security group default (id " + peer.ready.get("networks").get("defaultSecurityGroup").asText() + ")",
                "key pair tollgate (" + os.compute().keypairs().get("tollgate").getFingerprint() + ")",
                "floating IP pool public (id " + peer.network("public") + "), an external network"), of(r, "full"));
        assertEquals(List.of(
                "image " + peer.image("debian-12-20261101") + " (debian-12-20261101), active",
                flavorLine,
                agents,
                "availability zone nova, available"), of(r, "by-id"));
        assertNoSecret(r, peer.text("password"));
    }

    @Test
    public void eachWrongSettingIsExactlyItsProblem() throws Exception {
        String missingId = UUID.randomUUID().toString();
        // an image with no data uploaded stays "queued": it exists but cannot be booted
        String queuedName = "queued-" + System.nanoTime();
        String queued = peer.peerClient().imagesV2().create(Builders.imageV2().name(queuedName).diskFormat(DiskFormat.RAW)
                .containerFormat(ContainerFormat.BARE).build()).getId();
        try {
            wrongSettings(missingId, queued, queuedName);
        } finally {
            peer.peerClient().imagesV2().delete(queued);
        }
    }

    private void wrongSettings(String missingId, String queued, String queuedName) throws Exception {
        OpenStackDriver d = driver(List.of(
                PeerFixture.template("no-flavor", plain().flavor("m1.nope").build()),
                PeerFixture.template("no-key", plain().keyPair("nope-key").build()),
                PeerFixture.template("pool-inside", plain().floatingIpPool("agents").build()),
                PeerFixture.template("no-network", plain().networks(List.of("agents", "nope-net")).build()),
                PeerFixture.template("no-image", plain().image(ImageSelector.byName("debian-11-nope")).build()),
                PeerFixture.template("no-image-id", plain().image(ImageSelector.byId(missingId)).build()),
                PeerFixture.template("image-queued", plain().image(ImageSelector.byId(queued)).build()),
                PeerFixture.template("no-rule-match", plain().image(ImageSelector.rule("^windows", Map.of(), null)).build()),
                PeerFixture.template("no-zone", plain().availabilityZone("mars").build()),
                PeerFixture.template("no-group", plain().securityGroups(List.of("default", "nope-group")).build()),
                // the control plane runs no Cinder: its catalog has no block storage service
                PeerFixture.template("volume", plain().bootVolumeSizeGb(20).build())));
        OpenStackDriver.ConnectionReport r = readOnly(d);

        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("no-flavor", "no flavor named or with id 'm1.nope'");
        expected.put("no-key", "key pair 'nope-key' not found in Nova for user tollgate@Default (key pairs belong to a user)");
        expected.put("pool-inside", "floating IP pool 'agents' (id " + peer.network("agents")
                + ") is not an external network (router:external is false)");
        expected.put("no-network", "no network named or with id 'nope-net'");
        expected.put("no-image", "no active image is the image named 'debian-11-nope'");
        expected.put("no-image-id", "image " + missingId + " not found in Glance");
        expected.put("image-queued", "image " + queued + " (" + queuedName + ") is queued, not active");
        expected.put("no-rule-match", "no active image is the newest image matching '^windows' {}");
        expected.put("no-zone", "availability zone 'mars' not found (Nova has [nova])");
        expected.put("no-group", "no security group 'nope-group'");
        expected.put("volume", "boot volume of 20 GB: boot from volume needs the block storage service, and the catalog has no "
                + "volumev3 or block-storage endpoint for region RegionOne, interface public");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            List<String> mine = r.problems().stream().filter(p -> p.startsWith("template " + e.getKey() + ": ")).toList();
            assertEquals(e.getKey(), List.of("template " + e.getKey() + ": " + e.getValue()), mine);
        }
        assertEquals(String.join("\n", r.problems()), expected.size(), r.problems().size());
        assertTrue("the rest of a template is still checked", of(r, "no-key").contains("network agents (id " + peer.network("agents") + ")"));
        assertTrue(of(r, "no-network").contains("network agents (id " + peer.network("agents") + ")"));
        assertNoSecret(r, peer.text("password"));
    }

    @Test
    public void anApplicationCredentialIsNamedAndItsSecretIsNot() throws Exception {
        OpenStackCloudConfig c = PeerFixture.config(peer, peer.authUrl(), List.of(PeerFixture.template("full", PeerFixture.fullOptions())))
                .withCredentials(peer.applicationCredential()).withEndpointInterface("internal");
        OpenStackDriver.ConnectionReport r = readOnly(new OpenStackDriver(c, clock));
        assertEquals(String.join("\n", r.lines()), List.of(), r.problems());
        assertEquals("authenticated with application credential " + peer.text("applicationCredentialId") + " of user tollgate@Default",
                r.lines().get(0));
        assertEquals("region RegionOne, interface internal", r.lines().get(2));
        assertTrue(String.join("\n", r.lines()), of(r, "full").get(0).startsWith("image " + peer.image("debian-12-20261120")));
        assertNoSecret(r, peer.text("applicationCredentialSecret"));
        assertNoSecret(r, peer.text("password"));
    }

    @Test
    public void aCloudWithoutTemplatesShowsTheAuthenticationAndCatalogOnly() throws Exception {
        OpenStackDriver d = driver(List.of());
        OpenStackDriver.ConnectionReport r = readOnly(d);
        assertEquals(String.join("\n", r.lines()), 6, r.lines().size());
        assertEquals(List.of(), r.problems());
        assertEquals("the token only", Map.of("keystone.auth", 1L), d.calls());
    }

    @Test
    public void aRegionWithoutTheServicesIsAProblemNamingRegionAndInterface() throws Exception {
        OpenStackCloudConfig c = OpenStackCloudConfig.of("openstack", peer.authUrl(), peer.userPassword(), "RegionTwo",
                List.of(PeerFixture.template("full", PeerFixture.fullOptions()))).withEndpointInterface("admin");
        OpenStackDriver d = new OpenStackDriver(c, clock);
        OpenStackDriver.ConnectionReport r = readOnly(d);
        assertEquals(List.of("no compute endpoint in the catalog for region RegionTwo, interface admin",
                "no image endpoint in the catalog for region RegionTwo, interface admin",
                "no network endpoint in the catalog for region RegionTwo, interface admin"), r.problems());
        assertEquals("templates not checked: their lookups need the compute, image and network services",
                r.lines().get(r.lines().size() - 1));
        assertEquals("no API call without endpoints", Map.of("keystone.auth", 1L), d.calls());
    }

    @Test
    public void anAmbiguousNetworkNameIsAProblem() throws Exception {
        String name = "twin-" + System.nanoTime();
        OSClientV3 os = peer.peerClient();
        Network a = os.networking().network().create(Builders.network().name(name).build());
        Network b = os.networking().network().create(Builders.network().name(name).build());
        try {
            OpenStackDriver.ConnectionReport r = readOnly(driver(List.of(
                    PeerFixture.template("twins", plain().networks(List.of(name)).build()))));
            assertEquals(1, r.problems().size());
            String p = r.problems().get(0);
            assertTrue(p, p.startsWith("template twins: network name '" + name + "' is ambiguous: ")
                    && p.contains(a.getId()) && p.contains(b.getId()));
        } finally {
            os.networking().network().delete(a.getId());
            os.networking().network().delete(b.getId());
        }
    }

    @Test
    public void refusedCredentialsAreThePermanentExceptionAndNameNoSecret() {
        OpenStackDriver d = new OpenStackDriver(PeerFixture.config(peer, peer.authUrl(), List.of())
                .withCredentials(new OpenStackCredentials.Password("tollgate", "wrong-secret-91", null, "tollgate", null)), clock);
        try {
            d.connectionReport();
            fail("a report with refused credentials");
        } catch (CloudException e) {
            assertEquals(e.getMessage(), CloudException.Kind.PERMANENT, e.kind());
            assertFalse(e.getMessage(), e.getMessage().contains("wrong-secret-91"));
        }
    }

    /** The report's lines of one template, without the prefix. */
    private static List<String> of(OpenStackDriver.ConnectionReport r, String template) {
        String prefix = "template " + template + ": ";
        return r.lines().stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length())).toList();
    }

    private static void assertNoSecret(OpenStackDriver.ConnectionReport r, String secret) {
        for (String l : r.lines()) {
            assertFalse(l, l.contains(secret));
        }
        for (String l : r.problems()) {
            assertFalse(l, l.contains(secret));
        }
    }

    /**
     * The report, checked to have made nothing: the driver's calls are one Keystone token and reads
     * (no create, boot or delete), and the peer's own client sees no server, port, floating IP,
     * network, image, security group or key pair that was not there before.
     */
    private OpenStackDriver.ConnectionReport readOnly(OpenStackDriver d) throws CloudException {
        Set<String> before = peerState();
        OpenStackDriver.ConnectionReport r = d.connectionReport();
        Set<String> made = new HashSet<>(peerState());
        made.removeAll(before);
        assertEquals("made by the report", Set.of(), made);
        assertEquals(d.calls().toString(), 1L, d.calls().get("keystone.auth").longValue());
        for (String kind : d.calls().keySet()) {
            assertTrue("a call that is not a read: " + kind + " in " + d.calls(),
                    kind.equals("keystone.auth") || kind.endsWith(".list") || kind.endsWith(".get"));
        }
        return r;
    }

    private Set<String> peerState() {
        OSClientV3 os = peer.peerClient();
        List<String> out = new ArrayList<>();
        os.compute().servers().list(true).forEach(s -> out.add("server " + s.getId()));
        os.networking().port().list().forEach(p -> out.add("port " + p.getId()));
        os.networking().floatingip().list().forEach(f -> out.add("floating IP " + f.getId()));
        os.networking().network().list().forEach(n -> out.add("network " + n.getId()));
        os.networking().securitygroup().list().forEach(g -> out.add("security group " + g.getId()));
        os.imagesV2().list().forEach(i -> out.add("image " + i.getId()));
        os.compute().keypairs().list().forEach(k -> out.add("key pair " + k.getName()));
        return new HashSet<>(out);
    }
}
