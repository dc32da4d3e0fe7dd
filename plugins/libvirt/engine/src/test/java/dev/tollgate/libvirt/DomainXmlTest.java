package dev.tollgate.libvirt;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.tollgate.cloud.port.Fingerprint;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.Test;

public class DomainXmlTest {
    private static final Fingerprint FP = new Fingerprint("ctl-1", "kvm", "small", "kvm-small-1",
            Instant.parse("2026-11-28T10:00:00Z"));

    @Test
    public void placeholdersAreFilledXmlEscapedAndUnknownOnesReported() {
        String t = "<domain><name>{{name}}</name><x a='{{network}}'/>{{mystery}}</domain>";
        assertEquals(Set.of("mystery"), DomainXml.unknownPlaceholders(t));
        String filled = DomainXml.fill(t, Map.of("name", "a&b<c>", "network", "n'1\""));
        assertEquals("<domain><name>a&amp;b&lt;c&gt;</name><x a='n&apos;1&quot;'/>{{mystery}}</domain>", filled);
        assertEquals("a&b<c>", DomainXml.parse(filled.replace("{{mystery}}", "")).getElementsByTagName("name").item(0)
                .getTextContent());
    }

    @Test
    public void theFingerprintAndEnvGoInAndComeOutAndAHandedBackDomainKeepsItsOwnParts() {
        String base = "<domain type='kvm'><name>minion1</name><metadata><app:x xmlns:app='urn:app'/></metadata>"
                + "<sysinfo type='smbios'><oemStrings><entry>site=lab</entry></oemStrings></sysinfo>"
                + "<os><type>hvm</type></os></domain>";
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AGENT_NAME", "kvm-small-1");
        env.put("JENKINS_SECRET", "s3cr3t&<>");
        String xml = DomainXml.withAgent(base, new DomainXml.Owned(FP, "pool/vol.qcow2"), env);
        assertEquals(env, DomainXml.oemEnv(xml));
        assertTrue(xml, xml.contains("<smbios mode=\"sysinfo\"/>"));
        assertTrue(xml, xml.contains("<entry>site=lab</entry>"));
        // as virDomainGetMetadata returns it
        int from = xml.indexOf("<tollgate:agent");
        String element = xml.substring(from, xml.indexOf("/>", from) + 2);
        DomainXml.Owned owned = DomainXml.readOwned(element);
        assertEquals(FP, owned.fingerprint());
        assertEquals("pool/vol.qcow2", owned.overlay());

        // taken again by the next agent: the previous agent's parts are replaced, not added to
        String again = DomainXml.withAgent(xml, new DomainXml.Owned(FP, null), Map.of("JENKINS_SECRET", "other"));
        assertEquals(Map.of("JENKINS_SECRET", "other"), DomainXml.oemEnv(again));
        assertEquals(again, again.indexOf("<tollgate:agent"), again.lastIndexOf("<tollgate:agent"));

        String back = DomainXml.withoutAgent(xml);
        assertFalse(back, back.contains("s3cr3t"));
        assertFalse(back, back.contains(DomainXml.NS));
        assertTrue(back, back.contains("urn:app"));
        assertTrue(back, back.contains("<entry>site=lab</entry>"));
    }

    @Test
    public void aPartialOrForeignMetadataElementIsNoFingerprint() {
        assertNull(DomainXml.readOwned(null));
        assertNull(DomainXml.readOwned("<x:agent xmlns:x='" + DomainXml.NS + "' controller='c'/>"));
        assertNull(DomainXml.readOwned("<x:agent xmlns:x='" + DomainXml.NS + "' controller='c' cloud='c' template='t' "
                + "agent='a' created-at='yesterday'/>"));
        assertNull(DomainXml.readOwned("not xml"));
    }

    @Test
    public void doctypesAndOtherRootsAreRefused() {
        try {
            DomainXml.withAgent("<!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><domain>&x;</domain>",
                    new DomainXml.Owned(FP, null), null);
            fail("accepted a DOCTYPE");
        } catch (IllegalArgumentException expected) {
            // refused before any entity is read
        }
        try {
            DomainXml.withAgent("<network/>", new DomainXml.Owned(FP, null), null);
            fail("accepted a root that is not <domain>");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("<domain>"));
        }
    }

    @Test
    public void volumeXmlCarriesTheBackingStoreAndFileTimesAreRead() {
        String v = DomainXml.overlayVolume("a&b.qcow2", 1024, "/images/base'1.qcow2");
        assertEquals("/images/base'1.qcow2", DomainXml.backingPath(v));
        assertEquals(Instant.ofEpochSecond(1764324000, 123456789), DomainXml.volumeCreated("<volume><target><timestamps>"
                + "<atime>1764329999.1</atime><ctime>1764324000.123456789</ctime></timestamps></target></volume>"));
        assertNull(DomainXml.volumeCreated("<volume><target/></volume>"));
    }
}
