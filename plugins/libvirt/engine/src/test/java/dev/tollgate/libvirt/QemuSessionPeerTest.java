package dev.tollgate.libvirt;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.tollgate.cloud.AgentRecord;
import dev.tollgate.cloud.AgentState;
import dev.tollgate.cloud.CloudEngine;
import dev.tollgate.cloud.CloudSettings;
import dev.tollgate.cloud.ConnectDecision;
import dev.tollgate.cloud.InMemoryAgentRegistry;
import dev.tollgate.cloud.ProvisionResult;
import dev.tollgate.cloud.port.Fingerprint;
import dev.tollgate.cloud.port.LaunchSpec;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Test;
import org.libvirt.StoragePool;

/**
 * The driver and the engine against a real QEMU under a real libvirt daemon (see {@link QemuSessionPeer}):
 * an agent's domain boots from its own copy-on-write overlay of the base image, its guest reads the
 * agent name, controller URL and secret from the SMBIOS OEM strings and connects back to the test's
 * listener; the agent ends, the guest ignores the ACPI request, is destroyed once the shutdown
 * time-out has passed on the test's clock, and its overlay is deleted.
 */
public class QemuSessionPeerTest {
    private static final String SECRET = "agent-secret-1d4b9f";
    /** A hang guard for the guest's boot under TCG (it takes ~20 s on an idle 2-core machine). */
    private static final int BOOT_TIMEOUT_MS = 240_000;

    private final QemuSessionPeer peer;
    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final ServerSocket controller;

    public QemuSessionPeerTest() throws Exception {
        peer = new QemuSessionPeer();
        controller = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        controller.setSoTimeout(BOOT_TIMEOUT_MS);
    }

    @After
    public void close() throws Exception {
        controller.close();
        pool.shutdownNow();
        pool.awaitTermination(5, TimeUnit.SECONDS);
        peer.close();
    }

    /** What the guest sent: its agent env from SMBIOS, and whether it saw its disk. */
    private Map<String, String> awaitGuest(String domain) throws Exception {
        try (Socket s = controller.accept()) {
            s.setSoTimeout(30_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            Map<String, String> got = new LinkedHashMap<>();
            for (String line = in.readLine(); line != null && !line.equals("END"); line = in.readLine()) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    got.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            return got;
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the guest did not connect back within " + BOOT_TIMEOUT_MS + " ms; its console:\n"
                    + peer.console(domain), e);
        }
    }

    @Test
    public void anAgentBootsFromItsOwnOverlayReadsItsEnvFromSmbiosConnectsBackAndLeavesNothing() throws Exception {
        InMemoryAgentRegistry registry = new InMemoryAgentRegistry(Map.of(
                "JENKINS_URL", "http://" + QemuSessionPeer.HOST_FROM_GUEST + ":" + controller.getLocalPort() + "/",
                "JENKINS_SECRET", SECRET));
        LibvirtDriver driver = peer.driver(LibvirtCloudConfig.of("qemu", peer.uri, List.of(
                dev.tollgate.cloud.AgentTemplate.builder("tcg").labels("linux").buildWaitTimeout(Duration.ZERO)
                        .options(peer.overlayOptions().build()).build()))
                .withShutdownTimeout(Duration.ofSeconds(30)));
        CloudEngine engine = CloudEngine.builder(CloudSettings.builder("qemu", "ctl-1").templates(driver.config().templates())
                        .build())
                .driver(driver).registry(registry).clock(peer.clock).executor(pool).random(new Random(3)).build();

        ProvisionResult r = engine.planWaiting(Map.of("linux", 1)).get("linux");
        AgentRecord rec = r.planned().get(0).future().get(60, TimeUnit.SECONDS);
        String agent = rec.agentName();
        String overlay = driver.overlayName("ctl-1", agent);
        assertEquals(List.of("domain " + agent, "volume " + QemuSessionPeer.POOL + "/" + overlay), peer.everything());

        // the agent's disk: a qcow2 overlay backed by the base image, copy-on-write (nearly empty)
        StoragePool p = peer.connect.storagePoolLookupByName(QemuSessionPeer.POOL);
        var vol = p.storageVolLookupByName(overlay);
        String volXml = vol.getXMLDesc(0);
        long allocation = vol.getInfo().allocation;
        vol.free();
        p.free();
        assertEquals(peer.basePath.toString(), DomainXml.backingPath(volXml));
        assertTrue("allocation " + allocation, allocation < 8L << 20);
        assertEquals(List.of(peer.poolDir.resolve(overlay).toString()), DomainXml.diskFiles(peer.connect
                .domainLookupByName(agent).getXMLDesc(0)));

        // the guest boots, reads its identity and the controller's URL from SMBIOS and connects back
        Map<String, String> guest = awaitGuest(agent);
        assertEquals(agent, guest.get("AGENT_NAME"));
        assertEquals(SECRET, guest.get("JENKINS_SECRET"));
        assertEquals("present", guest.get("DISK"));
        assertEquals(ConnectDecision.ACCEPTED, engine.agentConnected(guest.get("AGENT_NAME"), rec.instanceId()));
        registry.markConnected(agent);
        engine.buildStarted(agent);
        engine.buildFinished(agent);

        // the end: ACPI shutdown asked once; this guest has no ACPI daemon, so it is destroyed after 30 s
        engine.tick();
        assertEquals(AgentState.TERMINATING, engine.record(agent).orElseThrow().state());
        assertEquals(List.of("domain " + agent, "volume " + QemuSessionPeer.POOL + "/" + overlay), peer.everything());
        for (int i = 0; i < 40 && engine.record(agent).orElseThrow().state() == AgentState.TERMINATING; i++) {
            peer.clock.advance(Duration.ofSeconds(5));
            engine.tick();
        }
        assertEquals(AgentState.TERMINATED, engine.record(agent).orElseThrow().state());
        assertEquals(List.of(), peer.everything());
        assertFalse(Files.exists(peer.poolDir.resolve(overlay)));
        assertTrue(Files.exists(peer.basePath)); // the base image is never touched
    }

    @Test
    public void anOverlayLeftWithoutItsDomainIsFoundAndDeletedFromTheDisk() throws Exception {
        LibvirtDriver driver = peer.driver(LibvirtCloudConfig.of("qemu", peer.uri, List.of(
                dev.tollgate.cloud.AgentTemplate.builder("tcg").labels("linux").options(peer.overlayOptions().build()).build())));
        // a create whose domain XML libvirt refuses takes its overlay back; one cut short by a crash does
        // not: make that overlay by hand, as the crashed create would have
        String overlay = driver.overlayName("ctl-1", "qemu-tcg-crashed1");
        StoragePool p = peer.connect.storagePoolLookupByName(QemuSessionPeer.POOL);
        p.storageVolCreateXML(DomainXml.overlayVolume(overlay, 64L << 20, peer.basePath.toString()), 0).free();
        p.free();
        Path file = peer.poolDir.resolve(overlay);
        assertTrue(Files.exists(file));

        var listed = driver.listOwned("ctl-1");
        assertEquals(1, listed.size());
        assertEquals(QemuSessionPeer.POOL + "/" + overlay, listed.get(0).id());
        Fingerprint fp = listed.get(0).fingerprint();
        assertEquals("qemu-tcg-crashed1", fp.agentName());
        assertEquals("tcg", fp.template());
        driver.terminate(List.of(listed.get(0).id()));
        assertFalse(Files.exists(file));
        assertEquals(List.of(), peer.everything());

        // and a domain libvirt refuses (no such emulator) leaves no overlay behind
        LibvirtDriver broken = peer.driver(LibvirtCloudConfig.of("qemu", peer.uri, List.of(
                dev.tollgate.cloud.AgentTemplate.builder("tcg").labels("linux").options(peer.overlayOptions()
                        .domainXml(peer.domainXml().replace("<devices>", "<devices><emulator>/nonexistent/qemu</emulator>"))
                        .build()).build())));
        try {
            broken.create(new LaunchSpec("tcg", "qemu-tcg-broken1", new Fingerprint("ctl-1", "qemu", "tcg",
                    "qemu-tcg-broken1", peer.clock.instant()), Map.of()));
            throw new AssertionError("libvirt started a domain with a missing emulator");
        } catch (dev.tollgate.cloud.port.CloudException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("/nonexistent/qemu"));
        }
        assertEquals(List.of(), peer.everything());
    }
}
