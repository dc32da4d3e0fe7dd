package dev.tollgate.libvirt;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.port.CloudException;
import dev.tollgate.cloud.port.CloudException.Kind;
import dev.tollgate.cloud.port.CloudInstance;
import dev.tollgate.cloud.port.Fingerprint;
import dev.tollgate.cloud.port.LaunchSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.After;
import org.junit.Test;
import org.libvirt.Domain;
import org.libvirt.DomainInfo.DomainState;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.StoragePool;

/**
 * The driver against real libvirt: its test hypervisor ({@code test:///default}) through libvirt-java
 * 0.5.4, JNA and Debian's libvirt0. Domains are really defined, started, shut down, destroyed and
 * undefined and volumes really made and deleted; only the guests are not real.
 */
public class LibvirtDriverPeerTest {
    private final TestDriverPeer peer;
    private LibvirtDriver driver;

    public LibvirtDriverPeerTest() throws Exception {
        peer = new TestDriverPeer();
        driver = peer.driver(peer.config(List.of(peer.template("small", TestDriverPeer.overlayOptions(peer.basePath()).build()))));
    }

    @After
    public void close() throws Exception {
        peer.close();
    }

    private static CloudException expectFailure(ThrowingRunnable r) {
        try {
            r.run();
        } catch (CloudException e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError("expected a CloudException, got " + e, e);
        }
        throw new AssertionError("expected a CloudException");
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private String volumeXml(String volume) throws Exception {
        StoragePool pool = peer.connect.storagePoolLookupByName(TestDriverPeer.POOL);
        try {
            var v = pool.storageVolLookupByName(volume);
            try {
                return v.getXMLDesc(0);
            } finally {
                v.free();
            }
        } finally {
            pool.free();
        }
    }

    @Test
    public void eachAgentGetsItsOwnDomainAndCopyOnWriteDiskAndOnlyItsOwnSecret() throws Exception {
        CloudInstance a = driver.create(peer.spec("small", "small-1"));
        CloudInstance b = driver.create(peer.spec("small", "small-2"));
        assertEquals("small-1", a.id());
        assertEquals(CloudInstance.State.PENDING, a.state());
        String volA = driver.overlayName(TestDriverPeer.CONTROLLER, "small-1");
        String volB = driver.overlayName(TestDriverPeer.CONTROLLER, "small-2");
        assertEquals(List.of("domain small-1", "domain small-2", "volume default-pool/" + volA,
                "volume default-pool/" + volB), peer.everything());

        // the overlay is a qcow2 volume backed by the base image, and it is the domain's disk
        String vx = volumeXml(volA);
        assertEquals(peer.basePath(), DomainXml.backingPath(vx));
        String xmlA = peer.domainXml("small-1");
        assertEquals(List.of("/default-pool/" + volA), DomainXml.diskFiles(xmlA));
        assertTrue(xmlA, xmlA.contains(DriverMac.of("small-1")));

        // the agent's env reaches its own domain only, as SMBIOS OEM strings
        Map<String, String> envA = DomainXml.oemEnv(xmlA);
        assertEquals("small-1", envA.get("AGENT_NAME"));
        assertEquals(TestDriverPeer.secretOf("small-1"), envA.get("JENKINS_SECRET"));
        assertEquals("https://ci.example.org/", envA.get("JENKINS_URL"));
        assertFalse(xmlA.contains(TestDriverPeer.secretOf("small-2")));
        assertTrue(peer.domainXml("small-2").contains(TestDriverPeer.secretOf("small-2")));

        // the fingerprint is read back from the domains' metadata
        List<CloudInstance> owned = driver.listOwned(TestDriverPeer.CONTROLLER);
        assertEquals(2, owned.size());
        for (CloudInstance ci : owned) {
            assertEquals(CloudInstance.State.RUNNING, ci.state());
            Fingerprint fp = ci.fingerprint();
            assertEquals(ci.id(), fp.agentName());
            assertEquals(TestDriverPeer.CONTROLLER, fp.controllerId());
            assertEquals(TestDriverPeer.CLOUD, fp.cloud());
            assertEquals("small", fp.template());
            assertEquals(peer.clock.instant(), fp.createdAt());
        }
        assertEquals(List.of(), driver.listOwned("another-controller"));
        assertEquals(2, driver.describe(List.of("small-1", "small-2", "never-made")).size());

        driver.terminate(List.of("small-1", "small-2"));
        assertEquals(List.of(), peer.everything());
        assertEquals(List.of(), driver.listOwned(TestDriverPeer.CONTROLLER));
        assertEquals(List.of(), driver.describe(List.of("small-1")));
        driver.terminate(List.of("small-1", "small-2")); // ending what is gone is not an error
    }

    /** The MAC the driver gives an agent, as the test expects to find it. */
    private static final class DriverMac {
        static String of(String agent) {
            return LibvirtDriver.macFor(agent);
        }
    }

    @Test
    public void aRetriedCreateFindsTheDomainItMadeInsteadOfMakingASecond() throws Exception {
        LaunchSpec spec = peer.spec("small", "small-1");
        CloudInstance first = driver.create(spec);
        CloudInstance again = driver.create(spec);
        assertEquals(first.id(), again.id());
        assertEquals(2, peer.everything().size()); // one domain, one overlay
        assertEquals(1, peer.faults().count("createTransient"));
    }

    @Test
    public void aDomainOfTheSameNameThatIsNotOursIsNeitherReplacedNorEnded() throws Exception {
        peer.connect.domainDefineXML("<domain type='test'><name>small-1</name><memory>1024</memory>"
                + "<os><type>hvm</type></os></domain>").free();
        CloudException e = expectFailure(() -> driver.create(peer.spec("small", "small-1")));
        assertEquals(Kind.PERMANENT, e.kind());
        assertTrue(e.getMessage(), e.getMessage().contains("small-1"));
        driver.terminate(List.of("small-1"));
        assertEquals(List.of("domain small-1"), peer.everything()); // still defined, no overlay left
        assertEquals(0, peer.faults().count("undefine"));
    }

    @Test
    public void persistentDomainsAreDefinedStartedAndUndefinedAtTheEnd() throws Exception {
        driver = peer.driver(peer.config(List.of(peer.template("small",
                TestDriverPeer.overlayOptions(peer.basePath()).persistent(true).build()))));
        driver.create(peer.spec("small", "small-1"));
        Domain d = peer.connect.domainLookupByName("small-1");
        assertEquals(1, d.isPersistent());
        assertEquals(DomainState.VIR_DOMAIN_RUNNING, d.getInfo().state);
        d.free();
        driver.terminate(List.of("small-1"));
        assertEquals(List.of(), peer.everything());
        assertEquals(1, peer.faults().count("undefine"));
    }

    @Test
    public void aGuestThatIgnoresShutdownIsDestroyedOnceTheTimeoutHasPassedOnTheClock() throws Exception {
        driver.create(peer.spec("small", "small-1"));
        peer.faults().ignoreShutdown(true);
        CloudException e = expectFailure(() -> driver.terminate(List.of("small-1")));
        assertEquals(Kind.TRANSIENT, e.kind());
        assertEquals("ShuttingDown", e.code());
        peer.clock.advance(Duration.ofSeconds(59));
        assertEquals("ShuttingDown", expectFailure(() -> driver.terminate(List.of("small-1"))).code());
        assertEquals(1, peer.faults().count("shutdown")); // asked once, not on every retry
        assertEquals(0, peer.faults().count("destroy"));
        assertEquals(2, peer.everything().size());

        peer.clock.advance(Duration.ofSeconds(1));
        driver.terminate(List.of("small-1"));
        assertEquals(1, peer.faults().count("destroy"));
        assertEquals(List.of(), peer.everything());
    }

    @Test
    public void aGuestThatShutsDownInTimeIsNeverDestroyed() throws Exception {
        driver.create(peer.spec("small", "small-1"));
        driver.terminate(List.of("small-1")); // the test hypervisor's guests stop at once
        assertEquals(1, peer.faults().count("shutdown"));
        assertEquals(0, peer.faults().count("destroy"));
        assertEquals(List.of(), peer.everything());
    }

    @Test
    public void aZeroShutdownTimeoutDestroysAtOnce() throws Exception {
        driver = peer.driver(peer.config(List.of(peer.template("small",
                TestDriverPeer.overlayOptions(peer.basePath()).build()))).withShutdownTimeout(Duration.ZERO));
        driver.create(peer.spec("small", "small-1"));
        driver.terminate(List.of("small-1"));
        assertEquals(0, peer.faults().count("shutdown"));
        assertEquals(1, peer.faults().count("destroy"));
        assertEquals(List.of(), peer.everything());
    }

    @Test
    public void valuesAreXmlEscapedWhereverTheyGo() throws Exception {
        String nasty = "a'b\"c<d>&e]]>";
        driver = peer.driver(peer.config(List.of(peer.template("small",
                TestDriverPeer.overlayOptions(peer.basePath()).network("net' evil='1").build()))));
        LaunchSpec spec = new LaunchSpec("small", "small-1", new Fingerprint(TestDriverPeer.CONTROLLER,
                TestDriverPeer.CLOUD, "small", "small-1", peer.clock.instant()), Map.of("JENKINS_SECRET", nasty));
        driver.create(spec);
        String xml = peer.domainXml("small-1");
        // the quote stayed inside the attribute: one network, named exactly so, and no attribute "evil"
        org.w3c.dom.NodeList sources = DomainXml.parse(xml).getElementsByTagName("source");
        String network = null;
        for (int i = 0; i < sources.getLength(); i++) {
            org.w3c.dom.Element e = (org.w3c.dom.Element) sources.item(i);
            assertFalse(xml, e.hasAttribute("evil"));
            if (e.hasAttribute("network")) {
                network = e.getAttribute("network");
            }
        }
        assertEquals("net' evil='1", network);
        assertEquals(nasty, DomainXml.oemEnv(peer.domainXml("small-1")).get("JENKINS_SECRET"));
    }

    @Test
    public void reusedDomainsAreTakenInTurnAndHandedBackCleanWithoutTheirSecret() throws Exception {
        for (String m : List.of("minion1", "minion2")) {
            peer.connect.domainDefineXML("<domain type='test'><name>" + m + "</name><memory>1048576</memory>"
                    + "<os><type>hvm</type></os></domain>").free();
        }
        driver = peer.driver(peer.config(List.of(peer.template("reuse", LibvirtOptions.builder()
                .existingDomains(List.of("minion1", "minion2")).build()))));
        assertEquals("minion1", driver.create(peer.spec("reuse", "reuse-1")).id());
        assertEquals("minion1", driver.create(peer.spec("reuse", "reuse-1")).id()); // retried: same domain
        assertEquals("minion2", driver.create(peer.spec("reuse", "reuse-2")).id());
        assertEquals(Kind.CAPACITY, expectFailure(() -> driver.create(peer.spec("reuse", "reuse-3"))).kind());
        assertTrue(peer.domainXml("minion1").contains(TestDriverPeer.secretOf("reuse-1")));
        List<CloudInstance> owned = driver.listOwned(TestDriverPeer.CONTROLLER);
        assertEquals(List.of("reuse-1", "reuse-2"), owned.stream().map(ci -> ci.fingerprint().agentName()).sorted().toList());

        driver.terminate(List.of("minion1"));
        Domain d = peer.connect.domainLookupByName("minion1");
        assertEquals(DomainState.VIR_DOMAIN_SHUTOFF, d.getInfo().state);
        String handedBack = d.getXMLDesc(2);
        d.free();
        assertFalse(handedBack, handedBack.contains(TestDriverPeer.SECRET));
        assertFalse(handedBack, handedBack.contains(DomainXml.NS));
        assertEquals(List.of("domain minion1", "domain minion2"), peer.everything()); // still defined
        assertEquals(List.of(new CloudInstance("minion1", CloudInstance.State.TERMINATED, null, null, false, Double.NaN))
                .toString(), driver.describe(List.of("minion1")).toString());

        assertEquals("minion1", driver.create(peer.spec("reuse", "reuse-3")).id());
        assertTrue(peer.domainXml("minion1").contains(TestDriverPeer.secretOf("reuse-3")));
        assertFalse(peer.domainXml("minion1").contains(TestDriverPeer.secretOf("reuse-1")));
    }

    @Test
    public void theListingFindsAnOverlayWithoutItsDomainAndTerminateDeletesIt() throws Exception {
        driver.create(peer.spec("small", "small-1"));
        // a crash between the overlay and its domain leaves an overlay alone
        String lonely = driver.overlayName(TestDriverPeer.CONTROLLER, "small-9");
        StoragePool pool = peer.connect.storagePoolLookupByName(TestDriverPeer.POOL);
        pool.storageVolCreateXML(DomainXml.overlayVolume(lonely, 1L << 30, peer.basePath()), 0).free();
        // and another controller's, and a volume that is not an overlay at all, stay out of it
        String others = driver.overlayName("ctl-2", "small-9");
        pool.storageVolCreateXML(DomainXml.overlayVolume(others, 1L << 30, peer.basePath()), 0).free();
        pool.free();

        List<CloudInstance> owned = driver.listOwned(TestDriverPeer.CONTROLLER);
        assertEquals(2, owned.size());
        CloudInstance stray = owned.stream().filter(ci -> ci.id().contains("/")).findFirst().orElseThrow();
        assertEquals(TestDriverPeer.POOL + "/" + lonely, stray.id());
        assertEquals(CloudInstance.State.STOPPING, stray.state()); // not gone: the reaper must end it
        assertEquals("small-9", stray.fingerprint().agentName());
        assertEquals("small", stray.fingerprint().template()); // by its base image
        assertEquals(peer.clock.instant(), stray.fingerprint().createdAt()); // first seen: no file times here

        peer.clock.advance(Duration.ofMinutes(1));
        assertEquals(stray.fingerprint().createdAt(), driver.listOwned(TestDriverPeer.CONTROLLER).stream()
                .filter(ci -> ci.id().contains("/")).findFirst().orElseThrow().fingerprint().createdAt());
        driver.terminate(List.of(stray.id()));
        assertEquals(List.of("domain small-1", "volume default-pool/" + driver.overlayName(TestDriverPeer.CONTROLLER,
                "small-1"), "volume default-pool/" + others), peer.everything());
        driver.terminate(List.of("default-pool/base.qcow2")); // never a volume that is not an overlay
        assertEquals(0, peer.faults().log().stream().filter(c -> c.contains("base.qcow2") && c.startsWith("deleteVolume")).count());
    }

    @Test
    public void aShutOffDomainThatIsStillDefinedIsReportedStoppingSoItGetsCleanedUp() throws Exception {
        driver = peer.driver(peer.config(List.of(peer.template("small",
                TestDriverPeer.overlayOptions(peer.basePath()).persistent(true).build()))));
        driver.create(peer.spec("small", "small-1"));
        Domain d = peer.connect.domainLookupByName("small-1");
        d.destroy(); // the guest powered off by itself
        d.free();
        assertEquals(CloudInstance.State.STOPPING, driver.describe(List.of("small-1")).get(0).state());
        driver.terminate(List.of("small-1"));
        assertEquals(List.of(), peer.everything());
    }

    @Test
    public void libvirtErrorsMapOntoTheEnginesKindsAndLeaveNothingBehind() throws Exception {
        driver.create(peer.spec("small", "warm-up")); // opens the connection
        peer.faults().failNext("createTransient", ErrorNumber.VIR_ERR_NO_MEMORY, 1);
        assertEquals(Kind.CAPACITY, expectFailure(() -> driver.create(peer.spec("small", "small-1"))).kind());
        peer.faults().failNext("createTransient", ErrorNumber.VIR_ERR_XML_DETAIL, 1);
        assertEquals(Kind.PERMANENT, expectFailure(() -> driver.create(peer.spec("small", "small-1"))).kind());
        peer.faults().failNext("createTransient", ErrorNumber.VIR_ERR_OPERATION_TIMEOUT, 1);
        assertEquals(Kind.TRANSIENT, expectFailure(() -> driver.create(peer.spec("small", "small-1"))).kind());
        peer.faults().failNext("domainsWithMetadata", ErrorNumber.VIR_ERR_INTERNAL_ERROR, 1);
        assertEquals(Kind.TRANSIENT, expectFailure(() -> driver.listOwned(TestDriverPeer.CONTROLLER)).kind());
        assertEquals(Kind.PERMANENT, expectFailure(() -> driver.create(peer.spec("nope", "x-1"))).kind());
        assertEquals(Kind.PERMANENT, expectFailure(() -> driver.create(peer.spec("small", "a/b"))).kind());
        // every failed create took its overlay back with it
        assertEquals(List.of("domain warm-up", "volume default-pool/" + driver.overlayName(TestDriverPeer.CONTROLLER,
                "warm-up")), peer.everything());
    }

    @Test
    public void aFullPoolIsCapacitySoTheEngineTriesAnotherTemplate() throws Exception {
        // the test hypervisor's pool holds 100 GiB
        driver = peer.driver(peer.config(List.of(peer.template("small",
                TestDriverPeer.overlayOptions(peer.basePath()).diskSizeGib(60).build()))));
        driver.create(peer.spec("small", "small-1"));
        CloudException e = expectFailure(() -> driver.create(peer.spec("small", "small-2")));
        assertEquals(e.getMessage(), Kind.CAPACITY, e.kind());
        assertEquals(2, peer.everything().size());
    }

    @Test
    public void aBrokenConnectionIsDroppedAndTheNextCallOpensANewOne() throws Exception {
        assertEquals(List.of(), driver.listOwned(TestDriverPeer.CONTROLLER));
        peer.faults().failNext("domainsWithMetadata", ErrorNumber.VIR_ERR_SYSTEM_ERROR, 1);
        assertEquals(Kind.TRANSIENT, expectFailure(() -> driver.listOwned(TestDriverPeer.CONTROLLER)).kind());
        assertEquals(1, driver.connectionsOpened());
        driver.create(peer.spec("small", "small-1"));
        assertEquals(2, driver.connectionsOpened());
        assertEquals(1, driver.listOwned(TestDriverPeer.CONTROLLER).size());
    }

    @Test
    public void aDaemonThatCannotBeReachedIsTransientSoTheEngineBacksOff() throws Exception {
        LibvirtDriver down = new LibvirtDriver(peer.config(List.of()), uri -> {
            throw new LibvirtError(ErrorNumber.VIR_ERR_SYSTEM_ERROR, "Failed to connect socket: No such file or directory");
        }, peer.clock);
        assertEquals(Kind.TRANSIENT, expectFailure(() -> down.listOwned(TestDriverPeer.CONTROLLER)).kind());
        // for real: no daemon listens for this URI's driver here
        LibvirtDriver none = LibvirtDriver.connect(LibvirtCloudConfig.of("kvm", "nosuchdriver:///x", List.of()), peer.clock);
        CloudException e = expectFailure(() -> none.listOwned(TestDriverPeer.CONTROLLER));
        assertEquals(e.getMessage(), Kind.TRANSIENT, e.kind());
        assertTrue(e.getMessage(), e.getMessage().startsWith("connect to nosuchdriver:///x: "));
        none.close();
    }

    @Test
    public void secretsAreMaskedInErrorsEvenWhenLibvirtQuotesTheXml() throws Exception {
        driver.listOwned(TestDriverPeer.CONTROLLER);
        String secret = TestDriverPeer.secretOf("small-1");
        peer.faults().faultMessage(": XML error: bad <entry>tollgate:JENKINS_SECRET=" + secret + "</entry>")
                .failNext("createTransient", ErrorNumber.VIR_ERR_XML_ERROR, 1);
        CloudException e = expectFailure(() -> driver.create(peer.spec("small", "small-1")));
        assertFalse(e.getMessage(), e.getMessage().contains(secret));
        assertTrue(e.getMessage(), e.getMessage().contains("****"));
        assertNull(e.getCause());
    }

    @Test
    public void templateMismatchIsRefusedBeforeAnyCall() {
        AgentTemplate<LibvirtOptions> t = peer.template("x", LibvirtOptions.builder().build());
        try {
            peer.config(List.of(t));
            fail("accepted a template without domainXml or existingDomains");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("either domainXml"));
        }
    }
}
