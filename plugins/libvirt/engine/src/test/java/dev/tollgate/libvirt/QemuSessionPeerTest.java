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
import dev.tollgate.cloud.port.AgentRegistry;
import dev.tollgate.cloud.port.AgentSpec;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Set;
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
 * two agents' domains boot, each from its own copy-on-write overlay of the base image; each guest reads
 * its agent name, the controller URL and its own secret from the SMBIOS OEM strings and connects back
 * to the test's listener; the agents end, the guests ignore the ACPI request, are destroyed once the
 * shutdown time-out has passed on the test's clock, and their overlays are deleted.
 */
public class QemuSessionPeerTest {
    private static final String SECRET = "agent-secret-1d4b9f";
    /**
     * A hang guard for the guests' boot under TCG: ~20 s on an idle 2-core machine, minutes when other
     * builds load it.
     */
    private static final int BOOT_TIMEOUT_MS = 420_000;

    private final QemuSessionPeer peer;
    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final ServerSocket controller;

    public QemuSessionPeerTest() throws Exception {
        peer = new QemuSessionPeer();
        controller = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
    }

    @After
    public void close() throws Exception {
        controller.close();
        pool.shutdownNow();
        pool.awaitTermination(5, TimeUnit.SECONDS);
        peer.close();
    }

    /**
     * What the guests sent, by agent name: their agent env from SMBIOS, and whether they saw their disk.
     * Waits until every one of the agents has reported (a guest retries until it gets through, so
     * a report may come twice), bounded by {@link #BOOT_TIMEOUT_MS} in all.
     */
    private Map<String, Map<String, String>> awaitGuests(List<String> agents) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BOOT_TIMEOUT_MS);
        Map<String, Map<String, String>> byAgent = new HashMap<>();
        while (!byAgent.keySet().containsAll(agents)) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                throw new AssertionError("guests did not all connect back within " + BOOT_TIMEOUT_MS + " ms (got "
                        + byAgent.keySet() + "); consoles:\n" + consoles(agents));
            }
            controller.setSoTimeout((int) left);
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
                byAgent.put(got.get("AGENT_NAME"), got);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("guests did not all connect back within " + BOOT_TIMEOUT_MS + " ms (got "
                        + byAgent.keySet() + "); consoles:\n" + consoles(agents), e);
            }
        }
        return byAgent;
    }

    private String consoles(List<String> domains) {
        StringBuilder out = new StringBuilder();
        for (String d : domains) {
            out.append("--- ").append(d).append(":\n").append(peer.console(d)).append('\n');
        }
        return out.toString();
    }

    /** The controller's agent list, handing each agent its own secret (as Jenkins does). */
    private static final class Registry implements AgentRegistry {
        final InMemoryAgentRegistry agents = new InMemoryAgentRegistry();
        final String url;

        Registry(String url) {
            this.url = url;
        }

        static String secretOf(String agent) {
            return "secret-of-" + agent;
        }

        @Override public void add(AgentSpec a) { agents.add(a); }
        @Override public void remove(String n) { agents.remove(n); }
        @Override public boolean isConnected(String n) { return agents.isConnected(n); }
        @Override public Set<String> listOwned() { return agents.listOwned(); }
        @Override public void takeOffline(String n, String reason) { agents.takeOffline(n, reason); }

        @Override
        public Map<String, String> connectionEnv(String agent, String template) {
            return Map.of("JENKINS_URL", url, "JENKINS_SECRET", secretOf(agent));
        }
    }

    @Test
    public void agentsBootFromTheirOwnOverlaysReadTheirOwnEnvFromSmbiosConnectBackAndLeaveNothing() throws Exception {
        Registry registry = new Registry("http://" + QemuSessionPeer.HOST_FROM_GUEST + ":" + controller.getLocalPort() + "/");
        LibvirtDriver driver = peer.driver(LibvirtCloudConfig.of("qemu", peer.uri, List.of(
                dev.tollgate.cloud.AgentTemplate.builder("tcg").labels("linux").buildWaitTimeout(Duration.ZERO)
                        .options(peer.overlayOptions().build()).build()))
                .withShutdownTimeout(Duration.ofSeconds(30)));
        CloudEngine engine = CloudEngine.builder(CloudSettings.builder("qemu", "ctl-1").templates(driver.config().templates())
                        .build())
                .driver(driver).registry(registry).clock(peer.clock).executor(pool).random(new Random(3)).build();

        ProvisionResult r = engine.planWaiting(Map.of("linux", 2)).get("linux");
        List<AgentRecord> recs = new ArrayList<>();
        for (var planned : r.planned()) {
            recs.add(planned.future().get(60, TimeUnit.SECONDS));
        }
        assertEquals(2, recs.size());
        List<String> expected = new ArrayList<>();
        for (AgentRecord rec : recs) {
            String overlay = driver.overlayName("ctl-1", rec.agentName());
            expected.add("domain " + rec.agentName());
            expected.add("volume " + QemuSessionPeer.POOL + "/" + overlay);
            // the agent's disk: a qcow2 overlay backed by the base image, copy-on-write (nearly empty)
            StoragePool p = peer.connect.storagePoolLookupByName(QemuSessionPeer.POOL);
            var vol = p.storageVolLookupByName(overlay);
            String volXml = vol.getXMLDesc(0);
            long allocation = vol.getInfo().allocation;
            vol.free();
            p.free();
            assertEquals(peer.basePath.toString(), DomainXml.backingPath(volXml));
            assertTrue("allocation " + allocation, allocation < 8L << 20);
            var d = peer.connect.domainLookupByName(rec.agentName());
            assertEquals(List.of(peer.poolDir.resolve(overlay).toString()), DomainXml.diskFiles(d.getXMLDesc(0)));
            d.free();
        }
        expected.sort(null);
        assertEquals(expected, peer.everything());

        // each guest boots, reads its own identity and the controller's URL from SMBIOS and connects back
        Map<String, Map<String, String>> byAgent = awaitGuests(recs.stream().map(AgentRecord::agentName).toList());
        for (AgentRecord rec : recs) {
            Map<String, String> guest = byAgent.get(rec.agentName());
            assertEquals(byAgent.keySet().toString(), Registry.secretOf(rec.agentName()), guest.get("JENKINS_SECRET"));
            assertEquals("present", guest.get("DISK"));
            assertEquals(ConnectDecision.ACCEPTED, engine.agentConnected(rec.agentName(), rec.instanceId()));
            registry.agents.markConnected(rec.agentName());
            engine.buildStarted(rec.agentName());
            engine.buildFinished(rec.agentName());
        }

        // the end: ACPI shutdown asked once; this guest has no ACPI daemon, so it is destroyed after 30 s
        engine.tick();
        for (AgentRecord rec : recs) {
            assertEquals(AgentState.TERMINATING, engine.record(rec.agentName()).orElseThrow().state());
        }
        assertEquals(expected, peer.everything());
        for (int i = 0; i < 40 && recs.stream().anyMatch(rec ->
                engine.record(rec.agentName()).orElseThrow().state() == AgentState.TERMINATING); i++) {
            peer.clock.advance(Duration.ofSeconds(5));
            engine.tick();
        }
        for (AgentRecord rec : recs) {
            assertEquals(AgentState.TERMINATED, engine.record(rec.agentName()).orElseThrow().state());
            assertFalse(Files.exists(peer.poolDir.resolve(driver.overlayName("ctl-1", rec.agentName()))));
        }
        assertEquals(List.of(), peer.everything());
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
