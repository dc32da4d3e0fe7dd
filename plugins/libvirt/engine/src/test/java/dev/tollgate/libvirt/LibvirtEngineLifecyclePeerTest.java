package dev.tollgate.libvirt;

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
import dev.tollgate.cloud.InMemoryLifecycleStore;
import dev.tollgate.cloud.PlannedAgent;
import dev.tollgate.cloud.ProvisionResult;
import dev.tollgate.cloud.ReaperReport;
import dev.tollgate.cloud.port.CloudInstance;
import dev.tollgate.cloud.port.Fingerprint;
import dev.tollgate.cloud.port.LaunchSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Test;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.StoragePool;

/**
 * The shared lifecycle engine (cloud-core: caps, timeouts, terminate retries, the reaper) driving the
 * libvirt driver against libvirt's test hypervisor: builds wait, domains start with their overlays,
 * agents connect, builds finish, domains end, and a reaper cycle finds nothing left over; with
 * failures injected in front of the real libvirt calls, nothing leaks either.
 */
public class LibvirtEngineLifecyclePeerTest {
    private final TestDriverPeer peer;
    private final InMemoryAgentRegistry registry = new InMemoryAgentRegistry(
            Map.of("JENKINS_URL", "https://ci.example.org/", "JENKINS_SECRET", TestDriverPeer.SECRET));
    private final ExecutorService pool = Executors.newFixedThreadPool(4);
    private InMemoryLifecycleStore store = new InMemoryLifecycleStore();
    private LibvirtDriver driver;
    private CloudEngine engine;

    public LibvirtEngineLifecyclePeerTest() throws Exception {
        peer = new TestDriverPeer();
        use(List.of(peer.template("small", TestDriverPeer.overlayOptions(peer.basePath()).build())));
    }

    private void use(List<AgentTemplate<LibvirtOptions>> templates) {
        driver = peer.driver(peer.config(templates));
        engine = CloudEngine.builder(CloudSettings.builder(TestDriverPeer.CLOUD, TestDriverPeer.CONTROLLER)
                        .requestRate(100, 100).templates(driver.config().templates()).build())
                .driver(driver).registry(registry).store(store).clock(peer.clock).executor(pool)
                .random(new Random(7)).build();
    }

    @After
    public void close() throws Exception {
        pool.shutdownNow();
        pool.awaitTermination(5, TimeUnit.SECONDS);
        peer.close();
    }

    private List<AgentRecord> provision(int builds) throws Exception {
        ProvisionResult r = engine.planWaiting(Map.of("linux", builds)).get("linux");
        List<AgentRecord> out = new ArrayList<>();
        for (PlannedAgent p : r.planned()) {
            out.add(p.future().get(20, TimeUnit.SECONDS));
        }
        return out;
    }

    private void runOneBuild(AgentRecord r) {
        assertEquals(ConnectDecision.ACCEPTED, engine.agentConnected(r.agentName(), r.instanceId()));
        registry.markConnected(r.agentName());
        engine.buildStarted(r.agentName());
        engine.buildFinished(r.agentName());
    }

    private ReaperReport reapAfterGrace() {
        peer.clock.advance(Duration.ofMinutes(10));
        return engine.reap();
    }

    @Test
    public void waitingBuildsGetDomainsThatEndAfterTheirBuildAndLeaveNothingBehind() throws Exception {
        List<AgentRecord> started = provision(3);
        assertEquals(3, started.size());
        assertEquals(6, peer.everything().size()); // 3 domains, 3 overlays
        for (AgentRecord r : started) {
            assertEquals(r.agentName(), r.instanceId()); // the domain is named after its agent
            assertTrue(registry.listOwned().contains(r.agentName()));
            assertEquals(TestDriverPeer.SECRET, DomainXml.oemEnv(peer.domainXml(r.instanceId())).get("JENKINS_SECRET"));
        }
        assertEquals(0, engine.planWaiting(Map.of("linux", 3)).get("linux").started()); // already coming

        started.forEach(this::runOneBuild);
        engine.tick();
        assertEquals(List.of(), peer.everything());
        assertTrue(registry.listOwned().isEmpty());
        assertTrue(engine.records().stream().allMatch(r -> r.state() == AgentState.TERMINATED));

        ReaperReport report = reapAfterGrace();
        assertFalse(report.listingFailed());
        assertEquals(0, report.strays());
        assertEquals(0, report.ghostAgents());
    }

    @Test
    public void createDestroyCyclesLeaveNothingBehind() throws Exception {
        for (int i = 0; i < 20; i++) {
            List<AgentRecord> started = provision(2);
            assertEquals(4, peer.everything().size());
            started.forEach(this::runOneBuild);
            engine.tick();
            assertEquals("cycle " + i, List.of(), peer.everything());
            peer.clock.advance(Duration.ofSeconds(30));
        }
        assertEquals(0, reapAfterGrace().strays());
        assertEquals(40, engine.records().stream().filter(r -> r.state() == AgentState.TERMINATED).count());
    }

    @Test
    public void theReaperEndsDomainsAndOverlaysThatNoRecordAccountsFor() throws Exception {
        // a controller that lost its store: its domains carry its fingerprint; another controller's do not
        LibvirtDriver before = peer.driver(driver.config());
        for (String a : List.of("kvm-small-lost1", "kvm-small-lost2")) {
            before.create(new LaunchSpec("small", a, new Fingerprint(TestDriverPeer.CONTROLLER, TestDriverPeer.CLOUD,
                    "small", a, peer.clock.instant()), Map.of()));
        }
        before.create(new LaunchSpec("small", "other-1", new Fingerprint("ctl-2", TestDriverPeer.CLOUD,
                "small", "other-1", peer.clock.instant()), Map.of()));
        // and a crash between an overlay and its domain
        StoragePool p = peer.connect.storagePoolLookupByName(TestDriverPeer.POOL);
        p.storageVolCreateXML(DomainXml.overlayVolume(driver.overlayName(TestDriverPeer.CONTROLLER, "kvm-small-lost3"),
                1L << 30, peer.basePath()), 0).free();
        p.free();
        assertEquals(7, peer.everything().size());

        ReaperReport early = engine.reap(); // within the grace: could be mid-create elsewhere
        assertEquals(3, early.listed());
        assertEquals(7, peer.everything().size());

        ReaperReport report = reapAfterGrace();
        assertEquals(3, report.listed());
        assertEquals(0, report.strays()); // none left being ended after the cycle's terminate call
        assertEquals(List.of("domain other-1", "volume default-pool/" + driver.overlayName("ctl-2", "other-1")),
                peer.everything());
        assertEquals(0, reapAfterGrace().strays());
    }

    @Test
    public void aGuestThatIgnoresShutdownIsDestroyedByTheEnginesTerminateRetryOnceTheTimeoutPassed() throws Exception {
        AgentRecord r = provision(1).get(0);
        peer.faults().ignoreShutdown(true);
        runOneBuild(r);
        engine.tick();
        assertEquals(AgentState.TERMINATING, engine.record(r.agentName()).orElseThrow().state());
        assertEquals(1, peer.faults().count("shutdown"));
        // the engine retries with its backoff (5 s, 10 s, 20 s...); the driver destroys once 60 s have passed
        Duration waited = Duration.ZERO;
        while (engine.record(r.agentName()).orElseThrow().state() == AgentState.TERMINATING) {
            assertTrue("still not ended after " + waited, waited.compareTo(Duration.ofMinutes(5)) < 0);
            assertEquals(0, peer.faults().count("destroy"));
            peer.clock.advance(Duration.ofSeconds(5));
            waited = waited.plusSeconds(5);
            engine.tick();
        }
        assertTrue(waited.toString(), waited.compareTo(Duration.ofSeconds(60)) >= 0);
        assertEquals(1, peer.faults().count("shutdown"));
        assertEquals(1, peer.faults().count("destroy"));
        assertEquals(AgentState.TERMINATED, engine.record(r.agentName()).orElseThrow().state());
        assertEquals(List.of(), peer.everything());
    }

    @Test
    public void aCreateThatTookEffectButFailedOnTheWayBackIsAdoptedByTheReaper() throws Exception {
        driver.listOwned(TestDriverPeer.CONTROLLER); // open the connection so its faults can be set
        peer.faults().failAfterNext("createTransient", ErrorNumber.VIR_ERR_OPERATION_TIMEOUT, 1);
        ProvisionResult res = engine.planWaiting(Map.of("linux", 1)).get("linux");
        assertEquals(1, res.started());
        String agent = res.planned().get(0).agentName();
        try {
            res.planned().get(0).future().get(20, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException expected) {
            // the outcome is unknown to the engine
        }
        assertEquals(AgentState.REQUESTED, engine.record(agent).orElseThrow().state());
        assertEquals(2, peer.everything().size()); // but the domain and its disk exist
        engine.reap();
        AgentRecord adopted = engine.record(agent).orElseThrow();
        assertEquals(agent, adopted.instanceId());
        runOneBuild(adopted);
        engine.tick();
        assertEquals(List.of(), peer.everything());
        assertEquals(0, reapAfterGrace().strays());
    }

    @Test
    public void terminateFailuresAreRetriedUntilNothingIsLeft() throws Exception {
        AgentRecord r = provision(1).get(0);
        peer.faults().failNext("shutdown", ErrorNumber.VIR_ERR_INTERNAL_ERROR, 2)
                .failNext("deleteVolume", ErrorNumber.VIR_ERR_RESOURCE_BUSY, 2);
        runOneBuild(r);
        for (int i = 0; i < 30 && engine.record(r.agentName()).orElseThrow().state() != AgentState.TERMINATED; i++) {
            engine.tick();
            peer.clock.advance(Duration.ofSeconds(30));
        }
        assertEquals(AgentState.TERMINATED, engine.record(r.agentName()).orElseThrow().state());
        assertEquals(List.of(), peer.everything());
        assertEquals(0, reapAfterGrace().strays());
    }

    @Test
    public void noMemoryOnTheHostFallsBackToTheNextTemplate() throws Exception {
        use(List.of(peer.template("small", TestDriverPeer.overlayOptions(peer.basePath()).build()),
                peer.template("tiny", TestDriverPeer.overlayOptions(peer.basePath()).memoryMib(256).build())));
        driver.listOwned(TestDriverPeer.CONTROLLER);
        peer.faults().failNext("createTransient", ErrorNumber.VIR_ERR_NO_MEMORY, 1);
        List<AgentRecord> started = provision(1);
        assertEquals(1, started.size());
        assertEquals("tiny", started.get(0).templateName());
        assertEquals(2, peer.everything().size()); // the refused one took its overlay back
        runOneBuild(started.get(0));
        engine.tick();
        assertEquals(List.of(), peer.everything());
    }

    @Test
    public void aListingThatFailsLeavesEverythingAloneAndTheNextCycleWorks() throws Exception {
        AgentRecord r = provision(1).get(0);
        peer.faults().failNext("domainsWithMetadata", ErrorNumber.VIR_ERR_SYSTEM_ERROR, 1);
        assertTrue(reapAfterGrace().listingFailed());
        assertEquals(2, peer.everything().size());
        ReaperReport next = engine.reap(); // on a new connection
        assertFalse(next.listingFailed());
        assertEquals(0, next.strays());
        assertEquals(2, driver.connectionsOpened());
        assertEquals(CloudInstance.State.RUNNING, driver.describe(List.of(r.instanceId())).get(0).state());
    }

    @Test
    public void aRestartedControllerFindsItsDomainsAgain() throws Exception {
        List<AgentRecord> started = provision(2);
        // a new engine on the same store (the controller restarted)
        use(List.of(peer.template("small", TestDriverPeer.overlayOptions(peer.basePath()).build())));
        for (AgentRecord r : started) {
            assertEquals(r.agentName(), engine.record(r.agentName()).orElseThrow().instanceId());
            runOneBuild(r);
        }
        engine.tick();
        assertEquals(List.of(), peer.everything());
        assertEquals(0, reapAfterGrace().strays());
    }
}
