package dev.tollgate.cloud;

import dev.tollgate.cloud.port.Fingerprint;
import dev.tollgate.testing.ManualClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Not a test: prints figures. The simulated cloud ({@link FaultyCloudDriver}) sleeps a configurable real
 * latency in every API call (default 200 ms).
 * <ol>
 * <li>wall time to provision 50 agents (creates in flight at once) against one agent, and against the
 *     same 50 made one after another;</li>
 * <li>API calls per agent lifetime, reaper share included: a steady CI day on the manual clock (one build
 *     per instance, builds arriving at random), a burst of 50, and one lone agent;</li>
 * <li>one reaper cycle with 1,000 instances listed (900 recorded, 100 orphans): time and calls.</li>
 * </ol>
 * Run: {@code scripts/bench plugins/cloud-core/engine dev.tollgate.cloud.CloudLifecycleBenchmark [latencyMs]}
 */
public final class CloudLifecycleBenchmark {

    public static void main(String[] args) throws Exception {
        Duration latency = Duration.ofMillis(args.length > 0 ? Long.parseLong(args[0]) : 200);
        System.out.printf("cloud-core lifecycle benchmark: simulated API latency %d ms, %d cores%n",
                latency.toMillis(), Runtime.getRuntime().availableProcessors());
        provisioning(latency);
        callsPerLifetime(latency);
        reaperCycle(latency);
    }

    // ------------------------------------------------------------------ 1. provisioning wall time

    private static void provisioning(Duration latency) throws Exception {
        System.out.println("\n== wall time to provision (create accepted + agent registered)");
        provisionOnce(latency, 50, true); // warm-up (threads, JIT), not printed
        double one = provisionOnce(latency, 1, true);
        double fifty = provisionOnce(latency, 50, true);
        double serial = provisionOnce(latency, 50, false);
        System.out.printf("  1 agent                 : %7.0f ms%n", one);
        System.out.printf("  50 agents, concurrent   : %7.0f ms  (%.2fx one agent)%n", fifty, fifty / one);
        System.out.printf("  50 agents, one by one   : %7.0f ms  (%.2fx one agent; what the executor avoids)%n", serial,
                serial / one);
    }

    private static double provisionOnce(Duration latency, int n, boolean concurrent) throws Exception {
        Clock clock = Clock.systemUTC();
        FaultyCloudDriver driver = new FaultyCloudDriver(clock).latency(latency);
        CloudSettings s = CloudSettings.builder("bench", "ctl").requestRate(2, 50)
                .template(AgentTemplate.builder("small").labels("linux").build()).build();
        CloudEngine.Builder b = CloudEngine.builder(s).driver(driver).registry(new FakeRegistry()).clock(clock);
        if (!concurrent) {
            b.executor(Runnable::run);
        }
        CloudEngine engine = b.build();
        long t0 = System.nanoTime();
        ProvisionResult r = engine.provision("linux", n);
        for (PlannedAgent p : r.planned()) {
            p.future().get(60, TimeUnit.SECONDS);
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        engine.shutdown();
        if (r.started() != n) {
            throw new IllegalStateException("started " + r.started() + " of " + n);
        }
        return ms;
    }

    // ------------------------------------------------------------------ 2. calls per agent lifetime

    private static void callsPerLifetime(Duration latency) {
        System.out.println("\n== API calls per agent lifetime (create + describe + terminate + reaper listings)");
        System.out.println("   engine defaults: describeInterval 2 min, reaperInterval 5 min; tick every 10 s;");
        System.out.println("   instance boots in 60 s, agent connects 30 s later, one build per instance (buildWaitTimeout 0)");
        steadyDay(latency);
        burst(latency);
        lone(latency);
    }

    /** 8 simulated hours: builds arrive at random, 1 per minute on average, each lasting 10-20 minutes. */
    private static void steadyDay(Duration latency) {
        Sim sim = new Sim(Duration.ZERO); // latency does not change call counts; zero keeps the run short
        Random rnd = new Random(7);
        int waiting = 0;
        Instant end = sim.clock.instant().plus(Duration.ofHours(8));
        while (sim.clock.instant().isBefore(end)) {
            // Poisson arrivals, mean 1 per 60 s, per 10 s step
            double lambda = 10.0 / 60.0, p = Math.exp(-lambda), acc = p;
            int k = 0;
            double u = rnd.nextDouble();
            while (u > acc) {
                k++;
                p *= lambda / k;
                acc += p;
            }
            waiting += k;
            waiting -= sim.step(waiting, rnd);
        }
        sim.drain(rnd);
        sim.print("steady 8 h day, ~1 build/min", latency);
    }

    private static void burst(Duration latency) {
        Sim sim = new Sim(Duration.ZERO);
        Random rnd = new Random(8);
        int waiting = 50;
        for (int i = 0; i < 6 * 60 && (waiting > 0 || sim.live() > 0); i++) {
            waiting -= sim.step(waiting, rnd);
        }
        sim.drain(rnd);
        sim.print("burst of 50 builds at once", latency);
    }

    private static void lone(Duration latency) {
        Sim sim = new Sim(Duration.ZERO);
        Random rnd = new Random(9);
        int waiting = 1;
        for (int i = 0; i < 6 * 60 && (waiting > 0 || sim.live() > 0); i++) {
            waiting -= sim.step(waiting, rnd);
        }
        sim.drain(rnd);
        sim.print("one lone agent (worst case: nothing to share with)", latency);
    }

    /** An engine on the manual clock, with agents that connect and run one build each. */
    private static final class Sim {
        final ManualClock clock = new ManualClock();
        final FaultyCloudDriver driver;
        final FakeRegistry registry = new FakeRegistry();
        final CloudEngine engine;
        final Map<String, Instant> connectAt = new HashMap<>();
        final Map<String, Instant> buildEndsAt = new HashMap<>();
        int served;

        Sim(Duration latency) {
            driver = new FaultyCloudDriver(clock).latency(latency);
            CloudSettings s = CloudSettings.builder("bench", "ctl").requestRate(2, 50)
                    .template(AgentTemplate.builder("small").labels("linux").buildWaitTimeout(Duration.ZERO).build()).build();
            engine = CloudEngine.builder(s).driver(driver).registry(registry).clock(clock).executor(Runnable::run)
                    .random(new Random(1)).build();
        }

        /** One 10 s step; returns how many waiting builds started. */
        int step(int waiting, Random rnd) {
            Instant now = clock.instant();
            for (PlannedAgent p : engine.planWaiting(Map.of("linux", waiting)).get("linux").planned()) {
                connectAt.put(p.agentName(), now.plusSeconds(90));
            }
            int started = 0;
            for (AgentRecord r : engine.records()) {
                String a = r.agentName();
                if (r.state().isAwaitingConnection() && connectAt.containsKey(a) && !now.isBefore(connectAt.get(a))) {
                    engine.agentConnected(a, r.instanceId());
                }
            }
            for (AgentRecord r : engine.records()) {
                String a = r.agentName();
                if (r.state() == AgentState.CONNECTED && started < waiting && engine.acceptsBuilds(a)) {
                    engine.buildStarted(a);
                    buildEndsAt.put(a, now.plus(Duration.ofMinutes(10 + rnd.nextInt(11))));
                    started++;
                } else if (r.state() == AgentState.BUSY && !now.isBefore(buildEndsAt.get(a))) {
                    engine.buildFinished(a);
                    served++;
                }
            }
            engine.tick();
            clock.advance(Duration.ofSeconds(10));
            return started;
        }

        long live() {
            return engine.records().stream().filter(r -> !r.state().isEnded()).count();
        }

        void drain(Random rnd) {
            for (int i = 0; i < 6 * 60 && live() > 0; i++) {
                step(0, rnd);
            }
            clock.advance(Duration.ofMinutes(5));
            engine.tick(); // the last reaper cycle counts too
        }

        void print(String what, Duration latency) {
            int c = driver.count(FaultyCloudDriver.Op.CREATE), d = driver.count(FaultyCloudDriver.Op.DESCRIBE),
                    l = driver.count(FaultyCloudDriver.Op.LIST), t = driver.count(FaultyCloudDriver.Op.TERMINATE);
            int total = c + d + l + t;
            System.out.printf("  %-52s agents %4d  calls %4d (create %d, describe %d, list %d, terminate %d)"
                            + "  = %.2f calls/agent; leaked %d%n", what, served, total, c, d, l, t,
                    served == 0 ? 0.0 : (double) total / served, driver.alive().size());
        }
    }

    // ------------------------------------------------------------------ 3. reaper cycle cost

    private static void reaperCycle(Duration latency) {
        System.out.println("\n== one reaper cycle, 1,000 instances listed (900 recorded and live, 100 orphans)");
        int warm = 0;
        // the first run warms the JIT and is not printed
        for (Duration lat : List.of(Duration.ZERO, Duration.ZERO, latency)) {
            ManualClock clock = new ManualClock();
            FaultyCloudDriver driver = new FaultyCloudDriver(clock);
            FakeRegistry registry = new FakeRegistry();
            CloudSettings s = CloudSettings.builder("bench", "ctl").requestRate(1000, 1000)
                    .template(AgentTemplate.builder("small").labels("linux").buildWaitTimeout(Duration.ofSeconds(-1)).build())
                    .build();
            CloudEngine engine = CloudEngine.builder(s).driver(driver).registry(registry).clock(clock)
                    .executor(Runnable::run).random(new Random(3)).build();
            engine.provision("linux", 900);
            for (AgentRecord r : engine.records()) {
                engine.agentConnected(r.agentName(), r.instanceId());
            }
            List<String> orphans = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                orphans.add(driver.plant(new Fingerprint("ctl", "bench", "small", "bench-small-orphan" + i,
                        clock.instant().minus(Duration.ofHours(1)))));
            }
            clock.advance(Duration.ofMinutes(10));
            driver.latency(lat);
            int before = driver.totalCalls();
            long t0 = System.nanoTime();
            ReaperReport rep = engine.reap();
            double ms = (System.nanoTime() - t0) / 1e6;
            long stillAlive = orphans.stream().filter(driver.alive()::contains).count();
            if (warm++ == 0) {
                continue;
            }
            System.out.printf("  latency %3d ms: %7.1f ms, %d calls (1 listing + 1 terminate of %d orphans in one batch),"
                            + " listed %d, orphans left %d, live agents kept %d%n", lat.toMillis(), ms,
                    driver.totalCalls() - before, orphans.size(), rep.listed(), stillAlive,
                    engine.records().stream().filter(r -> r.state().isLive()).count());
        }
    }
}
