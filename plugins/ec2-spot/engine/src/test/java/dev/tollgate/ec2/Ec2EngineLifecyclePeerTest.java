package dev.tollgate.ec2;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.tollgate.cloud.AgentRecord;
import dev.tollgate.cloud.AgentState;
import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.CloudEngine;
import dev.tollgate.cloud.CloudSettings;
import dev.tollgate.cloud.ConnectDecision;
import dev.tollgate.cloud.InMemoryAgentRegistry;
import dev.tollgate.cloud.PlannedAgent;
import dev.tollgate.cloud.ProvisionResult;
import dev.tollgate.cloud.ReaperReport;
import dev.tollgate.cloud.port.Fingerprint;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Test;

/**
 * The shared lifecycle engine (cloud-core) driving this EC2 driver, through the real AWS SDK, against
 * the local EC2 Query API server: builds wait, spot instances start, agents connect, builds finish,
 * instances end, and a reaper cycle finds nothing left over.
 */
public class Ec2EngineLifecyclePeerTest {
    private final Ec2Fixture f = new Ec2Fixture();
    private final InMemoryAgentRegistry registry = Ec2Fixture.registry();
    private final ExecutorService pool = Executors.newFixedThreadPool(8);
    private final CloudEngine engine;

    public Ec2EngineLifecyclePeerTest() throws Exception {
        f.server.price("m5.large", "us-east-1a", "0.040", f.clock.instant().minus(Duration.ofHours(3)));
        f.server.price("m5.large", "us-east-1b", "0.050", f.clock.instant().minus(Duration.ofHours(3)));
        // one template for the engine and the driver: its labels and timeouts, and its EC2 options
        AgentTemplate<Ec2Options> spot = AgentTemplate.builder("spot").labels("linux").buildWaitTimeout(Duration.ZERO)
                .options(Ec2Fixture.spotOptions()
                        .userDataTemplate("#!/bin/sh\nagent -url {{JENKINS_URL}} -secret {{JENKINS_SECRET}} -name {{agentName}}\n")
                        .build())
                .build();
        f.use(List.of(spot), c -> c);
        CloudSettings settings = CloudSettings.builder("ec2", Ec2Fixture.CONTROLLER)
                .requestRate(100, 100)
                .templates(f.config.templates())
                .build();
        engine = CloudEngine.builder(settings).driver(f.driver).registry(registry).clock(f.clock).executor(pool)
                .random(new Random(7)).build();
    }

    @After
    public void close() throws Exception {
        pool.shutdownNow();
        pool.awaitTermination(5, TimeUnit.SECONDS);
        f.close();
    }

    private List<AgentRecord> provision(int builds) throws Exception {
        ProvisionResult r = engine.planWaiting(Map.of("linux", builds)).get("linux");
        List<AgentRecord> out = new ArrayList<>();
        for (PlannedAgent p : r.planned()) {
            out.add(p.future().get(20, TimeUnit.SECONDS));
        }
        return out;
    }

    @Test
    public void waitingBuildsGetSpotAgentsThatEndAfterTheirBuildAndLeaveNothingBehind() throws Exception {
        List<AgentRecord> started = provision(3);
        assertEquals(3, started.size());
        assertEquals(3, f.server.calls("RunInstances").size());
        for (FakeEc2Server.Call run : f.server.calls("RunInstances")) {
            assertEquals("spot", run.get("InstanceMarketOptions.MarketType"));
            assertEquals("required", run.get("MetadataOptions.HttpTokens"));
            String script = new String(Base64.getDecoder().decode(run.get("UserData")), StandardCharsets.UTF_8);
            assertTrue(script, script.contains("-secret " + Ec2Fixture.SECRET));
        }
        // each instance carries the engine's fingerprint, read back by listOwned
        for (AgentRecord r : started) {
            Map<String, String> tags = f.server.instance(r.instanceId()).tags;
            assertEquals(r.agentName(), tags.get(Fingerprint.AGENT));
            assertEquals(Ec2Fixture.CONTROLLER, tags.get(Fingerprint.CONTROLLER));
            assertTrue(registry.listOwned().contains(r.agentName()));
        }
        // a second round of waiting builds does not double-count what is already coming
        assertEquals(0, engine.planWaiting(Map.of("linux", 3)).get("linux").started());

        // the agents connect, each runs its build, and (buildWaitTimeout 0) ends right after
        for (AgentRecord r : started) {
            assertEquals(ConnectDecision.ACCEPTED, engine.agentConnected(r.agentName(), r.instanceId()));
            registry.markConnected(r.agentName());
            engine.buildStarted(r.agentName());
        }
        f.clock.advance(Duration.ofMinutes(12));
        for (AgentRecord r : started) {
            engine.buildFinished(r.agentName());
        }
        engine.tick();
        assertEquals(1, f.server.calls("TerminateInstances").size()); // one batched call for the three
        assertEquals(0, f.server.instances().stream().filter(i -> i.state.equals("running")).count());
        assertTrue(registry.listOwned().isEmpty());

        // one reaper cycle later: nothing leaked, no ghost agent
        f.clock.advance(Duration.ofMinutes(10));
        ReaperReport report = engine.reap();
        assertFalse(report.listingFailed());
        assertEquals(0, report.strays());
        assertEquals(0, report.ghostAgents());
        f.driver.describe(started.stream().map(AgentRecord::instanceId).toList()); // moves shutting-down on
        assertEquals(0, f.server.liveCount());
        assertTrue(engine.records().stream().allMatch(r -> r.state().isEnded()));

        // a cost figure per agent: 12 minutes at the zone's average price
        AgentCost cost = f.driver.cost(started.get(0).instanceId()).orElseThrow();
        assertEquals(Duration.ofMinutes(12), cost.lifetime());
        assertTrue(cost.usd() > 0);

        // calls per agent lifetime, reaper included (driver's own count, same as the server's)
        long calls = f.server.calls().size();
        assertEquals(calls, f.driver.apiCalls().values().stream().mapToLong(Long::longValue).sum());
        assertTrue("API calls for 3 agents: " + f.driver.apiCalls(), calls <= 3 * 4);
    }

    @Test
    public void spotInterruptionTakesTheAgentOfflineAtOnce() throws Exception {
        AgentRecord r = provision(1).get(0);
        engine.agentConnected(r.agentName(), r.instanceId());
        registry.markConnected(r.agentName());
        engine.buildStarted(r.agentName());
        f.server.markForInterruption(r.instanceId());
        f.clock.advance(Duration.ofMinutes(6));
        engine.reap(); // the reaper's listing carries the notice
        assertTrue(registry.offlineAgents() + "", registry.offlineAgents().containsKey(r.agentName()));
        AgentRecord now = engine.record(r.agentName()).orElseThrow();
        assertTrue(now.state() + "", now.state() == AgentState.TERMINATING || now.state().isEnded());
    }

    @Test
    public void theEnginesTickFindsANoticeWellWithinTheTwoMinutesAndBeforeAnyReaperCycle() throws Exception {
        List<AgentRecord> rs = provision(2);
        for (AgentRecord r : rs) {
            engine.agentConnected(r.agentName(), r.instanceId());
            registry.markConnected(r.agentName());
            engine.buildStarted(r.agentName());
        }
        AgentRecord hit = rs.get(1);
        f.server.markForInterruption(hit.instanceId());
        f.server.clearCalls();
        // the agents' side does not report, so once their report window (2 min) has passed the engine
        // asks every interruptionCheckInterval (1 min); the reaper lists only every 5 min
        f.clock.advance(Duration.ofMinutes(2));
        engine.tick();
        List<String> actions = f.server.calls().stream().map(FakeEc2Server.Call::action).toList();
        assertEquals("one status-filtered call, whatever the number of agents", 1,
                actions.stream().filter("DescribeSpotInstanceRequests"::equals).count());
        assertTrue(actions.toString(), !actions.contains("DescribeInstances"));
        assertEquals(List.of(hit.agentName()), List.copyOf(registry.offlineAgents().keySet()));
        AgentRecord now = engine.record(hit.agentName()).orElseThrow();
        assertTrue(now.state() + "", now.state() == AgentState.TERMINATING || now.state().isEnded());
        assertEquals(AgentState.BUSY, engine.record(rs.get(0).agentName()).orElseThrow().state());
    }

    @Test
    public void agentsReadingTheMetadataServiceCostNoApiCallAndANoticeTakesTheAgentOfflineWithinTheTick()
            throws Exception {
        List<AgentRecord> rs = provision(3);
        List<FakeInstanceMetadata> services = new ArrayList<>();
        List<SpotNoticeReader> readers = new ArrayList<>();
        try {
            for (AgentRecord r : rs) {
                engine.agentConnected(r.agentName(), r.instanceId());
                registry.markConnected(r.agentName());
                engine.buildStarted(r.agentName());
                FakeInstanceMetadata imds = new FakeInstanceMetadata();
                services.add(imds);
                readers.add(new SpotNoticeReader(imds.uri(), Duration.ofSeconds(5), Duration.ofHours(6), f.clock));
            }
            f.server.clearCalls();
            Duration tick = Duration.ofSeconds(10);
            for (int t = 0; t < 24; t++) { // 4 minutes, before the first reaper cycle
                f.clock.advance(tick);
                agentSidesReport(rs, readers);
                engine.tick();
            }
            assertEquals("no EC2 call while every agent's side reports", List.of(), f.server.calls());

            AgentRecord hit = rs.get(1);
            String when = f.clock.instant().plus(Duration.ofMinutes(2)).toString();
            services.get(1).noticeJson = "{\"action\":\"terminate\",\"time\":\"" + when + "\"}";
            f.server.markForInterruption(hit.instanceId());
            f.clock.advance(tick);
            agentSidesReport(rs, readers);
            engine.tick();
            String cause = registry.offlineAgents().get(hit.agentName());
            assertTrue(cause, cause != null && cause.contains("terminate") && cause.contains(when));
            assertEquals(List.of(hit.agentName()), List.copyOf(registry.rescheduledAgents().keySet()));
            assertTrue(f.server.calls().stream().noneMatch(c -> c.action().equals("DescribeSpotInstanceRequests")));
            assertFalse(engine.record(hit.agentName()).orElseThrow().state().isLive());
            assertEquals(AgentState.BUSY, engine.record(rs.get(0).agentName()).orElseThrow().state());
        } finally {
            services.forEach(FakeInstanceMetadata::close);
        }
    }

    /** What the plugin's agent-side watcher does: read IMDS on each agent, hand the answer to the engine. */
    private void agentSidesReport(List<AgentRecord> rs, List<SpotNoticeReader> readers) throws Exception {
        for (int i = 0; i < rs.size(); i++) {
            var notice = readers.get(i).read();
            if (notice.isPresent()) {
                engine.interruptionNoticed(rs.get(i).instanceId(), notice.get().time(), notice.get().action());
            } else {
                engine.interruptionWatchReport(rs.get(i).agentName());
            }
        }
    }

    @Test
    public void anInstanceNoRecordAccountsForIsEndedByTheReaper() throws Exception {
        // e.g. the controller crashed between RunInstances and recording the agent
        String orphan = f.server.addInstance("running",
                new Fingerprint(Ec2Fixture.CONTROLLER, "ec2", "spot", "lost-agent", f.clock.instant()).toTags());
        String foreign = f.server.addInstance("running",
                new Fingerprint("another-controller", "ec2", "spot", "theirs", f.clock.instant()).toTags());
        f.clock.advance(Duration.ofMinutes(6)); // past the reaper's grace
        ReaperReport report = engine.reap();
        assertEquals(1, report.listed()); // the foreign instance is not even listed (tag filter)
        assertEquals(2, report.apiCalls()); // one listing, one batched terminate
        assertEquals(0, report.strays()); // none left over
        assertEquals("shutting-down", f.server.instance(orphan).state);
        assertEquals("running", f.server.instance(foreign).state);
    }
}
