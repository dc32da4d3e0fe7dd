package dev.tollgate.openstack;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.tollgate.cloud.port.CloudException;
import dev.tollgate.cloud.port.CloudInstance;
import dev.tollgate.cloud.port.Fingerprint;
import dev.tollgate.cloud.port.LaunchSpec;
import dev.tollgate.testing.ManualClock;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.Before;
import org.junit.Test;
import org.openstack4j.api.Builders;
import org.openstack4j.model.common.Payloads;
import org.openstack4j.model.compute.Server;
import org.openstack4j.model.image.v2.ContainerFormat;
import org.openstack4j.model.image.v2.DiskFormat;
import org.openstack4j.model.image.v2.Image;

/**
 * Against the real control plane: Keystone v3 with a password and with an application credential, the
 * endpoint interface, and how a template's image is chosen (id, name, rules over Glance's list).
 */
public class ImageAndAuthPeerTest {
    private final ManualClock clock = new ManualClock();
    private OpenStackPeer peer;

    @Before
    public void setUp() throws Exception {
        peer = OpenStackPeer.shared();
    }

    private OpenStackDriver driver(OpenStackCredentials credentials, String endpointInterface) {
        OpenStackCloudConfig c = PeerFixture.config(peer, peer.authUrl(), List.of(PeerFixture.template("plain", PeerFixture.plainOptions())))
                .withCredentials(credentials).withEndpointInterface(endpointInterface);
        return new OpenStackDriver(c, clock);
    }

    @Test
    public void anApplicationCredentialAndTheInternalInterfaceWork() throws Exception {
        OpenStackDriver d = driver(peer.applicationCredential(), "internal");
        String ctl = "ctl-appcred-" + System.nanoTime();
        CloudInstance made = d.create(new LaunchSpec("plain", "agent-ac-1",
                new Fingerprint(ctl, "openstack", "plain", "agent-ac-1", clock.instant()), Map.of("TOLLGATE_AGENT_SECRET", "x")));
        assertEquals(List.of(made.id()), d.listOwned(ctl).stream().map(CloudInstance::id).toList());
        Server s = peer.peerClient().compute().servers().get(made.id());
        assertEquals("the seed's meta dictionary goes into the server's metadata", "ci-agent", s.getMetadata().get("purpose"));
        assertEquals(ctl, s.getMetadata().get(Fingerprint.CONTROLLER));
        assertEquals("tollgate", s.getKeyName());
        d.terminate(List.of(made.id()));
        assertEquals(1, d.calls().get("keystone.auth").longValue());
    }

    @Test
    public void userDataIsFilledInAndSecretsStayOutOfMessages() throws Exception {
        String rendered = UserData.render(PeerFixture.USER_DATA, new LaunchSpec("plain", "agent-ud",
                new Fingerprint("c", "openstack", "plain", "agent-ud", clock.instant()), Map.of("TOLLGATE_AGENT_SECRET", "s3")));
        String text = new String(Base64.getDecoder().decode(rendered), StandardCharsets.UTF_8);
        assertTrue(text, text.contains("agent agent-ud of plain") && text.contains("SECRET='s3'"));
        try {
            UserData.render("{{NOPE}}", new LaunchSpec("plain", "a", new Fingerprint("c", "o", "plain", "a", clock.instant()),
                    Map.of("TOLLGATE_AGENT_SECRET", "s3")));
            fail();
        } catch (CloudException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("[NOPE]"));
            assertFalse(e.getMessage(), e.getMessage().contains("s3"));
        }
    }

    @Test
    public void aWrongPasswordIsPermanentAndNamesNoSecret() {
        OpenStackDriver d = driver(new OpenStackCredentials.Password("tollgate", "wrong-secret-77", null, "tollgate", null), "public");
        try {
            d.listOwned("ctl-x");
            fail("listed with a wrong password");
        } catch (CloudException e) {
            assertEquals(e.getMessage(), CloudException.Kind.PERMANENT, e.kind());
            assertFalse(e.getMessage(), e.getMessage().contains("wrong-secret-77"));
        }
    }

    @Test
    public void imagesAreChosenByIdByNameAndByRule() throws Exception {
        OpenStackDriver d = driver(peer.userPassword(), "public");
        assertEquals(peer.image("debian-12-20261101"), d.resolveImage(ImageSelector.byId(peer.image("debian-12-20261101"))));
        assertEquals(peer.image("debian-12-20261120"), d.resolveImage(ImageSelector.byName("debian-12-20261120")));
        assertEquals("newest debian", peer.image("debian-12-20261120"),
                d.resolveImage(ImageSelector.rule("^debian-12-", Map.of(), ImageSelector.Order.NEWEST)));
        assertEquals("oldest debian", peer.image("debian-12-20261101"),
                d.resolveImage(ImageSelector.rule("^debian-12-", Map.of(), ImageSelector.Order.OLDEST)));
        assertEquals("by property", peer.image("fedora-40-20261115"),
                d.resolveImage(ImageSelector.rule(null, Map.of("os_distro", "fedora"), ImageSelector.Order.NEWEST)));
        assertEquals("newest of everything with the role", peer.image("fedora-40-20261115"),
                d.resolveImage(ImageSelector.rule(null, Map.of("tollgate_role", "agent"), ImageSelector.Order.NEWEST)));
        try {
            d.resolveImage(ImageSelector.rule("^windows", Map.of(), ImageSelector.Order.NEWEST));
            fail("chose an image no rule allows");
        } catch (CloudException e) {
            assertEquals(CloudException.Kind.PERMANENT, e.kind());
        }
    }

    @Test
    public void anImageReplacedUnderTheSameNameIsPickedUpAfterTheCache() throws Exception {
        OpenStackDriver d = driver(peer.userPassword(), "public");
        String name = "replaceable-" + System.nanoTime();
        String first = upload(name);
        assertEquals(first, d.resolveImage(ImageSelector.byName(name)));
        String second = upload(name);
        peer.peerClient().imagesV2().delete(first);
        assertEquals("cached", first, d.resolveImage(ImageSelector.byName(name)));
        clock.advance(Duration.ofMinutes(6));
        assertEquals("the replacement, once the cache expired", second, d.resolveImage(ImageSelector.byName(name)));
    }

    private String upload(String name) {
        Image img = peer.peerClient().imagesV2().create(Builders.imageV2().name(name).diskFormat(DiskFormat.RAW)
                .containerFormat(ContainerFormat.BARE).build());
        peer.peerClient().imagesV2().upload(img.getId(),
                Payloads.create(new ByteArrayInputStream(("image " + name).getBytes(StandardCharsets.UTF_8))), img);
        return img.getId();
    }
}
