package dev.tollgate.openstack;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.port.CloudException.Kind;
import dev.tollgate.cloud.port.Fingerprint;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/** Configuration is refused with every problem listed; secrets stay out of strings; small pure parts. */
public class ConfigValidationTest {
    private static final URI KEYSTONE = URI.create("https://keystone.example.org:5000/v3");

    @Test
    public void everyProblemIsListedAtOnce() {
        OpenStackOptions bad = OpenStackOptions.builder().flavor(" ")
                .image(new ImageSelector("not-a-uuid", "also-a-name", null, Map.of(), null))
                .floatingIpPool("public").bootVolumeSizeGb(0).metadata(Map.of("tollgate:agent", "x", "bad/key", "v")).build();
        try {
            OpenStackCloudConfig.of("os", URI.create("https://keystone.example.org:5000/v2.0"),
                    new OpenStackCredentials.Password("u", "", null, null, null), null,
                    List.of(AgentTemplate.builder("t").options(bad).build())).withEndpointInterface("private");
            fail("accepted a bad configuration");
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            for (String expected : List.of("v3", "a password is required", "a project is required", "a flavor",
                    "exactly one of an id, a name", "must be an image UUID", "floating IP needs the network",
                    "bootVolumeSizeGb must be at least 1", "'tollgate:agent' is reserved", "metadata key 'bad/key'")) {
                assertTrue("missing '" + expected + "' in: " + m, m.contains(expected));
            }
        }
    }

    @Test
    public void secretsStayOutOfStrings() {
        OpenStackCloudConfig c = OpenStackCloudConfig.of("os", KEYSTONE,
                new OpenStackCredentials.Password("u", "pw-very-secret", null, "p", null), "RegionOne",
                List.of(AgentTemplate.builder("t").options(OpenStackOptions.builder().flavor("m1")
                        .image(ImageSelector.byName("img")).userDataTemplate("token=secret-in-user-data").build()).build()));
        assertFalse(c.toString(), c.toString().contains("pw-very-secret"));
        assertFalse(c.template("t").orElseThrow().toString(), c.template("t").orElseThrow().toString().contains("secret-in-user-data"));
        OpenStackCredentials ac = new OpenStackCredentials.ApplicationCredential("id-1", "ac-secret");
        assertFalse(ac.toString().contains("ac-secret"));
        assertEquals("public", c.endpointInterface());
    }

    @Test
    public void aBadImageRegexIsRefusedWithItsReason() {
        List<String> p = ImageSelector.rule("(a", Map.of(), ImageSelector.Order.NEWEST).problems("image");
        assertEquals(1, p.size());
        assertTrue(p.get(0), p.get(0).startsWith("image.nameRegex: "));
    }

    @Test
    public void fingerprintTextRoundTripsAndRefusesForeignText() {
        Fingerprint fp = new Fingerprint("ctl;1=x", "openstack", "small", "agent-1", Instant.parse("2026-11-28T12:00:00Z"));
        String text = FingerprintText.encode(fp);
        assertTrue(text, text.startsWith("tollgate controller=ctl%3B1%3Dx;"));
        assertEquals(fp, FingerprintText.decode(text));
        assertNull(FingerprintText.decode("someone's floating IP"));
        assertNull(FingerprintText.decode(null));
        assertNull("a cut one is not a fingerprint", FingerprintText.decode(text.substring(0, text.indexOf(";agent"))));
    }

    @Test
    public void httpAnswersMapToKinds() {
        assertEquals(Kind.CAPACITY, OpenStackErrors.ofStatus("boot", 403, "Quota exceeded for cores", null).kind());
        assertEquals(Kind.PERMANENT, OpenStackErrors.ofStatus("boot", 403, "Policy does not allow", null).kind());
        assertEquals(Kind.THROTTLED, OpenStackErrors.ofStatus("boot", 429, "", null).kind());
        assertEquals(Kind.THROTTLED, OpenStackErrors.ofStatus("boot", 413, "Over limit", null).kind());
        assertEquals(Kind.CAPACITY, OpenStackErrors.ofStatus("boot", 413, "Quota exceeded", null).kind());
        assertEquals(Kind.THROTTLED, OpenStackErrors.ofStatus("boot", 503, "", null).kind());
        assertEquals(Kind.TRANSIENT, OpenStackErrors.ofStatus("boot", 500, "MessagingTimeout", null).kind());
        assertEquals(Kind.TRANSIENT, OpenStackErrors.ofStatus("boot", 0, "", null).kind());
        assertEquals(Kind.NOT_FOUND, OpenStackErrors.ofStatus("get", 404, "", null).kind());
        assertEquals(Kind.TRANSIENT, OpenStackErrors.ofStatus("delete", 409, "task state deleting", null).kind());
        assertEquals(Kind.CAPACITY, OpenStackErrors.ofStatus("fip", 409, "No more IP addresses available on network", null).kind());
        assertEquals(Kind.PERMANENT, OpenStackErrors.ofStatus("boot", 400, "Invalid key_name provided", null).kind());
    }
}
