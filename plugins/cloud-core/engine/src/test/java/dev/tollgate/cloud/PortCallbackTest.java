package dev.tollgate.cloud;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.tollgate.cloud.FaultyCloudDriver.Op;
import dev.tollgate.cloud.port.AgentRegistry;
import dev.tollgate.cloud.port.AgentSpec;
import dev.tollgate.cloud.port.CloudDriver;
import dev.tollgate.cloud.port.CloudException;
import dev.tollgate.cloud.port.CloudInstance;
import dev.tollgate.cloud.port.LaunchSpec;
import dev.tollgate.testing.DeadlockProbe;
import dev.tollgate.testing.ManualClock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.Test;

/**
 * The engine never holds a lock while it calls the registry or the driver. In Jenkins the registry
 * takes Jenkins' own locks ({@code Jenkins.removeNode} takes the queue lock), and the thread holding
 * one of them may be calling the engine at that moment: the queue asks {@code acceptsBuilds} under
 * it, a retention strategy's {@code check} runs under it, a listener reports a connection. Here each port call waits until another thread has made such calls; with a lock held
 * across the port call, both would wait forever.
 */
public class PortCallbackTest {
    private final DeadlockProbe probe = new DeadlockProbe();

    private final ManualClock clock = new ManualClock();
    private final FaultyCloudDriver cloud = new FaultyCloudDriver(clock);
    private final FakeRegistry agents = new FakeRegistry();
    private volatile Consumer<String> onCall = verb -> { };
    private final CloudEngine engine = CloudEngine.builder(CloudSettings.builder("test", "ctl-1").requestRate(1000, 1000)
                    .template(AgentTemplate.builder("small").labels("linux").buildWaitTimeout(Duration.ofMinutes(1)).build())
                    .build())
            .driver(new HookedDriver()).registry(new HookedRegistry()).clock(clock).executor(Runnable::run)
            .random(new Random(42)).build();

    /** What another thread does meanwhile: every entry point of the engine. */
    private void callsFromAnotherThread() {
        engine.tick();
        engine.records();
        engine.acceptsBuilds("test-small-nobody");
        engine.agentConnected("test-small-nobody", null);
        engine.buildStarted("test-small-nobody");
        engine.buildFinished("test-small-nobody");
        engine.agentDisconnected("test-small-nobody");
        engine.release("test-small-nobody", "gone");
        engine.interruptionNotice("i-nobody", "notice");
        engine.interruptionNoticed("i-nobody", clock.instant(), "terminate");
        engine.interruptionWatchReport("test-small-nobody");
        engine.strayInstances();
        engine.planWaiting(Map.of("windows", 1));
        engine.reap();
    }

    /**
     * The first port call {@code verb} starts another thread that calls into the engine, and waits
     * for it to finish, the way a Jenkins call waits for a lock that thread holds.
     */
    private void whileIn(String verb) {
        AtomicBoolean first = new AtomicBoolean(true);
        onCall = v -> {
            if (!v.equals(verb) || !first.compareAndSet(true, false)) {
                return;
            }
            probe.callFromAnotherThreadAndWait("other-thread-during-" + verb, this::callsFromAnotherThread);
        };
    }

    private void returnsWithoutDeadlock(String what, Runnable engineCall) throws InterruptedException {
        probe.returnsWithoutDeadlock(what, engineCall);
    }

    private AgentRecord startOne() {
        return engine.provision("linux", 1).planned().get(0).future().join();
    }

    private AgentRecord connectedOne() {
        AgentRecord r = startOne();
        agents.connect(r.agentName());
        assertEquals(ConnectDecision.ACCEPTED, engine.agentConnected(r.agentName(), r.instanceId()));
        return r;
    }

    private AgentState state(AgentRecord r) {
        return engine.record(r.agentName()).orElseThrow().state();
    }

    @Test
    public void createWhileProvisioning() throws Exception {
        whileIn("create");
        AtomicReference<ProvisionResult> result = new AtomicReference<>();
        returnsWithoutDeadlock("provision", () -> result.set(engine.provision("linux", 1)));
        assertEquals(AgentState.PENDING, result.get().planned().get(0).future().join().state());
    }

    @Test
    public void connectionSettingsWhileProvisioning() throws Exception {
        whileIn("connectionEnv");
        returnsWithoutDeadlock("provision", () -> engine.provision("linux", 1));
        assertEquals(1, agents.listOwned().size());
    }

    @Test
    public void registrationOfACreatedAgent() throws Exception {
        whileIn("add");
        returnsWithoutDeadlock("provision", () -> engine.provision("linux", 1));
        assertEquals(1, agents.listOwned().size());
    }

    @Test
    public void removalOfAnIdleAgentOnTick() throws Exception {
        AgentRecord r = connectedOne();
        clock.advance(Duration.ofMinutes(2));
        whileIn("remove");
        returnsWithoutDeadlock("tick", engine::tick);
        engine.tick();
        assertTrue(state(r).isEnded());
        assertEquals(List.of(), cloud.alive());
    }

    @Test
    public void terminateOnTickIsSentOnceWhileAnotherThreadTicks() throws Exception {
        AgentRecord r = connectedOne();
        engine.release(r.agentName(), "done");
        whileIn("terminate");
        returnsWithoutDeadlock("tick", engine::tick);
        assertEquals(AgentState.TERMINATED, state(r));
        assertEquals("the other thread's tick left the terminate in flight alone", 1, cloud.count(Op.TERMINATE));
    }

    @Test
    public void connectionPollOnTick() throws Exception {
        AgentRecord r = startOne();
        agents.connect(r.agentName()); // connected without an event: the tick notices
        whileIn("isConnected");
        returnsWithoutDeadlock("tick", engine::tick);
        assertEquals(AgentState.CONNECTED, state(r));
    }

    @Test
    public void describeOnTick() throws Exception {
        startOne();
        clock.advance(Duration.ofMinutes(2));
        whileIn("describe");
        returnsWithoutDeadlock("tick", engine::tick);
        assertEquals(1, cloud.count(Op.DESCRIBE));
    }

    @Test
    public void interruptionCheckAndOfflineOnTick() throws Exception {
        AgentRecord r = connectedOne();
        engine.buildStarted(r.agentName()); // busy: the idle timeout stays out of it
        cloud.announcesInterruptions = true;
        cloud.notice(r.instanceId());
        clock.advance(Duration.ofMinutes(2)); // its side does not report: the API check covers it
        whileIn("takeOffline");
        returnsWithoutDeadlock("tick", engine::tick);
        assertTrue(agents.offline.containsKey(r.agentName()));
        assertEquals("an interrupted agent ends as failed", AgentState.FAILED, state(r));
    }

    @Test
    public void agentSideNoticeReschedulesWhileAnotherThreadCallsIn() throws Exception {
        AgentRecord r = connectedOne();
        engine.buildStarted(r.agentName());
        whileIn("rescheduleBuilds");
        returnsWithoutDeadlock("interruptionNoticed",
                () -> engine.interruptionNoticed(r.agentName(), clock.instant().plusSeconds(120), "terminate"));
        assertTrue(agents.offline.containsKey(r.agentName()));
        assertTrue(agents.rescheduled.containsKey(r.agentName()));
        assertFalse(state(r).isLive());
    }

    @Test
    public void interruptionCheckIsMadeOnceWhileAnotherThreadTicks() throws Exception {
        engine.buildStarted(connectedOne().agentName());
        cloud.announcesInterruptions = true;
        clock.advance(Duration.ofMinutes(2));
        whileIn("interruptedInstances");
        returnsWithoutDeadlock("tick", engine::tick);
        assertEquals(1, cloud.interruptionChecks.get());
    }

    @Test
    public void listingOnReap() throws Exception {
        connectedOne();
        whileIn("listOwned");
        returnsWithoutDeadlock("reap", engine::reap);
        assertEquals(1, engine.records().stream().filter(x -> x.state().isLive()).count());
        assertEquals(List.of(), engine.strayInstances().stream().toList());
    }

    @Test
    public void agentListOnReap() throws Exception {
        connectedOne();
        agents.plantAgent("test-small-ghost");
        whileIn("registryListOwned");
        returnsWithoutDeadlock("reap", engine::reap);
        assertEquals(1, agents.listOwned().size());
    }

    private final class HookedDriver implements CloudDriver {
        @Override
        public CloudInstance create(LaunchSpec spec) throws CloudException {
            onCall.accept("create");
            return cloud.create(spec);
        }

        @Override
        public List<CloudInstance> describe(Collection<String> ids) throws CloudException {
            onCall.accept("describe");
            return cloud.describe(ids);
        }

        @Override
        public List<CloudInstance> listOwned(String controllerId) throws CloudException {
            onCall.accept("listOwned");
            return cloud.listOwned(controllerId);
        }

        @Override
        public void terminate(Collection<String> ids) throws CloudException {
            onCall.accept("terminate");
            cloud.terminate(ids);
        }

        @Override
        public List<String> interruptedInstances(Collection<String> live) {
            onCall.accept("interruptedInstances");
            return cloud.interruptedInstances(live);
        }
    }

    private final class HookedRegistry implements AgentRegistry {
        @Override
        public void add(AgentSpec agent) {
            onCall.accept("add");
            agents.add(agent);
        }

        @Override
        public void remove(String agentName) {
            onCall.accept("remove");
            agents.remove(agentName);
        }

        @Override
        public boolean isConnected(String agentName) {
            onCall.accept("isConnected");
            return agents.isConnected(agentName);
        }

        @Override
        public Set<String> listOwned() {
            onCall.accept("registryListOwned");
            return agents.listOwned();
        }

        @Override
        public void takeOffline(String agentName, String reason) {
            onCall.accept("takeOffline");
            agents.takeOffline(agentName, reason);
        }

        @Override
        public void rescheduleBuilds(String agentName, String reason) {
            onCall.accept("rescheduleBuilds");
            agents.rescheduleBuilds(agentName, reason);
        }

        @Override
        public Map<String, String> connectionEnv(String agentName, String templateName) {
            onCall.accept("connectionEnv");
            return agents.connectionEnv(agentName, templateName);
        }
    }
}
