package dev.tollgate.recycle;

import static dev.tollgate.recycle.FakePorts.build;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.tollgate.common.BuildResult;
import dev.tollgate.recycle.RecycleEvent.Kind;
import dev.tollgate.recycle.port.CommandResult;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.Before;
import org.junit.Test;

/** The service around the machines: hooks, duplicates, policies, status, robustness. */
public class RecyclerTest {
    private FakePorts ports;
    private Recycler recycler;

    @Before
    public void setUp() {
        ports = new FakePorts();
        recycler = ports.recycler(PolicyRules.everyAgent(RecyclePolicy.rebootDefaults()));
    }

    /**
     * Models Jenkins' executor: the completion hook runs, then the executor is released and only
     * then may the queue offer the agent to another build. The agent must be offline by then.
     */
    @Test
    public void offlineIsTakenBeforeTheExecutorReleaseHookReturns() {
        Runnable executorFinishing = () -> {
            recycler.buildCompleted(build("a1", 42, BuildResult.SUCCESS)); // ExecutorListener.taskCompleted
            ports.calls.add("executor released"); // Executor.finish2: removeExecutor + scheduleMaintenance
        };
        executorFinishing.run();
        assertEquals(List.of("offline a1", "executor released"),
                ports.verbs().subList(0, 2));
        assertEquals("the slow part waits for the next tick", 2, ports.verbs().size());
        recycler.tick();
        assertEquals(List.of("offline a1", "executor released", "command a1"), ports.verbs());
    }

    @Test
    public void everyResultIsRecycledByDefault_abortedIncluded() {
        int n = 1;
        for (BuildResult result : RecyclePolicy.BUILD_RESULTS) {
            String agent = "a-" + result;
            assertEquals(result.name(), Recycler.Outcome.RECYCLING, recycler.buildCompleted(build(agent, n++, result)));
            assertEquals(RecycleState.OFFLINE_TAKEN, recycler.status(agent).orElseThrow().state());
        }
        assertTrue(ports.offlineCause.get("a-ABORTED").contains("(ABORTED)"));
        recycler.tick();
        assertEquals(RecyclePolicy.BUILD_RESULTS.size(), ports.commands.size());
    }

    @Test
    public void resultsNotCoveredByThePolicyAreLeftAlone() {
        recycler.setRules(PolicyRules.everyAgent(RecyclePolicy.builder().appliesTo(BuildResult.FAILURE, BuildResult.ABORTED).build()));
        assertEquals(Recycler.Outcome.RESULT_NOT_COVERED, recycler.buildCompleted(build("a1", 1, BuildResult.SUCCESS)));
        assertEquals(Recycler.Outcome.RECYCLING, recycler.buildCompleted(build("a2", 2, BuildResult.ABORTED)));
        assertEquals(List.of("offline a2"), ports.verbs());
    }

    @Test
    public void noneModeDoesNothingAtAll() {
        recycler.setRules(PolicyRules.builder().forAgent("a1", RecyclePolicy.none()).otherwise(RecyclePolicy.rebootDefaults()).build());
        assertEquals(Recycler.Outcome.NOT_CONFIGURED, recycler.buildCompleted(build("a1", 1, BuildResult.FAILURE)));
        recycler.agentDisconnected("a1");
        recycler.agentConnected("a1");
        recycler.tick();
        assertTrue(ports.calls.isEmpty());
        assertTrue(recycler.status().isEmpty());
    }

    @Test
    public void unconfiguredAgentsAreLeftAloneByDefault() {
        recycler.setRules(PolicyRules.builder().forLabel("devstack_slave", RecyclePolicy.rebootDefaults()).build());
        CompletedBuild other = new CompletedBuild("b1", Set.of("docs"), "docs", 1, BuildResult.SUCCESS);
        assertEquals(Recycler.Outcome.NOT_CONFIGURED, recycler.buildCompleted(other));
        assertEquals(Recycler.Outcome.RECYCLING, recycler.buildCompleted(build("a1", 1, BuildResult.SUCCESS)));
        assertEquals(List.of("offline a1"), ports.verbs());
    }

    @Test
    public void duplicateCompletionOfTheSameBuildIsIgnored_alsoAfterTheRecycleEnded() {
        assertEquals(Recycler.Outcome.RECYCLING, recycler.buildCompleted(build("a1", 42, BuildResult.FAILURE)));
        assertEquals(Recycler.Outcome.DUPLICATE, recycler.buildCompleted(build("a1", 42, BuildResult.FAILURE)));
        recycler.tick();
        ports.commands.get("a1").complete(CommandResult.connectionLost(""));
        recycler.agentConnected("a1");
        assertEquals(RecycleState.ONLINE, recycler.status("a1").orElseThrow().state());

        // a late second hook for the same build must not reboot a machine that is clean again
        assertEquals(Recycler.Outcome.DUPLICATE, recycler.buildCompleted(build("a1", 42, BuildResult.FAILURE)));
        assertEquals(List.of("offline a1", "command a1", "online a1"), ports.verbs());
        assertEquals(List.of(Kind.STARTED, Kind.BACK_ONLINE), ports.eventKinds());

        // the next build is recycled again
        assertEquals(Recycler.Outcome.RECYCLING, recycler.buildCompleted(build("a1", 43, BuildResult.SUCCESS)));
    }

    @Test
    public void secondExecutorFinishingDuringARecycleDoesNotStartAnother() {
        ports.busy.add("a1");
        assertEquals(Recycler.Outcome.RECYCLING, recycler.buildCompleted(build("a1", 1, BuildResult.SUCCESS)));
        recycler.tick();
        assertEquals(Recycler.Outcome.ALREADY_RECYCLING, recycler.buildCompleted(new CompletedBuild("a1", Set.of(), "other", 5, BuildResult.SUCCESS)));
        ports.busy.remove("a1");
        recycler.tick();
        recycler.tick();
        assertEquals(List.of("offline a1", "command a1"), ports.verbs());
    }

    @Test
    public void agentThatCannotBeTakenOfflineIsNotRebooted() {
        ports.failTakeOffline = new IllegalStateException("no such computer");
        assertEquals(Recycler.Outcome.OFFLINE_FAILED, recycler.buildCompleted(build("a1", 1, BuildResult.SUCCESS)));
        recycler.tick();
        AgentStatus s = recycler.status("a1").orElseThrow();
        assertEquals(RecycleState.FAILED_STAYS_OFFLINE, s.state());
        assertTrue(s.cause(), s.cause().contains("could not take the agent offline") && s.cause().contains("no such computer"));
        assertEquals(List.of("offline a1"), ports.verbs());
        assertEquals(List.of(Kind.OFFLINE_FAILED), ports.eventKinds());
    }

    @Test
    public void statusListsEveryAgentSortedWithStateSinceAndCause() {
        recycler.buildCompleted(build("b", 1, BuildResult.SUCCESS));
        ports.clock.advance(java.time.Duration.ofSeconds(30));
        recycler.buildCompleted(build("a", 2, BuildResult.FAILURE));
        List<AgentStatus> status = recycler.status();
        assertEquals(2, status.size());
        assertEquals("a", status.get(0).agent());
        assertEquals("b", status.get(1).agent());
        assertEquals(RecycleState.OFFLINE_TAKEN, status.get(0).state());
        assertEquals(ports.clock.instant(), status.get(0).since());
        assertEquals("check-tempest #2 (FAILURE)", status.get(0).build());
        assertTrue(status.get(1).cause().startsWith("Tollgate: rebooting after check-tempest #1"));

        recycler.forget("b");
        assertEquals(1, recycler.status().size());
    }

    @Test
    public void aPortThatThrowsOnTickDoesNotStopOtherAgents() {
        recycler.buildCompleted(build("a1", 1, BuildResult.SUCCESS));
        recycler.tick();
        ports.commands.get("a1").complete(CommandResult.exited(0, ""));
        ports.failIsConnected = new IllegalStateException("boom");
        recycler.tick(); // logged, not thrown
        ports.failIsConnected = null;
        recycler.buildCompleted(build("a2", 2, BuildResult.SUCCESS));
        recycler.tick();
        assertEquals(RecycleState.REBOOT_SENT, recycler.status("a2").orElseThrow().state());
        assertEquals(RecycleState.WAITING_DISCONNECT, recycler.status("a1").orElseThrow().state());
    }

    @Test
    public void concurrentCompletionsForOneAgentStartExactlyOneRecycle() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Recycler.Outcome>> outcomes = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int number = i % 2 == 0 ? 42 : 100 + i; // duplicates of #42 and other builds' completions
                outcomes.add(pool.submit(() -> {
                    go.await();
                    return recycler.buildCompleted(build("a1", number, BuildResult.SUCCESS));
                }));
            }
            go.countDown();
            EnumSet<Recycler.Outcome> seen = EnumSet.noneOf(Recycler.Outcome.class);
            int recycling = 0;
            for (Future<Recycler.Outcome> f : outcomes) {
                Recycler.Outcome o = f.get(10, TimeUnit.SECONDS);
                seen.add(o);
                recycling += o == Recycler.Outcome.RECYCLING ? 1 : 0;
            }
            assertEquals(1, recycling);
            assertEquals(List.of("offline a1"), ports.verbs());
            assertTrue(seen.toString(), EnumSet.of(Recycler.Outcome.RECYCLING, Recycler.Outcome.DUPLICATE,
                    Recycler.Outcome.ALREADY_RECYCLING).containsAll(seen));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    public void commandResultFromAnotherThreadIsApplied() throws Exception {
        recycler.buildCompleted(build("a1", 1, BuildResult.SUCCESS));
        recycler.tick();
        Thread remoting = new Thread(() -> ports.commands.get("a1").complete(CommandResult.exited(0, "")));
        remoting.start();
        remoting.join(10_000);
        assertEquals(RecycleState.WAITING_DISCONNECT, recycler.status("a1").orElseThrow().state());
    }
}
