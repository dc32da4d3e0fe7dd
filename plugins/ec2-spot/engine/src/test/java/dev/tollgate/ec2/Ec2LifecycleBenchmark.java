package dev.tollgate.ec2;

import dev.tollgate.cloud.AgentRecord;
import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.CloudEngine;
import dev.tollgate.cloud.CloudSettings;
import dev.tollgate.cloud.InMemoryAgentRegistry;
import dev.tollgate.cloud.PlannedAgent;
import dev.tollgate.cloud.ProvisionResult;
import dev.tollgate.cloud.ReaperReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The cloud-core lifecycle engine driving {@link Ec2SpotDriver} through the real AWS SDK v2 client
 * against the local EC2 Query API server ({@link FakeEc2Server}). Prints:
 * <ol>
 *   <li>API calls per agent lifetime (launch, describes, interruption checks, terminate, the reaper's
 *       share) for 1, 10 and 50 agents living 30 minutes with a tick every 30 s, with every agent's side
 *       reporting "no notice" from the instance metadata service each tick, and with no such reports
 *       (the engine's fallback check), plus the calls per minute while the agents run;</li>
 *   <li>wall time to provision 1 and 50 agents with 200 ms of simulated latency per API call, cold
 *       caches, through the engine (concurrent creates), and 50 one after another for contrast;</li>
 *   <li>a reaper cycle with 1,000 live spot instances listed.</li>
 * </ol>
 * Run: {@code scripts/bench plugins/ec2-spot/engine dev.tollgate.ec2.Ec2LifecycleBenchmark}
 */
public final class Ec2LifecycleBenchmark {
    private Ec2LifecycleBenchmark() {}

    public static void main(String[] args) throws Exception {
        Logger.getLogger("").setLevel(Level.SEVERE);
        Arrays.stream(Logger.getLogger("").getHandlers()).forEach(h -> h.setLevel(Level.SEVERE));
        System.out.println("Ec2LifecycleBenchmark (cloud-core engine + Ec2SpotDriver + AWS SDK " + sdkVersion()
                + " → local EC2 Query API server), " + Runtime.getRuntime().availableProcessors() + " cores, Java "
                + Runtime.version());
        lifetimeCalls(1, false, false); // warm-up: class loading of the SDK, not reported
        System.out.println();
        System.out.println("1. API calls per agent lifetime (30 min each, tick every 30 s, reaper every 5 min)");
        System.out.println("   a) every agent's side reports from the instance metadata service (no EC2 call)");
        for (int n : new int[] {1, 10, 50}) {
            lifetimeCalls(n, true, true);
        }
        System.out.println("   b) no agent-side reports: the engine's fallback interruption check (1 call a minute)");
        for (int n : new int[] {1, 10, 50}) {
            lifetimeCalls(n, false, true);
        }
        System.out.println();
        System.out.println("2. Provisioning with 200 ms per API call (cold price/subnet caches)");
        provision(1, 200, true);
        provision(50, 200, true);
        provision(50, 200, false);
        provision(50, 0, true); // the same without latency: what the 2 cores spend (signing, XML)
        System.out.println();
        System.out.println("3. Reaper cycle with 1,000 live spot instances listed");
        reaper(1000);
    }

    private static String sdkVersion() {
        try {
            return software.amazon.awssdk.core.util.VersionInfo.SDK_VERSION;
        } catch (Throwable t) {
            return "v2";
        }
    }

    private static CloudEngine engine(Ec2Fixture f, ExecutorService pool, InMemoryAgentRegistry registry) {
        CloudSettings settings = CloudSettings.builder("ec2", Ec2Fixture.CONTROLLER)
                .requestRate(10_000, 10_000)
                .templates(f.config.templates())
                .build();
        return CloudEngine.builder(settings).driver(f.driver).registry(registry).clock(f.clock).executor(pool)
                .random(new Random(1)).build();
    }

    private static Ec2Fixture fixture() throws Exception {
        Ec2Fixture f = new Ec2Fixture();
        f.server.price("m5.large", "us-east-1a", "0.040", f.clock.instant().minus(Duration.ofHours(3)));
        f.server.price("m5.large", "us-east-1b", "0.050", f.clock.instant().minus(Duration.ofHours(3)));
        f.use(List.of(AgentTemplate.builder("spot").labels("linux").buildWaitTimeout(Duration.ZERO)
                .options(Ec2Fixture.spotOptions().build()).build()), c -> c);
        return f;
    }

    private static List<AgentRecord> await(ProvisionResult r) throws Exception {
        List<AgentRecord> out = new ArrayList<>();
        for (PlannedAgent p : r.planned()) {
            out.add(p.future().get(120, TimeUnit.SECONDS));
        }
        return out;
    }

    private static void lifetimeCalls(int n, boolean agentReports, boolean print) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try (Ec2Fixture f = fixture()) {
            InMemoryAgentRegistry registry = Ec2Fixture.registry();
            CloudEngine engine = engine(f, pool, registry);
            List<AgentRecord> agents = await(engine.planWaiting(Map.of("linux", n)).get("linux"));
            Duration step = Duration.ofSeconds(30);
            int steadyFrom = 0;
            int steadyCalls = 0;
            for (int t = 0; t < 80; t++) { // 40 minutes
                f.clock.advance(step);
                if (t == 1) {
                    for (AgentRecord a : agents) {
                        engine.agentConnected(a.agentName(), a.instanceId());
                        registry.markConnected(a.agentName());
                        engine.buildStarted(a.agentName());
                    }
                }
                if (t == 60) {
                    agents.forEach(a -> engine.buildFinished(a.agentName()));
                }
                if (agentReports && t >= 1 && t < 60) {
                    // what the plugin's agent-side watcher sends after reading IMDS: "no notice"
                    agents.forEach(a -> engine.interruptionWatchReport(a.agentName()));
                }
                if (t == 10) {
                    steadyFrom = f.server.calls().size();
                }
                if (t == 50) {
                    steadyCalls = f.server.calls().size() - steadyFrom;
                }
                engine.tick();
            }
            long live = f.server.liveCount() - f.server.instances().stream().filter(i -> i.state.equals("shutting-down")).count();
            Map<String, Long> calls = new TreeMap<>();
            f.server.calls().forEach(c -> calls.merge(c.action(), 1L, Long::sum));
            long total = calls.values().stream().mapToLong(Long::longValue).sum();
            if (print) {
                System.out.printf("   %3d agents: %4d calls = %.2f per agent lifetime; fixed cost while they run"
                                + " (minutes 5-25) %.2f calls/min; still running afterwards: %d; %s%n",
                        n, total, (double) total / n, steadyCalls / 20.0, live, calls);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void provision(int n, long latencyMs, boolean throughEngine) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(64);
        try (Ec2Fixture f = fixture()) {
            f.server.latencyMillis = latencyMs;
            long t0 = System.nanoTime();
            if (throughEngine) {
                CloudEngine engine = engine(f, pool, Ec2Fixture.registry());
                List<AgentRecord> got = await(engine.planWaiting(Map.of("linux", n)).get("linux"));
                if (got.size() != n) {
                    throw new IllegalStateException("provisioned " + got.size() + " of " + n);
                }
            } else {
                for (int i = 0; i < n; i++) {
                    f.driver.create(f.spec("spot", "seq-" + i));
                }
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("   %2d agents, %3d ms latency, %-33s %6d ms  (%d API calls%s)%n", n, latencyMs,
                    throughEngine ? "through the engine (concurrent):" : "driver, one after another:", ms,
                    f.server.calls().size(), latencyMs > 0 ? String.format(", %.1f× one call's latency", (double) ms / latencyMs) : "");
        } finally {
            pool.shutdownNow();
        }
    }

    private static void reaper(int n) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try (Ec2Fixture f = fixture()) {
            InMemoryAgentRegistry registry = Ec2Fixture.registry();
            CloudEngine engine = engine(f, pool, registry);
            long t0 = System.nanoTime();
            List<AgentRecord> agents = await(engine.planWaiting(Map.of("linux", n)).get("linux"));
            long provMs = (System.nanoTime() - t0) / 1_000_000;
            for (AgentRecord a : agents) {
                engine.agentConnected(a.agentName(), a.instanceId());
                registry.markConnected(a.agentName());
                engine.buildStarted(a.agentName());
            }
            f.server.markForInterruption(agents.get(0).instanceId());
            long[] ms = new long[7];
            ReaperReport last = null;
            int calls0 = f.server.calls().size();
            long bytes0 = f.server.bytesOut.get();
            for (int i = 0; i < ms.length; i++) {
                f.clock.advance(Duration.ofMinutes(5));
                long s = System.nanoTime();
                last = engine.reap();
                ms[i] = (System.nanoTime() - s) / 1_000_000;
            }
            long calls = f.server.calls().size() - calls0;
            long kb = (f.server.bytesOut.get() - bytes0) / 1024 / ms.length;
            long[] sorted = ms.clone();
            Arrays.sort(sorted);
            System.out.printf("   (set-up: %d agents provisioned through the engine in %d ms, 0 ms latency)%n", n, provMs);
            System.out.printf("   reap(): listed %d, API calls per cycle %.1f (%s), ~%d KB of XML per cycle,"
                            + " median %d ms, min %d ms, max %d ms over %d cycles; interrupted agent offline: %s%n",
                    last.listed(), (double) calls / ms.length, callsOf(f, calls0), kb, sorted[ms.length / 2], sorted[0],
                    sorted[ms.length - 1], ms.length, registry.offlineAgents().containsKey(agents.get(0).agentName()));
        } finally {
            pool.shutdownNow();
        }
    }

    private static String callsOf(Ec2Fixture f, int from) {
        Map<String, Long> m = new TreeMap<>();
        f.server.calls().stream().skip(from).forEach(c -> m.merge(c.action(), 1L, Long::sum));
        return m.toString();
    }
}
