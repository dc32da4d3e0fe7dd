package dev.tollgate.cloud;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.tollgate.cloud.port.CloudException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/** Caps, pending counting, concurrency, rate limit, throttling backoff and CAPACITY fallback. */
public class PlannerTest {

    private static long live(Harness h, String template) {
        return h.engine.records().stream().filter(r -> r.templateName().equals(template) && !r.state().isEnded()).count();
    }

    @Test
    public void templateCapLimitsInstancesAndPendingOnesCount() {
        Harness h = new Harness(Harness.settings().template(Harness.small().instanceCap(3).build()).build());
        ProvisionResult r = h.engine.provision("linux", 5);
        assertEquals(3, r.started());
        assertEquals(2, r.capped());
        // none connected yet: still pending, still counted
        assertEquals(0, h.engine.provision("linux", 5).started());
        assertEquals(3, h.driver.count(FaultyCloudDriver.Op.CREATE));
        // one ends: room for exactly one
        h.engine.release(r.planned().get(0).agentName(), "test");
        assertEquals("terminating still counts (it still costs)", 0, h.engine.provision("linux", 5).started());
        h.engine.tick();
        assertEquals(1, h.engine.provision("linux", 5).started());
    }

    @Test
    public void cloudCapLimitsAllTemplatesTogether() {
        Harness h = new Harness(Harness.settings().instanceCap(4)
                .template(Harness.small().instanceCap(3).build())
                .template(AgentTemplate.builder("large").labels("linux").instanceCap(3).build()).build());
        ProvisionResult r = h.engine.provision("linux", 10);
        assertEquals(4, r.started());
        assertEquals(3, live(h, "small"));
        assertEquals(1, live(h, "large"));
        assertEquals(6, r.capped());
    }

    @Test
    public void aSpotRequestCountsOnceAlsoWhenItBecomesAnInstance() {
        Harness h = new Harness(Harness.settings().template(Harness.small().instanceCap(1).build()).build());
        h.driver.spot(true);
        AgentRecord req = h.engine.provision("linux", 1).planned().get(0).future().join();
        assertEquals(AgentState.REQUESTED, req.state());
        assertEquals(0, h.engine.provision("linux", 1).started());
        String inst = h.driver.fulfil(req.instanceId());
        h.engine.reap(); // listing shows the instance (new id, same fingerprint)
        assertEquals(inst, h.rec(req.agentName()).instanceId());
        assertEquals(1, h.engine.records().size());
        assertEquals(0, h.engine.provision("linux", 1).started());
        assertEquals(1, h.driver.count(FaultyCloudDriver.Op.CREATE));
        assertEquals("the fulfilled request is no leak", 0, h.leaks().size());
    }

    @Test
    public void workloadIsInExecutorsAndOnlyMatchingTemplatesAreUsed() {
        Harness h = new Harness(Harness.settings()
                .template(AgentTemplate.builder("win").labels("windows").build())
                .template(Harness.small().executors(4).build()).build());
        ProvisionResult r = h.engine.provision("linux", 9);
        assertEquals(3, r.started()); // ceil(9 / 4)
        assertEquals(12, r.plannedExecutors());
        assertTrue(r.planned().stream().allMatch(p -> p.templateName().equals("small")));
        assertEquals(0, h.engine.provision("macos", 2).started());
        assertEquals(1, h.engine.provision((String) null, 1).started()); // unlabeled demand: first template
    }

    @Test
    public void planWaitingSubtractsCapacityAlreadyComing() {
        Harness h = new Harness(Harness.settings().template(Harness.small().build()).build());
        assertEquals(3, h.engine.planWaiting(Map.of("linux", 3)).get("linux").started());
        assertEquals("three pending instances cover three waiting builds", 0,
                h.engine.planWaiting(Map.of("linux", 3)).get("linux").started());
        assertEquals(2, h.engine.planWaiting(Map.of("linux", 5)).get("linux").started());
    }

    @Test
    public void aCreateThatThrowsAnErrorEndsItsFutureAndKeepsItsRecord() {
        Harness h = new Harness(Harness.settings().template(Harness.small().build()).build());
        h.driver.createError(new NoClassDefFoundError("software/amazon/awssdk/Missing"));
        PlannedAgent p = h.engine.provision("linux", 1).planned().get(0);
        assertTrue("the planned node must not wait forever", p.future().isCompletedExceptionally());
        AgentRecord rec = h.rec(p.agentName());
        assertEquals("the instance may exist: the record stays for the reaper", AgentState.REQUESTED, rec.state());
        assertTrue(rec.reason(), rec.reason().contains("NoClassDefFoundError"));
        h.engine.reap(); // the instance was made before the error: adopted by its fingerprint
        assertEquals(0, h.leaks().size());
    }

    @Test
    public void createsRunConcurrently() throws Exception {
        int n = 8;
        Harness h = new Harness(Harness.settings().template(Harness.small().build()).build());
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            h.executor = pool;
            CloudEngine engine = h.restart();
            CountDownLatch gate = new CountDownLatch(1);
            h.driver.createGate(gate);
            ProvisionResult r = engine.provision("linux", n);
            assertEquals(n, r.started());
            // all records exist before any create returns: written first
            assertEquals(n, h.store.size());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); // a hang guard
            while (h.driver.maxInFlight() < n && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals("all creates in flight at once", n, h.driver.maxInFlight());
            gate.countDown();
            for (PlannedAgent p : r.planned()) {
                assertEquals(AgentState.PENDING, p.future().get(10, TimeUnit.SECONDS).state());
            }
            assertEquals(n, h.registry.listOwned().size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    public void capsHoldWhenManyThreadsPlanAtOnce() throws Exception {
        Harness h = new Harness(Harness.settings().instanceCap(10).template(Harness.small().build()).build());
        ExecutorService creates = Executors.newFixedThreadPool(4);
        ExecutorService planners = Executors.newFixedThreadPool(8);
        try {
            h.executor = creates;
            CloudEngine engine = h.restart();
            CountDownLatch start = new CountDownLatch(1);
            java.util.List<java.util.concurrent.Future<ProvisionResult>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(planners.submit(() -> {
                    start.await();
                    return engine.provision("linux", 5);
                }));
            }
            start.countDown();
            int started = 0;
            for (java.util.concurrent.Future<ProvisionResult> f : results) {
                ProvisionResult r = f.get(10, TimeUnit.SECONDS);
                started += r.started();
                for (PlannedAgent p : r.planned()) {
                    p.future().get(10, TimeUnit.SECONDS);
                }
            }
            assertEquals(10, started);
            assertEquals(10, h.driver.count(FaultyCloudDriver.Op.CREATE));
            assertEquals(10, h.registry.listOwned().size());
        } finally {
            planners.shutdownNow();
            creates.shutdownNow();
        }
    }

    @Test
    public void requestRateIsLimitedByATokenBucketOnTheClock() {
        Harness h = new Harness(Harness.settings().requestRate(1.0, 3).template(Harness.small().build()).build());
        ProvisionResult r = h.engine.provision("linux", 5);
        assertEquals(3, r.started());
        assertEquals(2, r.deferred());
        assertEquals(0, h.engine.provision("linux", 2).started());
        h.advance(Duration.ofMillis(1999));
        assertEquals(1, h.engine.provision("linux", 2).started());
        h.advance(Duration.ofSeconds(10));
        assertEquals("refill stops at the burst", 3, h.engine.provision("linux", 10).started());
    }

    @Test
    public void maxStartingBoundsAgentsBootingAtOnceAndDefersTheRest() {
        Harness h = new Harness(Harness.settings().maxStarting(2).template(Harness.small().build()).build());
        ProvisionResult r = h.engine.provision("linux", 5);
        assertEquals(2, r.started());
        assertEquals("held back, not refused: it waits for a starting agent", 3, r.deferred());
        assertEquals(0, h.engine.provision("linux", 3).started());
        assertEquals(2, h.driver.count(FaultyCloudDriver.Op.CREATE));
        // one agent connects: one more may start
        AgentRecord first = r.planned().get(0).future().join();
        h.engine.agentConnected(first.agentName(), first.instanceId());
        ProvisionResult next = h.engine.provision("linux", 3);
        assertEquals(1, next.started());
        assertEquals(2, next.deferred());
        // a start that fails frees its place too
        h.driver.failNext(FaultyCloudDriver.Op.CREATE, 1, CloudException.Kind.PERMANENT);
        AgentRecord second = r.planned().get(1).future().join();
        h.engine.agentConnected(second.agentName(), second.instanceId());
        ProvisionResult failing = h.engine.provision("linux", 1);
        assertTrue(failing.planned().get(0).future().isCompletedExceptionally());
        long starting = h.engine.records().stream().filter(a -> a.state().isAwaitingConnection()).count();
        assertEquals(1, starting);
        assertEquals(4, h.driver.count(FaultyCloudDriver.Op.CREATE));
    }

    @Test
    public void maxStartingIsAtLeastOne() {
        try {
            Harness.settings().maxStarting(0).template(Harness.small().build()).build();
            fail();
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("maxStarting must be at least 1"));
        }
    }

    @Test
    public void throttlingPausesEveryCallWithGrowingJitteredBackoff() {
        Harness h = new Harness(Harness.settings().throttleBackoff(Duration.ofSeconds(1)).maxBackoff(Duration.ofSeconds(60))
                .template(Harness.small().build()).build());
        h.driver.failNext(FaultyCloudDriver.Op.CREATE, 3, CloudException.Kind.THROTTLED);
        long[] fullMs = {1000, 2000, 4000};
        for (int i = 0; i < 3; i++) {
            ProvisionResult r = h.engine.provision("linux", 1);
            assertEquals(1, r.started());
            assertTrue(r.planned().get(0).future().isCompletedExceptionally());
            int creates = h.driver.count(FaultyCloudDriver.Op.CREATE);
            // paused: nothing is sent, the demand is deferred
            ProvisionResult paused = h.engine.provision("linux", 1);
            assertEquals(0, paused.started());
            assertEquals(1, paused.deferred());
            assertEquals(creates, h.driver.count(FaultyCloudDriver.Op.CREATE));
            h.advance(Duration.ofMillis(fullMs[i] / 2 - 1));
            assertEquals("still paused at half the backoff", 0, h.engine.provision("linux", 1).started());
            h.advance(Duration.ofMillis(fullMs[i] / 2 + 1));
        }
        ProvisionResult ok = h.engine.provision("linux", 1);
        assertEquals(1, ok.started());
        assertEquals(AgentState.PENDING, ok.planned().get(0).future().join().state());
        assertEquals(3, h.metrics.snapshot().throttled());
        assertEquals("throttled creates created nothing", 1, h.driver.alive().size());
    }

    @Test
    public void capacityErrorFallsBackToTheNextTemplateAndCoolsTheFirst() {
        Harness h = new Harness(Harness.settings().capacityCooldown(Duration.ofMinutes(2))
                .template(Harness.small().build())
                .template(AgentTemplate.builder("large").labels("linux").build()).build());
        h.driver.failNext(FaultyCloudDriver.Op.CREATE, 1, CloudException.Kind.CAPACITY);
        ProvisionResult r = h.engine.provision("linux", 1);
        AgentRecord got = r.planned().get(0).future().join();
        assertEquals("large", got.templateName());
        assertEquals(1, h.driver.alive().size());
        // while cooling, new demand goes straight to the other template
        assertEquals("large", h.engine.provision("linux", 1).planned().get(0).templateName());
        h.advance(Duration.ofMinutes(2));
        assertEquals("small", h.engine.provision("linux", 1).planned().get(0).templateName());
    }

    @Test
    public void capacityWithNoOtherTemplateFailsThePlannedAgentAndLeavesNothing() {
        Harness h = new Harness(Harness.settings().template(Harness.small().build()).build());
        h.driver.failNext(FaultyCloudDriver.Op.CREATE, 1, CloudException.Kind.CAPACITY);
        ProvisionResult r = h.engine.provision("linux", 1);
        assertTrue(r.planned().get(0).future().isCompletedExceptionally());
        assertEquals(AgentState.FAILED, h.rec(r.planned().get(0).agentName()).state());
        ProvisionResult cooled = h.engine.provision("linux", 1);
        assertEquals(0, cooled.started());
        assertEquals(1, cooled.deferred());
        assertEquals(1, h.metrics.snapshot().failures());
    }

    @Test
    public void permanentErrorCoolsTheTemplateInsteadOfHammeringTheApi() {
        Harness h = new Harness(Harness.settings().template(Harness.small().build()).build());
        h.driver.failNext(FaultyCloudDriver.Op.CREATE, 1, CloudException.Kind.PERMANENT);
        h.engine.provision("linux", 1);
        for (int i = 0; i < 10; i++) {
            h.engine.provision("linux", 1);
        }
        assertEquals(1, h.driver.count(FaultyCloudDriver.Op.CREATE));
    }

    @Test
    public void aStoreThatCannotSaveStartsNothing() {
        Harness h = new Harness(Harness.settings().template(Harness.small().build()).build());
        CloudEngine broken = CloudEngine.builder(h.settings).driver(h.driver).registry(h.registry)
                .store(new dev.tollgate.cloud.port.LifecycleStore() {
                    @Override
                    public void save(AgentRecord record) {
                        throw new IllegalStateException("disk full");
                    }

                    @Override
                    public void delete(String agentName) {
                    }

                    @Override
                    public java.util.Collection<AgentRecord> loadAll() {
                        return java.util.List.of();
                    }
                }).clock(h.clock).executor(Runnable::run).build();
        ProvisionResult r = broken.provision("linux", 2);
        assertEquals(0, r.started());
        assertEquals(2, r.deferred());
        assertEquals(0, h.driver.count(FaultyCloudDriver.Op.CREATE));
    }
}
