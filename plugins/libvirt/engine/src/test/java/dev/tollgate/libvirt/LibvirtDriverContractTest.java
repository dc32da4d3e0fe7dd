package dev.tollgate.libvirt;

import static org.junit.Assert.assertEquals;

import dev.tollgate.cloud.contract.CloudDriverContract;
import dev.tollgate.cloud.port.CloudDriver;
import dev.tollgate.cloud.port.CloudException.Kind;
import dev.tollgate.testing.ManualClock;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.xml.parsers.DocumentBuilderFactory;
import org.libvirt.Domain;
import org.libvirt.StoragePool;
import org.libvirt.Error.ErrorNumber;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * cloud-core's driver contract, run by the libvirt driver against libvirt's test hypervisor
 * ({@code test:///default}) through {@link TestDriverPeer}. The peer is opened per test: the test
 * hypervisor starts afresh once its connection closes, so every test sees a clean host, and after each
 * test the host must hold nothing but what the suite planted itself (domains AND overlay volumes).
 *
 * <p>What the suite calls an instance is, here, a domain carrying the driver's metadata, or an overlay
 * volume of the controller that no domain uses ({@code pool/volume}, as the driver lists it). Both are
 * read off the peer directly in {@link Subject#liveInPeer}: the domain XML, the pool's volumes.
 */
public class LibvirtDriverContractTest extends CloudDriverContract {
    private static final String TEMPLATE = "small";
    private static final AtomicInteger PLANTED = new AtomicInteger();

    /** The template under test: here an overlay of the base image per agent, transient domains. */
    protected LibvirtOptions options(TestDriverPeer peer) throws Exception {
        return TestDriverPeer.overlayOptions(peer.basePath()).build();
    }

    /** The call a create makes last (after the overlay, if any): where injected create errors go. */
    protected String lastCreateCall() {
        return "createTransient";
    }

    /** Domains the host keeps after every test (defined by {@link #options} for the driver to reuse). */
    protected List<String> keptDomains() {
        return List.of();
    }

    @Override
    protected Subject open(ManualClock clock) throws Exception {
        TestDriverPeer peer = new TestDriverPeer(clock);
        LibvirtCloudConfig config = peer.config(List.of(peer.template(TEMPLATE, options(peer))));
        LibvirtDriver driver = peer.driver(config);
        List<String> planted = new ArrayList<>(keptDomains());
        List<LibvirtDriver> unreachable = new ArrayList<>();
        Path nowhere = Files.createTempDirectory("libvirt-contract-");
        return new Subject() {
            @Override
            public CloudDriver driver() {
                return driver;
            }

            @Override
            public String cloudName() {
                return TestDriverPeer.CLOUD;
            }

            @Override
            public String templateName() {
                return TEMPLATE;
            }

            @Override
            public String unknownInstanceId() {
                return "no-such-domain";
            }

            @Override
            public Set<String> liveInPeer(String controllerId) throws Exception {
                return ofController(peer, controllerId);
            }

            @Override
            public String plantUnmarked() throws Exception {
                String name = "someones-own-" + PLANTED.incrementAndGet();
                String xml = DomainXml.fill(TestDriverPeer.DOMAIN_XML, Map.of("name", name, "disk", "/var/lib/someone.img",
                        "memoryMib", "256", "vcpus", "1", "network", "default", "mac", "52:54:00:aa:bb:cc"));
                Domain d = peer.connect.domainCreateXML(xml, 0);
                d.free();
                planted.add(name);
                return name;
            }

            @Override
            public CloudDriver unreachableDriver() {
                // the remote driver aimed at a daemon socket nobody listens on
                LibvirtDriver d = LibvirtDriver.connect(LibvirtCloudConfig.of(TestDriverPeer.CLOUD,
                        "qemu+unix:///system?socket=" + nowhere.resolve("libvirt-sock"), config.templates()), clock);
                unreachable.add(d);
                return d;
            }

            @Override
            public boolean failNext(Op op, Kind kind) throws Exception {
                ErrorNumber code = switch (kind) {
                    case THROTTLED -> null; // libvirt has no rate limit to answer with
                    case CAPACITY -> ErrorNumber.VIR_ERR_NO_MEMORY;
                    case TRANSIENT -> op == Op.DESCRIBE ? ErrorNumber.VIR_ERR_INTERNAL_ERROR : ErrorNumber.VIR_ERR_RPC;
                    case PERMANENT -> ErrorNumber.VIR_ERR_ACCESS_DENIED;
                    // "no such domain" on a describe is the answer "unknown id" (left out, as the port asks),
                    // and a listing has nothing to not find; a create finds its base image gone
                    // (a create's NOT_FOUND: the domain went between the calls of the create)
                    case NOT_FOUND -> op == Op.CREATE || op == Op.TERMINATE ? ErrorNumber.VIR_ERR_NO_DOMAIN : null;
                };
                if (code == null) {
                    return false;
                }
                String method = switch (op) {
                    // the last call, after the overlay was made or the domain marked: a failed create takes
                    // back what it made
                    case CREATE -> lastCreateCall();
                    case DESCRIBE, TERMINATE -> "metadata";
                    case LIST -> "domainsWithMetadata";
                };
                driver.describe(List.of()); // the driver connects at its first call: the faults go on that connection
                peer.faults().failNext(method, code, 1);
                return true;
            }

            @Override
            public void close() throws Exception {
                try {
                    unreachable.forEach(LibvirtDriver::close);
                    List<String> left = new ArrayList<>(peer.everything());
                    planted.forEach(p -> left.remove("domain " + p));
                    assertEquals("left on the libvirt host after the test", List.of(), left);
                    for (String kept : keptDomains()) {
                        assertEquals("reused domain " + kept + " handed back unmarked", null,
                                markedController(peer.domainXml(kept)));
                    }
                } finally {
                    peer.close();
                    Files.deleteIfExists(nowhere);
                }
            }
        };
    }

    /**
     * Live instances of the controller, read off the peer: domains whose metadata names it, and its
     * overlays that no domain uses.
     */
    static Set<String> ofController(TestDriverPeer peer, String controllerId) throws Exception {
        Set<String> out = new HashSet<>();
        List<String> allXml = new ArrayList<>();
        List<String> names = new ArrayList<>(List.of(peer.connect.listDefinedDomains()));
        for (int id : peer.connect.listDomains()) {
            Domain d = peer.connect.domainLookupByID(id);
            try {
                names.add(d.getName());
            } finally {
                d.free();
            }
        }
        for (String name : names) {
            String xml = peer.domainXml(name);
            allXml.add(xml);
            if (controllerId.equals(markedController(xml))) {
                out.add(name);
            }
        }
        String prefix = LibvirtDriver.OVERLAY_PREFIX + LibvirtDriver.ownerKey(controllerId, TestDriverPeer.CLOUD) + "-";
        StoragePool pool = peer.connect.storagePoolLookupByName(TestDriverPeer.POOL);
        try {
            for (String v : pool.listVolumes()) {
                if (v.startsWith(prefix) && allXml.stream().noneMatch(x -> x.contains("/" + v + "'")
                        || x.contains("/" + v + "\""))) {
                    out.add(TestDriverPeer.POOL + "/" + v);
                }
            }
        } finally {
            pool.free();
        }
        return out;
    }

    /** The controller attribute of the driver's metadata element in a domain's XML, or null. */
    private static String markedController(String domainXml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        NodeList marks = f.newDocumentBuilder().parse(new InputSource(new StringReader(domainXml)))
                .getElementsByTagNameNS(DomainXml.NS, "agent");
        return marks.getLength() == 0 ? null : ((Element) marks.item(0)).getAttribute("controller");
    }
}
