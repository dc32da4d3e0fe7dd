package dev.tollgate.openstack;

import dev.tollgate.cloud.AgentRecord;
import dev.tollgate.cloud.AgentState;
import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.CloudEngine;
import dev.tollgate.cloud.CloudSettings;
import dev.tollgate.cloud.ConnectDecision;
import dev.tollgate.cloud.InMemoryAgentRegistry;
import dev.tollgate.cloud.InMemoryLifecycleStore;
import dev.tollgate.cloud.PlannedAgent;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.openstack4j.model.compute.Server;

/**
 * Provisions 20 agents through cloud-core's engine and the OpenStack driver against the real control
 * plane, then runs one build on each and ends them; prints the wall time to provision (creates
 * accepted, servers ACTIVE) and the API calls per agent lifetime, per kind. Boot-storm control is
 * cloud-core's own: the create token bucket ({@code requestRate(perSecond, burst)}: at most
 * {@code burst} creates at once, then one per {@code 1/perSecond}) and, with {@code maxBoots},
 * {@code maxStarting}: at most that many agents starting at once; then each agent "connects" as soon
 * as Nova shows its server ACTIVE (as an agent started by its user data would), which lets the next
 * start. It prints the most servers Nova showed in BUILD at once.
 *
 * <pre>
 * mvn -B -q -DskipTests package dependency:build-classpath -pl plugins/openstack/engine -am \
 *     -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
 * m=plugins/openstack/engine
 * java -cp "$m/target/test-classes:$m/target/classes:$(cat $m/target/bench.classpath)" \
 *     dev.tollgate.openstack.OpenStackProvisionBenchmark [agents=20] [floatingIp=false] [burst=5] [perSecond=1.0] [maxBoots]
 * </pre>
 * (not {@code scripts/bench}, which installs into the local Maven repository). With
 * {@code -DopenstackPeer.ready=DIR/ready.json} it uses a peer started by hand, else it starts one.
 */
public final class OpenStackProvisionBenchmark {
    public static void main(String[] args) throws Exception {
        int agents = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        boolean fip = args.length > 1 && Boolean.parseBoolean(args[1]);
        int burst = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        double perSecond = args.length > 3 ? Double.parseDouble(args[3]) : 1.0;
        int maxBoots = args.length > 4 ? Integer.parseInt(args[4]) : AgentTemplate.UNLIMITED;
        OpenStackPeer peer = OpenStackPeer.shared();
        String ctl = "bench-" + System.currentTimeMillis();
        String template = fip ? "bench-fip" : "bench";
        OpenStackDriver driver = PeerFixture.driver(peer, Clock.systemUTC(),
                List.of(PeerFixture.template(template, fip ? PeerFixture.fullOptions() : PeerFixture.plainOptions())));
        InMemoryAgentRegistry registry = new InMemoryAgentRegistry(Map.of("TOLLGATE_AGENT_SECRET", "bench-secret"));
        CloudSettings settings = CloudSettings.builder("openstack", ctl).requestRate(perSecond, burst).maxStarting(maxBoots)
                .interruptionCheckInterval(Duration.ZERO)
                .template(AgentTemplate.builder(template).labels("bench").buildWaitTimeout(Duration.ZERO).build()).build();
        ExecutorService pool = Executors.newFixedThreadPool(burst);
        CloudEngine engine = CloudEngine.builder(settings).driver(driver).registry(registry)
                .store(new InMemoryLifecycleStore()).executor(pool).build();

        long t0 = System.nanoTime();
        List<PlannedAgent> planned = new ArrayList<>();
        Set<String> connected = new HashSet<>();
        int rounds = 0;
        int peakBuilding = 0;
        while (planned.size() < agents) {
            rounds++;
            planned.addAll(engine.provision("bench", agents - planned.size()).planned());
            peakBuilding = Math.max(peakBuilding, building(peer, engine, planned, connected, maxBoots != AgentTemplate.UNLIMITED));
            if (planned.size() < agents) {
                Thread.sleep(250); // Jenkins' NodeProvisioner asks again a moment later; the bucket refills meanwhile
            }
        }
        for (PlannedAgent p : planned) {
            p.future().get(10, TimeUnit.MINUTES);
        }
        double accepted = seconds(t0);
        Set<String> ids = Set.copyOf(planned.stream().map(p -> engine.record(p.agentName()).orElseThrow().instanceId()).toList());
        int active;
        while (true) {
            active = 0;
            for (Server s : peer.peerClient().compute().servers().list(true)) {
                if (ids.contains(s.getId()) && s.getStatus() == Server.Status.ACTIVE) {
                    active++;
                }
            }
            peakBuilding = Math.max(peakBuilding, building(peer, engine, planned, connected, maxBoots != AgentTemplate.UNLIMITED));
            if (active == ids.size() || seconds(t0) > 600) {
                break;
            }
            Thread.sleep(500);
        }
        double allActive = seconds(t0);
        long callsToProvision = driver.totalCalls();

        for (PlannedAgent p : planned) {
            AgentRecord r = engine.record(p.agentName()).orElseThrow();
            if (!connected.contains(p.agentName())
                    && engine.agentConnected(p.agentName(), r.instanceId()) != ConnectDecision.ACCEPTED) {
                throw new IllegalStateException("refused " + p.agentName());
            }
            engine.buildStarted(p.agentName());
            engine.buildFinished(p.agentName());
        }
        engine.tick();
        engine.reap();
        long ended = engine.records().stream().filter(r -> r.state() == AgentState.TERMINATED).count();
        double done = seconds(t0);
        pool.shutdown();

        System.out.printf("agents=%d floatingIp=%s burst=%d perSecond=%.1f maxBoots=%s planning rounds=%d%n", agents, fip, burst,
                perSecond, maxBoots == AgentTemplate.UNLIMITED ? "-" : maxBoots, rounds);
        System.out.printf("most servers in BUILD at once, as Nova listed them: %d%n", peakBuilding);
        System.out.printf("creates accepted: %.1f s; all ACTIVE: %.1f s (%d/%d); ended: %d after %.1f s%n",
                accepted, allActive, active, ids.size(), ended, done);
        System.out.printf("API calls to provision: %d (%.2f per agent); per agent lifetime (provision, one build, end, one reaper cycle): %.2f%n",
                callsToProvision, callsToProvision / (double) agents, driver.totalCalls() / (double) agents);
        driver.calls().forEach((k, v) -> System.out.printf("  %-28s %5d calls %8d ms%n", k, v, driver.callMillis().getOrDefault(k, 0L)));
        System.exit(0);
    }

    /**
     * How many of the planned servers Nova shows in BUILD; with {@code connect}, agents whose server Nova
     * shows ACTIVE connect (as their user data would start them), which frees their place among the
     * starting ones.
     */
    private static int building(OpenStackPeer peer, CloudEngine engine, List<PlannedAgent> planned,
                                Set<String> connected, boolean connect) {
        Map<String, String> agentOfServer = new HashMap<>();
        for (PlannedAgent p : planned) {
            engine.record(p.agentName()).map(AgentRecord::instanceId).ifPresent(id -> agentOfServer.put(id, p.agentName()));
        }
        int building = 0;
        for (Server s : peer.peerClient().compute().servers().list(true)) {
            String agent = agentOfServer.get(s.getId());
            if (agent == null) {
                continue;
            }
            if (s.getStatus() == Server.Status.BUILD) {
                building++;
            } else if (connect && s.getStatus() == Server.Status.ACTIVE && connected.add(agent)
                    && engine.agentConnected(agent, s.getId()) != ConnectDecision.ACCEPTED) {
                throw new IllegalStateException("refused " + agent);
            }
        }
        return building;
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
