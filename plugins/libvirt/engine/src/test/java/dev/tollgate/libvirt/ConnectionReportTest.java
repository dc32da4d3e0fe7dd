package dev.tollgate.libvirt;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** The "Test connection" report, on libvirt's test hypervisor. */
public class ConnectionReportTest {
    private TestDriverPeer peer;

    @Before
    public void start() throws Exception {
        peer = new TestDriverPeer();
    }

    @After
    public void stop() throws Exception {
        peer.close();
    }

    @Test
    public void reportsHypervisorPoolsBaseImageAndReusedDomains() throws Exception {
        String xml = DomainXml.fill(TestDriverPeer.DOMAIN_XML, Map.of("name", "minion1", "disk", "/x.img", "memoryMib",
                "256", "vcpus", "1", "network", "default", "mac", "52:54:00:00:00:01"));
        peer.connect.domainDefineXML(xml).free();
        LibvirtCloudConfig config = peer.config(List.of(
                peer.template("small", TestDriverPeer.overlayOptions(peer.basePath()).build()),
                peer.template("reuse", LibvirtOptions.builder().existingDomains(List.of("minion1", "test")).build())));
        ConnectionReport r = ConnectionReport.of(config);
        String all = String.join("\n", r.lines());
        assertTrue(all, r.ok());
        assertTrue(all, r.lines().get(0).startsWith("connected to test:///default: hypervisor TEST "));
        assertTrue(all, all.contains("storage pools: " + TestDriverPeer.POOL));
        assertTrue(all, all.contains("template small: base image " + peer.basePath() + ", 2.0 GiB"));
        assertTrue(all, all.contains("template reuse: domain minion1 shut off, free"));
        assertTrue(all, all.contains("template reuse: domain test running, in use outside Tollgate"));
        assertEquals("nothing made or changed", List.of("domain minion1"), peer.everything());
    }

    @Test
    public void missingThingsAndAnUnreachableHostAreShown() throws Exception {
        LibvirtCloudConfig config = peer.config(List.of(peer.template("small",
                TestDriverPeer.overlayOptions("/nowhere/base.qcow2").storagePool("no-pool").build()),
                peer.template("reuse", LibvirtOptions.builder().existingDomains(List.of("ghost")).build())));
        ConnectionReport r = ConnectionReport.of(config);
        String all = String.join("\n", r.lines());
        assertFalse(all, r.ok());
        assertTrue(all, all.contains("! template small: storage pool no-pool not found"));
        assertTrue(all, all.contains("! template small: base image /nowhere/base.qcow2 is not a volume of any pool"));
        assertTrue(all, all.contains("! template reuse: domain ghost: "));
        ConnectionReport down = ConnectionReport.of(LibvirtCloudConfig.of("kvm",
                "qemu+unix:///system?socket=/nonexistent/libvirt-sock", List.of()));
        assertFalse(down.ok());
        assertTrue(down.lines().toString(), down.lines().get(0).startsWith("! cannot connect to qemu+unix:///system"));
    }
}
