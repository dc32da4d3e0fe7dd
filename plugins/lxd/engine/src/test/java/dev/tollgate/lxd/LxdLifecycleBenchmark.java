package dev.tollgate.lxd;

import dev.tollgate.cloud.AgentRecord;
import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.CloudEngine;
import dev.tollgate.cloud.CloudSettings;
import dev.tollgate.cloud.InMemoryAgentRegistry;
import dev.tollgate.cloud.PlannedAgent;
import dev.tollgate.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The cloud-core engine driving {@link LxdDriver} against a real LXD daemon ({@link LxdPeer}, busybox
 * image, dir pool). Prints, for 1 and 10 agents launched at once:
 * <ol>
 *   <li>launch to agent environment: from {@code provision} until the agent process inside the
 *       container has written the environment it was given (read back through LXD's file API), per
 *       container, median and worst;</li>
 *   <li>API calls per agent lifetime: launch, the reaper's share (agents living 30 minutes, tick every
 *       30 s on a manual clock, reaper every 5 min), terminate; and the calls by kind;</li>
 *   <li>provisioning 20 agents: the engine with its default settings (planner, token bucket of 2/s with
 *       a burst of 20, its own create threads, the system clock), from {@code provision} of 20 until
 *       all 20 creates have returned (each instance made, started and its agent exec'd), checked by one
 *       {@code listOwned} that shows all 20.</li>
 * </ol>
 * Arguments: {@code [rounds (3)] [lxd|incus]}; {@code incus} runs the same against an Incus daemon.
 * Run (root, lxd (or incus-base) and busybox-static installed):
 * {@code mvn -B -q test-compile dependency:build-classpath -pl plugins/lxd/engine -am
 * -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test}, then
 * {@code java -cp plugins/lxd/engine/target/test-classes:plugins/lxd/engine/target/classes:$(cat plugins/lxd/engine/target/bench.classpath) dev.tollgate.lxd.LxdLifecycleBenchmark 3 lxd}
 */
public final class LxdLifecycleBenchmark {
    private LxdLifecycleBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Logger.getLogger("").setLevel(Level.SEVERE);
        Arrays.stream(Logger.getLogger("").getHandlers()).forEach(h -> h.setLevel(Level.SEVERE));
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        LxdPeer.Flavor flavor = args.length > 1 ? LxdPeer.Flavor.valueOf(args[1].toUpperCase(java.util.Locale.ROOT))
                : LxdPeer.Flavor.LXD;
        try (LxdPeer peer = LxdPeer.start(flavor)) {
            System.out.println("LxdLifecycleBenchmark (cloud-core engine + LxdDriver → " + flavor.product + " "
                    + peer.lxc("version").lines().filter(l -> l.startsWith("Server")).findFirst().orElse("?").trim()
                    + " over its unix socket), " + Runtime.getRuntime().availableProcessors() + " cores, Java "
                    + Runtime.version());
            run(peer, 1, "warm-up", false);
            for (int r = 1; r <= rounds; r++) {
                run(peer, 1, "round " + r, true);
                run(peer, 10, "round " + r, true);
                provisionTwenty(peer, "round " + r);
            }
        }
    }

    /** 20 agents through the engine with its default settings; wall time until all 20 exist at the driver. */
    private static void provisionTwenty(LxdPeer peer, String label) throws Exception {
        int n = 20;
        AgentTemplate<LxdOptions> t = AgentTemplate.builder("bb").labels("linux").buildWaitTimeout(Duration.ZERO)
                .options(LxdOptions.builder().image(LxdPeer.IMAGE).agentCommand("/bin/sh", "-c", "exec sleep 2147483647")
                        .build()).build();
        String controller = "ctl-bench20-" + System.nanoTime();
        try (LxdDriver driver = new LxdDriver(LxdCloudConfig.of("lxd", new LxdEndpoint.Unix(peer.socket()), List.of(t)))) {
            InMemoryAgentRegistry registry = new InMemoryAgentRegistry(Map.of("JENKINS_SECRET", "bench-secret"));
            CloudEngine engine = CloudEngine.builder(CloudSettings.builder("lxd", controller).template(t).build())
                    .driver(driver).registry(registry).build();
            try {
                long start = System.nanoTime();
                List<PlannedAgent> planned = engine.provision("linux", n).planned();
                List<Double> each = new ArrayList<>();
                for (PlannedAgent p : planned) {
                    p.future().join();
                    each.add((System.nanoTime() - start) / 1e6);
                }
                double all = (System.nanoTime() - start) / 1e6;
                long launchCalls = driver.client().totalCalls();
                int listed = driver.listOwned(controller).size();
                if (planned.size() != n || listed != n) {
                    throw new AssertionError("planned " + planned.size() + ", listed " + listed + " of " + n);
                }
                long t0 = System.nanoTime();
                driver.terminate(LxdPeerView.instancesOf(peer, controller));
                double end = (System.nanoTime() - t0) / 1e6;
                // futures are joined in planned order, so each entry is when that agent was seen done
                System.out.printf("%s, 20 agents, engine defaults: provision → all 20 exist %.0f ms (the 10th planned"
                                + " seen done at %.0f ms), %d launch calls; terminate all 20 in one driver call %.0f ms%n",
                        label, all, each.get(n / 2 - 1), launchCalls, end);
            } finally {
                engine.shutdown();
            }
            if (!LxdPeerView.instancesOf(peer, controller).isEmpty()) {
                throw new AssertionError("instances left: " + LxdPeerView.instancesOf(peer, controller));
            }
        }
    }

    private static void run(LxdPeer peer, int n, String label, boolean print) throws Exception {
        ManualClock clock = new ManualClock();
        AgentTemplate<LxdOptions> t = AgentTemplate.builder("bb").labels("linux").buildWaitTimeout(Duration.ZERO)
                .options(LxdOptions.builder().image(LxdPeer.IMAGE).agentCommand(LxdDriverPeerTest.ENV_DUMPING_AGENT).build())
                .build();
        String controller = "ctl-bench-" + System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(n);
        UnixSocketTransport files = new UnixSocketTransport(peer.socket());
        try (LxdDriver driver = new LxdDriver(LxdCloudConfig.of("lxd", new LxdEndpoint.Unix(peer.socket()), List.of(t)))) {
            InMemoryAgentRegistry registry = new InMemoryAgentRegistry(Map.of("JENKINS_SECRET", "bench-secret"));
            CloudEngine engine = CloudEngine.builder(CloudSettings.builder("lxd", controller).requestRate(100, 100)
                            .describeInterval(Duration.ofMinutes(2)).template(t).build())
                    .driver(driver).registry(registry).clock(clock).executor(pool).random(new Random(1)).build();
            long start = System.nanoTime();
            List<PlannedAgent> planned = engine.provision("linux", n).planned();
            List<Double> millis = new ArrayList<>();
            for (PlannedAgent p : planned) {
                AgentRecord r = p.future().join();
                String path = "/1.0/instances/" + r.instanceId() + "/files?path=/tmp/agent.env";
                while (files.send("GET", path, null, Duration.ofSeconds(10)).status() != 200) {
                    Thread.sleep(5); // a benchmark may poll; tests never do
                }
                millis.add((System.nanoTime() - start) / 1e6);
            }
            long launchCalls = driver.client().totalCalls();
            for (PlannedAgent p : planned) {
                String id = engine.record(p.agentName()).orElseThrow().instanceId();
                engine.agentConnected(p.agentName(), id);
                engine.buildStarted(p.agentName());
            }
            for (int s = 0; s < 60; s++) { // 30 minutes, a tick every 30 s
                clock.advance(Duration.ofSeconds(30));
                engine.tick();
            }
            for (PlannedAgent p : planned) {
                engine.buildFinished(p.agentName());
            }
            engine.tick();
            long total = driver.client().totalCalls();
            millis.sort(Double::compare);
            if (print) {
                System.out.printf("%s, %2d agent(s) at once: launch to agent environment median %.0f ms, worst %.0f ms;"
                                + " API calls per agent lifetime %.2f (launch %.2f); by kind %s%n", label, n,
                        millis.get(millis.size() / 2), millis.get(millis.size() - 1), total / (double) n,
                        launchCalls / (double) n, driver.client().calls());
            }
            if (!LxdPeerView.instancesOf(peer, controller).isEmpty()) {
                throw new AssertionError("instances left: " + LxdPeerView.instancesOf(peer, controller));
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
