package dev.tollgate.cloud.contract;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.tollgate.cloud.AgentRecord;
import dev.tollgate.cloud.AgentState;
import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.CloudEngine;
import dev.tollgate.cloud.CloudSettings;
import dev.tollgate.cloud.ConnectDecision;
import dev.tollgate.cloud.InMemoryAgentRegistry;
import dev.tollgate.cloud.InMemoryLifecycleStore;
import dev.tollgate.cloud.PlannedAgent;
import dev.tollgate.cloud.port.CloudDriver;
import dev.tollgate.cloud.port.CloudException;
import dev.tollgate.cloud.port.CloudException.Kind;
import dev.tollgate.cloud.port.CloudInstance;
import dev.tollgate.cloud.port.Fingerprint;
import dev.tollgate.cloud.port.LaunchSpec;
import dev.tollgate.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * What cloud-core expects of every {@link CloudDriver}, checked against the driver's own peer (a fake
 * API server, or the real daemon). A driver's test subclasses it and implements one method,
 * {@link #open(ManualClock)}, which returns a {@link Subject}: the driver wired to its peer, plus the
 * few things the suite cannot do through the port (look at the peer directly, inject a peer-side
 * error). Every test then runs against it:
 * <ul>
 * <li><b>create</b> applies the fingerprint at creation; <b>describe</b> reads it back, batched, and
 *     leaves out (or answers NOT_FOUND for) ids the cloud does not know;</li>
 * <li><b>listOwned</b> returns exactly the controller's live instances with their fingerprints: another
 *     controller's instances and unmarked ones are never listed;</li>
 * <li><b>terminate</b> ends the instance in the peer and is idempotent: ending an instance that is gone,
 *     or an id the cloud never had, is not an error;</li>
 * <li>a retried <b>launch</b> with the same spec (same agent, same fingerprint: a call that timed out
 *     and is sent again) never makes a second instance;</li>
 * <li>concurrent creates (the engine runs them at once) each make their own instance;</li>
 * <li><b>errors</b> map onto {@link CloudException.Kind}: an unknown template is PERMANENT, an
 *     unreachable peer is TRANSIENT, and each error the peer can be made to answer
 *     ({@link Subject#failNext}) arrives as its kind;</li>
 * <li>the <b>fault-injection matrix</b>: a {@link CloudEngine} over the driver, with faults injected
 *     around the real calls (crash after create, create that times out after it worked, a duplicate
 *     create, failing terminates, failing describe/list/terminate, a throttling storm, a restart with
 *     the store lost, an instance ended behind the engine's back). Each scenario ends the same way:
 *     faults clear, the clock passes the reaper's grace, one reaper cycle, then zero instances alive in
 *     the peer that no live record accounts for (read from the peer, not through the driver) and zero
 *     ghost agents; finally every agent is released and the peer holds nothing of the controller.</li>
 * </ul>
 * Each test uses its own controller ids, so a peer shared by the whole test class (a daemon started
 * once) is fine; whatever a test leaves is ended in {@link #closeSubject()}. The engine runs on a
 * {@link ManualClock} (the fingerprints' created-at come from it), creates on the calling thread.
 *
 * <p>Not thread-safe: one test at a time (JUnit's default).
 */
public abstract class CloudDriverContract {
    /** The port's four calls, as {@link Subject#failNext} names them. */
    public enum Op { CREATE, DESCRIBE, LIST, TERMINATE }

    /** The driver under test wired to its peer, and the peer-side view the suite needs. */
    public interface Subject extends AutoCloseable {
        /** The driver under test; the suite calls it directly and through an engine. */
        CloudDriver driver();

        /** The cloud name the driver was configured with (it goes into fingerprints). */
        String cloudName();

        /** A template the driver can launch on its peer, quickly and as often as asked. */
        String templateName();

        /** An id in the cloud's own format that the peer does not have. */
        String unknownInstanceId();

        /** Ids of the live instances in the peer carrying {@code controllerId}'s fingerprint, read from the peer itself. */
        Set<String> liveInPeer(String controllerId) throws Exception;

        /** Starts an instance in the peer that carries no fingerprint (a person's own); returns its id. */
        String plantUnmarked() throws Exception;

        /** The same driver set up for a peer address where nothing listens. */
        CloudDriver unreachableDriver() throws Exception;

        /**
         * Makes the peer answer the next call of {@code op} with the error the driver should map to
         * {@code kind}. Returns false when the peer cannot produce that error (a real daemon); the suite
         * then checks the other kinds only.
         */
        default boolean failNext(Op op, Kind kind) throws Exception {
            return false;
        }

        /**
         * Waits, bounded, until the peer has finished what it was still doing on its own (an instance in a
         * transitional state that the peer itself will end), so that {@link #liveInPeer} reads a settled
         * view. Called before each scenario's final reading. It only waits: it must never end, hide or
         * filter an instance, so a driver that leaks still fails. Default: nothing to wait for (a peer
         * whose reads are settled at once).
         */
        default void settle() throws Exception {
        }

        /** Stops what {@link #open} started for this test (not a peer shared by the class). */
        @Override
        void close() throws Exception;
    }

    /**
     * Opens the driver under test against its peer, for one test. The driver must read the clock it is
     * given wherever it reads time (the engine and the fingerprints run on it).
     */
    protected abstract Subject open(ManualClock clock) throws Exception;

    // ---------------------------------------------------------------- per test

    /** The clock the driver and the engines run on. */
    protected final ManualClock clock = new ManualClock();
    /** The subject {@link #open} returned for the current test. */
    protected Subject subject;
    private final Set<String> controllers = new LinkedHashSet<>();
    private final Set<String> unmarked = new LinkedHashSet<>();
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final String SECRET = "contract-agent-secret-5d1c";

    @Before
    public final void openSubject() throws Exception {
        subject = open(clock);
        assertNotNull("open() returned no subject", subject);
    }

    @After
    public final void closeSubject() throws Exception {
        if (subject == null) {
            return;
        }
        try {
            for (String c : controllers) {
                List<String> left = subject.driver().listOwned(c).stream().filter(i -> !i.isGone())
                        .map(CloudInstance::id).toList();
                if (!left.isEmpty()) {
                    subject.driver().terminate(left);
                }
            }
            if (!unmarked.isEmpty()) {
                subject.driver().terminate(unmarked);
            }
        } finally {
            subject.close();
        }
    }

    /** A controller id of this test's own: the peer may hold others' instances from other tests. */
    private String controller(String what) {
        String c = "ctl-" + what + "-" + SEQ.incrementAndGet();
        controllers.add(c);
        return c;
    }

    private LaunchSpec spec(String controller, String agent) {
        Fingerprint fp = new Fingerprint(controller, subject.cloudName(), subject.templateName(), agent, clock.instant());
        return new LaunchSpec(subject.templateName(), agent, fp, Map.of("TOLLGATE_AGENT_SECRET", SECRET));
    }

    private static Set<String> ids(Collection<CloudInstance> l) {
        return l.stream().filter(i -> !i.isGone()).map(CloudInstance::id).collect(Collectors.toSet());
    }

    // ---------------------------------------------------------------- create / describe

    @Test
    public void createAppliesTheFingerprintAndDescribeReadsItBack() throws Exception {
        String ctl = controller("describe");
        LaunchSpec spec = spec(ctl, "agent-d1");
        CloudInstance made = subject.driver().create(spec);
        assertNotNull(made.id());
        assertFalse("a fresh instance is not gone: " + made, made.isGone());
        if (made.fingerprint() != null) {
            assertEquals(spec.fingerprint(), made.fingerprint());
        }
        assertEquals(Set.of(made.id()), subject.liveInPeer(ctl));

        List<CloudInstance> seen = subject.driver().describe(List.of(made.id()));
        assertEquals(1, seen.size());
        assertEquals(made.id(), seen.get(0).id());
        assertEquals("the fingerprint, read back whole", spec.fingerprint(), seen.get(0).fingerprint());
        assertFalse(seen.get(0).isGone());
    }

    @Test
    public void describeTakesABatchAndLeavesOutUnknownIds() throws Exception {
        String ctl = controller("batch");
        List<String> made = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            made.add(subject.driver().create(spec(ctl, "agent-b" + i)).id());
        }
        List<String> asked = new ArrayList<>(made);
        asked.add(subject.unknownInstanceId());
        try {
            List<CloudInstance> seen = subject.driver().describe(asked);
            Set<String> live = ids(seen);
            assertEquals(new HashSet<>(made), live);
            for (CloudInstance ci : seen) {
                if (made.contains(ci.id())) {
                    assertEquals(ctl, ci.fingerprint().controllerId());
                }
            }
        } catch (CloudException e) {
            // allowed by the port (the engine skips that round), but only as NOT_FOUND
            assertEquals(e.getMessage(), Kind.NOT_FOUND, e.kind());
        }
        assertTrue(subject.driver().describe(List.of()).isEmpty());
        try {
            assertTrue("unknown ids are left out or reported gone",
                    ids(subject.driver().describe(List.of(subject.unknownInstanceId()))).isEmpty());
        } catch (CloudException e) {
            assertEquals(e.getMessage(), Kind.NOT_FOUND, e.kind());
        }
    }

    // ---------------------------------------------------------------- listOwned

    @Test
    public void listOwnedReturnsTheControllersInstancesAndNeverOthers() throws Exception {
        String mine = controller("mine");
        String other = controller("other");
        Set<String> expected = new HashSet<>();
        expected.add(subject.driver().create(spec(mine, "agent-m1")).id());
        expected.add(subject.driver().create(spec(mine, "agent-m2")).id());
        String theirs = subject.driver().create(spec(other, "agent-o1")).id();
        String person = subject.plantUnmarked();
        unmarked.add(person);

        List<CloudInstance> listed = subject.driver().listOwned(mine);
        assertEquals(expected, ids(listed));
        for (CloudInstance ci : listed) {
            assertNotNull("listed without its fingerprint: " + ci, ci.fingerprint());
            assertEquals(mine, ci.fingerprint().controllerId());
            assertEquals(subject.cloudName(), ci.fingerprint().cloud());
        }
        Set<String> all = listed.stream().map(CloudInstance::id).collect(Collectors.toSet());
        assertFalse("another controller's instance listed", all.contains(theirs));
        assertFalse("an unmarked instance listed", all.contains(person));
        assertEquals(Set.of(theirs), ids(subject.driver().listOwned(other)));
        assertTrue(ids(subject.driver().listOwned(controller("nobody"))).isEmpty());
    }

    // ---------------------------------------------------------------- terminate

    @Test
    public void terminateEndsTheInstanceAndIsIdempotent() throws Exception {
        String ctl = controller("terminate");
        String id = subject.driver().create(spec(ctl, "agent-t1")).id();
        String kept = subject.driver().create(spec(ctl, "agent-t2")).id();
        subject.driver().terminate(List.of(id));
        subject.settle();
        assertEquals(Set.of(kept), subject.liveInPeer(ctl));
        subject.driver().terminate(List.of(id)); // again: gone is not an error
        subject.driver().terminate(List.of(subject.unknownInstanceId()));
        subject.driver().terminate(List.of());
        assertEquals(Set.of(kept), ids(subject.driver().listOwned(ctl)));
        try {
            assertFalse(ids(subject.driver().describe(List.of(id))).contains(id));
        } catch (CloudException e) {
            assertEquals(e.getMessage(), Kind.NOT_FOUND, e.kind());
        }
        subject.driver().terminate(List.of(kept, id));
        subject.settle();
        assertEquals(Set.of(), subject.liveInPeer(ctl));
    }

    // ---------------------------------------------------------------- idempotent launch

    @Test
    public void aRetriedLaunchDoesNotMakeTwo() throws Exception {
        String ctl = controller("retry");
        LaunchSpec spec = spec(ctl, "agent-r1");
        CloudInstance first = subject.driver().create(spec);
        try {
            CloudInstance again = subject.driver().create(spec);
            assertEquals("the same launch sent twice answers the same instance", first.id(), again.id());
        } catch (CloudException e) {
            // refusing the retry is allowed; making a twin is not
        }
        assertEquals(Set.of(first.id()), subject.liveInPeer(ctl));
        assertEquals(Set.of(first.id()), ids(subject.driver().listOwned(ctl)));
    }

    @Test
    public void concurrentCreatesEachMakeTheirOwnInstance() throws Exception {
        String ctl = controller("concurrent");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<CloudInstance>> made = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                LaunchSpec s = spec(ctl, "agent-c" + i);
                made.add(pool.submit((Callable<CloudInstance>) () -> subject.driver().create(s)));
            }
            Set<String> ids = new HashSet<>();
            for (Future<CloudInstance> f : made) {
                ids.add(f.get(120, TimeUnit.SECONDS).id());
            }
            assertEquals(4, ids.size());
            assertEquals(ids, subject.liveInPeer(ctl));
        } finally {
            pool.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- errors

    @Test
    public void anUnknownTemplateIsPermanent() throws Exception {
        String ctl = controller("template");
        Fingerprint fp = new Fingerprint(ctl, subject.cloudName(), "no-such-template", "agent-u1", clock.instant());
        try {
            subject.driver().create(new LaunchSpec("no-such-template", "agent-u1", fp, Map.of()));
            fail("created an instance of a template the driver does not have");
        } catch (CloudException e) {
            assertEquals(e.getMessage(), Kind.PERMANENT, e.kind());
        }
        assertEquals(Set.of(), subject.liveInPeer(ctl));
    }

    @Test
    public void anUnreachablePeerIsTransient() throws Exception {
        CloudDriver gone = subject.unreachableDriver();
        try {
            gone.listOwned(controller("unreachable"));
            fail("listed instances of a peer that is not there");
        } catch (CloudException e) {
            assertEquals(e.getMessage(), Kind.TRANSIENT, e.kind());
        }
        try {
            gone.terminate(List.of(subject.unknownInstanceId()));
            fail("a terminate that reached nobody reported success");
        } catch (CloudException e) {
            assertEquals(e.getMessage(), Kind.TRANSIENT, e.kind());
        }
    }

    @Test
    public void peerErrorsMapToTheirKinds() throws Exception {
        String ctl = controller("errors");
        for (Op op : Op.values()) {
            for (Kind kind : Kind.values()) {
                if (!subject.failNext(op, kind)) {
                    continue;
                }
                try {
                    switch (op) {
                        case CREATE -> subject.driver().create(spec(ctl, "agent-e-" + kind.name().toLowerCase()));
                        case DESCRIBE -> subject.driver().describe(List.of(subject.unknownInstanceId()));
                        case LIST -> subject.driver().listOwned(ctl);
                        case TERMINATE -> subject.driver().terminate(List.of(subject.unknownInstanceId()));
                    }
                    if (!(op == Op.TERMINATE && kind == Kind.NOT_FOUND)) {
                        fail(op + ": the injected " + kind + " error was not reported");
                    }
                } catch (CloudException e) {
                    assertEquals(op + ": " + e.getMessage(), kind, e.kind());
                }
            }
        }
        assertEquals("no failed create left an instance", Set.of(), subject.liveInPeer(ctl));
    }

    // ---------------------------------------------------------------- the fault-injection matrix

    @Test
    public void faultCrashAfterCreateBeforeTheIdWasRecorded() throws Exception {
        Run r = new Run("crash-after-create");
        r.faults.crashAfterCreate = true;
        try {
            r.engine.provision("contract", 1);
        } catch (ControllerCrash expected) {
            // the controller is gone (the planner may also catch it); the instance exists
        }
        r.faults.crashAfterCreate = false;
        AgentRecord stored = r.store.loadAll().iterator().next();
        assertEquals(AgentState.REQUESTED, stored.state());
        assertEquals("the id never reached the store", null, stored.instanceId());
        assertEquals(1, subject.liveInPeer(r.controller).size());
        r.restart();
        r.engine.reap();
        String id = r.engine.record(stored.agentName()).orElseThrow().instanceId();
        assertEquals("adopted by its fingerprint", subject.liveInPeer(r.controller), Set.of(id));
        r.runOneBuild(stored.agentName());
        r.finish();
    }

    @Test
    public void faultCreateTimesOutButTheInstanceExists() throws Exception {
        Run r = new Run("create-timeout");
        r.faults.timeoutsAfterCreate = 1;
        PlannedAgent p = r.engine.provision("contract", 1).planned().get(0);
        assertTrue(p.future().isCompletedExceptionally());
        assertEquals(1, subject.liveInPeer(r.controller).size());
        r.engine.reap();
        assertEquals(subject.liveInPeer(r.controller), Set.of(r.engine.record(p.agentName()).orElseThrow().instanceId()));
        r.runOneBuild(p.agentName());
        r.finish();
    }

    @Test
    public void faultDuplicateCreate() throws Exception {
        Run r = new Run("duplicate-create");
        r.faults.duplicateCreates = 1; // the call is sent twice, as an HTTP retry would
        String agent = r.engine.provision("contract", 1).planned().get(0).agentName();
        assertNotNull(r.engine.record(agent).orElseThrow().instanceId());
        r.engine.reap();
        r.finish();
    }

    @Test
    public void faultTerminateFailsThenWorks() throws Exception {
        Run r = new Run("terminate-fails");
        r.faults.failNext(Op.TERMINATE, 3, Kind.TRANSIENT);
        String agent = r.engine.provision("contract", 1).planned().get(0).agentName();
        String id = r.engine.record(agent).orElseThrow().instanceId();
        r.connectAndBuild(agent);
        for (int i = 0; i < 6 && r.engine.record(agent).orElseThrow().state() != AgentState.TERMINATED; i++) {
            r.engine.tick();
            AgentRecord rec = r.engine.record(agent).orElseThrow();
            if (rec.nextAttemptAt() != null && rec.nextAttemptAt().isAfter(clock.instant())) {
                clock.set(rec.nextAttemptAt());
            }
        }
        assertEquals(AgentState.TERMINATED, r.engine.record(agent).orElseThrow().state());
        subject.settle();
        assertFalse(subject.liveInPeer(r.controller).contains(id));
        r.finish();
    }

    @Test
    public void faultEveryCallFailsTransientlyForAWhile() throws Exception {
        Run r = new Run("transient-everything");
        r.faults.failNext(Op.DESCRIBE, 2, Kind.TRANSIENT).failNext(Op.LIST, 2, Kind.TRANSIENT)
                .failNext(Op.TERMINATE, 2, Kind.TRANSIENT);
        List<String> agents = r.engine.provision("contract", 2).planned().stream().map(PlannedAgent::agentName).toList();
        r.connectAndBuild(agents.get(0));
        for (int i = 0; i < 6; i++) {
            clock.advance(Duration.ofSeconds(30));
            r.engine.tick();
            r.engine.reap();
        }
        r.finish();
    }

    @Test
    public void faultThrottlingStormMakesNothing() throws Exception {
        Run r = new Run("throttling-storm");
        r.faults.throttleCreates = true;
        for (int s = 0; s < 30; s++) {
            r.engine.provision("contract", 2);
            r.engine.tick();
            clock.advance(Duration.ofSeconds(1));
        }
        assertEquals(Set.of(), subject.liveInPeer(r.controller));
        r.faults.throttleCreates = false;
        clock.advance(Duration.ofMinutes(10));
        PlannedAgent p = r.engine.provision("contract", 1).planned().get(0);
        AgentState after = p.future().join().state();
        assertTrue("the create after the storm: " + after, after == AgentState.PENDING || after == AgentState.RUNNING);
        assertEquals(1, subject.liveInPeer(r.controller).size());
        r.finish();
    }

    @Test
    public void faultRestartWithTheStoreLost() throws Exception {
        Run r = new Run("store-lost");
        r.engine.provision("contract", 2);
        assertEquals(2, subject.liveInPeer(r.controller).size());
        r.store = new InMemoryLifecycleStore();
        r.restart(); // only the fingerprints in the peer remain
        r.finish();
        assertEquals(Set.of(), r.registry.listOwned());
    }

    @Test
    public void faultInstanceEndedBehindTheEnginesBack() throws Exception {
        Run r = new Run("ended-outside");
        String agent = r.engine.provision("contract", 1).planned().get(0).agentName();
        String id = r.engine.record(agent).orElseThrow().instanceId();
        assertEquals(ConnectDecision.ACCEPTED, r.engine.agentConnected(agent, id));
        subject.driver().terminate(List.of(id)); // a person, or the cloud, ended it
        r.finish();
        assertFalse(r.registry.agent(agent).isPresent());
    }

    /** Stands for the controller process dying inside a call. */
    private static final class ControllerCrash extends Error {
        ControllerCrash() {
            super("controller crashed", null, false, false);
        }
    }

    /** Faults around the real driver: the real call is made (or not) and the injected outcome reported. */
    private static final class Faults implements CloudDriver {
        final CloudDriver real;
        volatile boolean crashAfterCreate;
        volatile boolean throttleCreates;
        volatile int timeoutsAfterCreate;
        volatile int duplicateCreates;
        private final Map<Op, AtomicInteger> failing = new java.util.EnumMap<>(Op.class);
        private final Map<Op, Kind> failKind = new java.util.EnumMap<>(Op.class);

        Faults(CloudDriver real) {
            this.real = real;
            for (Op op : Op.values()) {
                failing.put(op, new AtomicInteger());
            }
        }

        Faults failNext(Op op, int times, Kind kind) {
            failKind.put(op, kind);
            failing.get(op).set(times);
            return this;
        }

        void clear() {
            crashAfterCreate = throttleCreates = false;
            timeoutsAfterCreate = duplicateCreates = 0;
            failing.values().forEach(a -> a.set(0));
        }

        private void maybeFail(Op op) throws CloudException {
            if (failing.get(op).getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new CloudException(failKind.get(op), "Injected", "injected " + failKind.get(op) + " on " + op);
            }
        }

        @Override
        public CloudInstance create(LaunchSpec spec) throws CloudException {
            if (throttleCreates) {
                throw new CloudException(Kind.THROTTLED, "Injected", "injected throttling");
            }
            maybeFail(Op.CREATE);
            CloudInstance made = real.create(spec);
            if (duplicateCreates > 0) {
                duplicateCreates--;
                try {
                    made = real.create(spec);
                } catch (CloudException e) {
                    // a driver may refuse the repeat; the first instance stands
                }
            }
            if (crashAfterCreate) {
                throw new ControllerCrash();
            }
            if (timeoutsAfterCreate > 0) {
                timeoutsAfterCreate--;
                throw new CloudException(Kind.TRANSIENT, "Injected", "read timed out (injected, after the create worked)");
            }
            return made;
        }

        @Override
        public List<CloudInstance> describe(Collection<String> ids) throws CloudException {
            maybeFail(Op.DESCRIBE);
            return real.describe(ids);
        }

        @Override
        public List<CloudInstance> listOwned(String controllerId) throws CloudException {
            maybeFail(Op.LIST);
            return real.listOwned(controllerId);
        }

        @Override
        public void terminate(Collection<String> ids) throws CloudException {
            maybeFail(Op.TERMINATE);
            real.terminate(ids);
        }
    }

    /** One scenario: an engine over the faulty wrapper of the driver under test, with its own controller id. */
    private final class Run {
        final String controller;
        final Faults faults = new Faults(subject.driver());
        final InMemoryAgentRegistry registry = new InMemoryAgentRegistry(Map.of("TOLLGATE_AGENT_SECRET", SECRET));
        final CloudSettings settings;
        InMemoryLifecycleStore store = new InMemoryLifecycleStore();
        CloudEngine engine;

        Run(String scenario) {
            controller = controller(scenario);
            settings = CloudSettings.builder(subject.cloudName(), controller).requestRate(1000, 1000)
                    .reaperGrace(Duration.ofMinutes(5)).describeInterval(Duration.ofSeconds(30))
                    .terminateBackoff(Duration.ofSeconds(5)).maxBackoff(Duration.ofMinutes(5))
                    .throttleBackoff(Duration.ofSeconds(1)).interruptionCheckInterval(Duration.ZERO)
                    .template(AgentTemplate.builder(subject.templateName()).labels("contract")
                            .buildWaitTimeout(Duration.ZERO).build())
                    .build();
            engine = build();
        }

        private CloudEngine build() {
            return CloudEngine.builder(settings).driver(faults).registry(registry).store(store).clock(clock)
                    .executor(Runnable::run).random(new Random(SEQ.get())).build();
        }

        void restart() {
            engine = build();
        }

        void connectAndBuild(String agent) {
            String id = engine.record(agent).orElseThrow().instanceId();
            assertEquals(ConnectDecision.ACCEPTED, engine.agentConnected(agent, id));
            engine.buildStarted(agent);
            engine.buildFinished(agent);
        }

        void runOneBuild(String agent) {
            connectAndBuild(agent);
            engine.tick();
            assertEquals(AgentState.TERMINATED, engine.record(agent).orElseThrow().state());
        }

        /** Live instances of this controller in the peer that no live record accounts for. */
        Set<String> leaks() throws Exception {
            Set<String> accounted = new HashSet<>();
            for (AgentRecord rec : engine.records()) {
                if (rec.state().isLive() && rec.instanceId() != null) {
                    accounted.add(rec.instanceId());
                }
            }
            Set<String> out = new HashSet<>(subject.liveInPeer(controller));
            out.removeAll(accounted);
            return out;
        }

        /** Agents registered without a live record, or whose record's instance is not alive in the peer. */
        Set<String> ghosts() throws Exception {
            Set<String> alive = subject.liveInPeer(controller);
            Set<String> out = new HashSet<>();
            for (String agent : registry.listOwned()) {
                AgentRecord rec = engine.record(agent).orElse(null);
                if (rec == null || !rec.state().isLive() || (rec.instanceId() != null && !alive.contains(rec.instanceId()))) {
                    out.add(agent);
                }
            }
            return out;
        }

        /**
         * Faults clear, the clock passes the grace, one reaper cycle: zero leaked, zero ghosts. Then every
         * agent is released and the peer holds nothing of this controller.
         */
        void finish() throws Exception {
            faults.clear();
            clock.advance(Duration.ofMinutes(6));
            engine.reap();
            subject.settle();
            assertEquals("leaked instances", Set.of(), leaks());
            assertEquals("ghost agents", Set.of(), ghosts());
            for (AgentRecord rec : engine.records()) {
                if (rec.state().isLive()) {
                    engine.release(rec.agentName(), "contract scenario over");
                }
            }
            for (int i = 0; i < 3 && !subject.liveInPeer(controller).isEmpty(); i++) {
                clock.advance(Duration.ofMinutes(6));
                engine.tick();
            }
            subject.settle();
            assertEquals("instances left after every agent was released", Set.of(), subject.liveInPeer(controller));
        }
    }
}
