package dev.tollgate.libvirt;

import dev.tollgate.cloud.AgentRecord;
import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.CloudEngine;
import dev.tollgate.cloud.CloudSettings;
import dev.tollgate.cloud.InMemoryAgentRegistry;
import dev.tollgate.cloud.PlannedAgent;
import dev.tollgate.cloud.port.Fingerprint;
import dev.tollgate.cloud.port.LaunchSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.libvirt.StoragePool;

/**
 * Figures for docs/benchmarks.md:
 * <ol>
 *   <li>libvirt's test hypervisor: one agent's create + terminate through the driver (time, libvirt
 *   calls), and libvirt calls per agent lifetime with the engine driving (reaper listings included);</li>
 *   <li>libvirt's test hypervisor: provisioning 20 agents through the engine with its default settings
 *   (planner, token bucket of 2/s with a burst of 20, its own create threads, the system clock), from
 *   {@code provision} of 20 until all 20 creates have returned, checked by one {@code listOwned};</li>
 *   <li>a real libvirtd + QEMU ({@link QemuSessionPeer}): creating and deleting an agent's qcow2 overlay
 *   of the base image.</li>
 * </ol>
 * Args: [cycles, default 200] [overlays, default 50; 0 = skip the QEMU part].
 */
public final class LibvirtLifecycleBenchmark {
    private LibvirtLifecycleBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int cycles = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int overlays = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        testDriver(cycles);
        for (int r = 1; r <= 3; r++) {
            provisionTwenty("round " + r);
        }
        if (overlays > 0) {
            qemuOverlays(overlays);
        }
    }

    private static String ms(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return String.format("median %.2f ms, p90 %.2f ms", s[s.length / 2] / 1e6, s[s.length * 9 / 10] / 1e6);
    }

    private static void testDriver(int cycles) throws Exception {
        try (TestDriverPeer peer = new TestDriverPeer()) {
            AgentTemplate<LibvirtOptions> small = peer.template("small", TestDriverPeer.overlayOptions(peer.basePath()).build());
            LibvirtDriver driver = peer.driver(peer.config(List.of(small)));
            driver.listOwned(TestDriverPeer.CONTROLLER); // connect
            long[] create = new long[cycles];
            long[] terminate = new long[cycles];
            long callsBefore = driver.libvirtCalls();
            long createCalls = 0;
            for (int i = 0; i < cycles; i++) {
                LaunchSpec spec = peer.spec("small", "bench-" + i);
                long c0 = driver.libvirtCalls();
                long t0 = System.nanoTime();
                driver.create(spec);
                long t1 = System.nanoTime();
                createCalls += driver.libvirtCalls() - c0;
                driver.terminate(List.of(spec.agentName()));
                long t2 = System.nanoTime();
                create[i] = t1 - t0;
                terminate[i] = t2 - t1;
            }
            long calls = driver.libvirtCalls() - callsBefore;
            System.out.printf("test:///default, driver only, %d agents: create (overlay + transient domain) %s; "
                            + "terminate (ACPI shutdown, overlay deleted) %s; libvirt calls per agent %.1f (create %.1f, "
                            + "terminate %.1f)%n", cycles, ms(create), ms(terminate), (double) calls / cycles,
                    (double) createCalls / cycles, (double) (calls - createCalls) / cycles);

            // 40 agents of ours (the test pool holds 100 GiB) and 160 other domains: what one listing costs
            driver = peer.driver(peer.config(List.of(peer.template("small", TestDriverPeer.overlayOptions(peer.basePath())
                    .diskSizeGib(1).build()))));
            for (int i = 0; i < 160; i++) {
                if (i < 40) {
                    driver.create(peer.spec("small", "list-" + i));
                }
                peer.connect.domainDefineXML("<domain type='test'><name>other-" + i + "</name><memory>1024</memory>"
                        + "<os><type>hvm</type></os></domain>").free();
            }
            long c0 = driver.libvirtCalls();
            long t0 = System.nanoTime();
            int listed = driver.listOwned(TestDriverPeer.CONTROLLER).size();
            long t1 = System.nanoTime();
            System.out.printf("test:///default, one listOwned over 201 domains (%d ours) and the pool: %.1f ms, %d libvirt calls%n",
                    listed, (t1 - t0) / 1e6, driver.libvirtCalls() - c0);
            List<String> ours = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                ours.add("list-" + i);
            }
            driver.terminate(ours);
        }
        // the engine driving it: 10 agents at a time, a tick every 30 s, the reaper every 5 minutes
        try (TestDriverPeer peer = new TestDriverPeer()) {
            AgentTemplate<LibvirtOptions> small = peer.template("small", TestDriverPeer.overlayOptions(peer.basePath()).build());
            LibvirtDriver driver = peer.driver(peer.config(List.of(small)));
            InMemoryAgentRegistry registry = new InMemoryAgentRegistry(Map.of("JENKINS_SECRET", TestDriverPeer.SECRET));
            CloudEngine engine = CloudEngine.builder(CloudSettings.builder(TestDriverPeer.CLOUD, TestDriverPeer.CONTROLLER)
                            .requestRate(100, 100).templates(List.of(small)).build())
                    .driver(driver).registry(registry).clock(peer.clock).executor(Runnable::run).random(new Random(1)).build();
            int agents = 0;
            long t0 = System.nanoTime();
            for (int round = 0; round < cycles / 10; round++) {
                for (PlannedAgent p : engine.planWaiting(Map.of("linux", 10)).get("linux").planned()) {
                    AgentRecord r = p.future().get(10, TimeUnit.SECONDS);
                    engine.agentConnected(r.agentName(), r.instanceId());
                    registry.markConnected(r.agentName());
                    engine.buildStarted(r.agentName());
                    agents++;
                }
                for (int tick = 0; tick < 20; tick++) { // a 10-minute build, ticking every 30 s
                    peer.clock.advance(Duration.ofSeconds(30));
                    engine.tick();
                }
                for (AgentRecord r : engine.records()) {
                    if (r.state().isLive()) {
                        engine.buildFinished(r.agentName());
                    }
                }
                engine.tick();
            }
            long t1 = System.nanoTime();
            if (!peer.everything().isEmpty()) {
                throw new IllegalStateException("left behind: " + peer.everything());
            }
            System.out.printf("test:///default, engine driving, %d agents (10 at a time, 10-minute builds, reaper every "
                            + "5 min): %.1f libvirt calls per agent lifetime; %.2f s in all%n", agents,
                    (double) driver.libvirtCalls() / agents, (t1 - t0) / 1e9);
        }
    }

    /** 20 agents through the engine with its default settings; wall time until all 20 exist at the driver. */
    private static void provisionTwenty(String label) throws Exception {
        int n = 20;
        try (TestDriverPeer peer = new TestDriverPeer()) {
            AgentTemplate<LibvirtOptions> small = peer.template("small", TestDriverPeer.overlayOptions(peer.basePath())
                    .diskSizeGib(1).build());
            LibvirtDriver driver = peer.driver(peer.config(List.of(small)));
            InMemoryAgentRegistry registry = new InMemoryAgentRegistry(Map.of("JENKINS_SECRET", TestDriverPeer.SECRET));
            CloudEngine engine = CloudEngine.builder(CloudSettings.builder(TestDriverPeer.CLOUD, TestDriverPeer.CONTROLLER)
                    .templates(List.of(small)).build()).driver(driver).registry(registry).build();
            try {
                long c0 = driver.libvirtCalls();
                long t0 = System.nanoTime();
                List<PlannedAgent> planned = engine.provision("linux", n).planned();
                long[] each = new long[planned.size()];
                for (int i = 0; i < planned.size(); i++) {
                    planned.get(i).future().get(60, TimeUnit.SECONDS);
                    each[i] = System.nanoTime() - t0;
                }
                long all = System.nanoTime() - t0;
                long calls = driver.libvirtCalls() - c0;
                int listed = driver.listOwned(TestDriverPeer.CONTROLLER).size();
                if (planned.size() != n || listed != n) {
                    throw new AssertionError("planned " + planned.size() + ", listed " + listed + " of " + n);
                }
                Arrays.sort(each);
                // futures are joined in planned order, so each entry is when that agent was seen done
                System.out.printf("test:///default, %s, 20 agents, engine defaults: provision → all 20 exist %.1f ms "
                                + "(the 10th planned seen done at %.1f ms), %d libvirt calls%n", label, all / 1e6,
                        each[n / 2 - 1] / 1e6, calls);
                driver.terminate(planned.stream().map(PlannedAgent::agentName).toList());
            } finally {
                engine.shutdown();
            }
            if (!peer.everything().isEmpty()) {
                throw new IllegalStateException("left behind: " + peer.everything());
            }
        }
    }

    private static void qemuOverlays(int n) throws Exception {
        try (QemuSessionPeer peer = new QemuSessionPeer()) {
            LibvirtDriver driver = peer.driver(LibvirtCloudConfig.of("qemu", peer.uri, List.of(
                    AgentTemplate.builder("tcg").labels("linux").options(peer.overlayOptions().build()).build())));
            long[] create = new long[n];
            long[] delete = new long[n];
            StoragePool pool = peer.connect.storagePoolLookupByName(QemuSessionPeer.POOL);
            for (int i = 0; i < n; i++) {
                String name = driver.overlayName("ctl-1", "ov-" + i);
                long t0 = System.nanoTime();
                var v = pool.storageVolCreateXML(DomainXml.overlayVolume(name, 64L << 20, peer.basePath.toString()), 0);
                long t1 = System.nanoTime();
                v.delete(0);
                long t2 = System.nanoTime();
                v.free();
                create[i] = t1 - t0;
                delete[i] = t2 - t1;
            }
            pool.free();
            System.out.printf("qemu session (real libvirtd, qemu-img under it), %d overlays of a 64 MiB qcow2 base: "
                    + "create %s; delete %s%n", n, ms(create), ms(delete));
            // one whole create through the driver (overlay + domain start), until QEMU runs
            long[] start = new long[5];
            for (int i = 0; i < start.length; i++) {
                LaunchSpec spec = new LaunchSpec("tcg", "boot-" + i, new Fingerprint("ctl-1", "qemu", "tcg", "boot-" + i,
                        peer.clock.instant()), Map.of());
                long t0 = System.nanoTime();
                driver.create(spec);
                start[i] = System.nanoTime() - t0;
                driver.config(); // keep the driver busy with nothing else
                peer.clock.advance(Duration.ofMinutes(5)); // past the shutdown time-out: destroyed at once
                try {
                    driver.terminate(List.of(spec.agentName()));
                } catch (dev.tollgate.cloud.port.CloudException e) {
                    peer.clock.advance(Duration.ofMinutes(5));
                    driver.terminate(List.of(spec.agentName()));
                }
            }
            System.out.printf("qemu session, driver.create (overlay + domain started, QEMU running, before the guest "
                    + "boots), 5 agents: %s%n", ms(start));
        }
    }
}
