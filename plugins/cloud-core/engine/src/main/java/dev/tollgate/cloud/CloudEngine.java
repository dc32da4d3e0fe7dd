package dev.tollgate.cloud;

import dev.tollgate.cloud.port.AgentRegistry;
import dev.tollgate.cloud.port.CloudDriver;
import dev.tollgate.cloud.port.CloudException;
import dev.tollgate.cloud.port.LifecycleStore;
import dev.tollgate.cloud.port.Metrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * One cloud's latent-agent engine: the planner, the instance lifecycle and the reaper over the ports.
 * Build it with {@link #builder(CloudSettings)}; building loads the store and recovers (re-registers
 * agents created before a crash). Feed it agent/build events, and call {@link #tick()} periodically
 * (every few seconds to a minute): timeouts, describe, terminate retries, reaper.
 *
 * <p>Concurrency rule: decide under the lock, call ports outside it. Every method may be called from
 * any thread, at once, from inside a port call, and while the caller holds Jenkins' queue lock (the
 * queue asks {@link #acceptsBuilds} under it; a retention strategy's {@code check} runs under it) at
 * the moment a registry call on another thread waits for that lock. The records live under the
 * lifecycle's one lock, which is never held while the registry or the driver is called (see
 * {@link InstanceLifecycle}); nothing here waits for another thread. Two ticks, or a tick and {@link #reap()}, may run at once: a call that must not be made
 * twice (a terminate for an instance, the interruption check) is marked in flight and left to the
 * caller that made it.
 */
public final class CloudEngine {
    private static final System.Logger LOG = System.getLogger(CloudEngine.class.getName());
    private final CloudSettings settings;
    private final InstanceLifecycle lifecycle;
    private final Planner planner;
    private final Reaper reaper;
    private final Metrics metrics;
    private final Clock clock;
    private final ExecutorService ownedExecutor;
    private final CloudDriver driver;
    private final Throttle throttle;
    /** Guards the three fields below only; nothing is called while it is held. */
    private final Object timers = new Object();
    private Instant lastReap;
    private Instant lastInterruptionCheck;
    /** An interruption check is on its way: a tick meanwhile does not ask again. */
    private boolean checkingInterruptions;
    /**
     * Connected agents: when the engine last heard from the agent's side (its connection, or its last
     * interruption-watch report). Agents heard from within {@code agentReportWindow} watch the instance
     * metadata themselves and are left out of the driver's interruption check.
     */
    private final Map<String, Instant> heardFrom = new java.util.concurrent.ConcurrentHashMap<>();

    private CloudEngine(Builder b) {
        this.settings = b.settings;
        this.metrics = b.metrics;
        this.clock = b.clock;
        Executor executor = b.executor;
        if (executor == null) {
            AtomicInteger n = new AtomicInteger();
            ownedExecutor = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "tollgate-cloud-" + settings.cloudName() + "-create-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            executor = ownedExecutor;
        } else {
            ownedExecutor = null;
        }
        this.driver = b.driver;
        this.throttle = new Throttle(settings.throttleBackoff(), settings.maxBackoff(), b.random);
        TokenBucket bucket = new TokenBucket(settings.requestsPerSecond(), settings.requestBurst(), clock);
        this.lifecycle = new InstanceLifecycle(settings, b.driver, b.registry, b.store, metrics, clock, b.random, throttle);
        this.planner = new Planner(settings, lifecycle, b.driver, b.registry, metrics, clock, executor, bucket, throttle);
        this.reaper = new Reaper(settings, lifecycle, b.driver, b.registry, metrics, clock, throttle);
        this.lastReap = clock.instant();
        this.lastInterruptionCheck = clock.instant();
        lifecycle.recover(b.store.loadAll());
    }

    public static Builder builder(CloudSettings settings) {
        return new Builder(settings);
    }

    // ---- planning
    /** Jenkins' Cloud.provision(CloudState, excessWorkload): workload in executors, already net of planned capacity. */
    public ProvisionResult provision(String label, int excessWorkload) {
        return planner.provision(label, excessWorkload);
    }

    public ProvisionResult provision(Predicate<AgentTemplate<?>> matches, int excessWorkload) {
        return planner.provision(matches, excessWorkload);
    }

    /** Stand-alone: builds waiting per label; subtracts capacity live agents offer or will offer. */
    public Map<String, ProvisionResult> planWaiting(Map<String, Integer> waitingPerLabel) {
        return planner.planWaiting(waitingPerLabel);
    }

    // ---- events
    public ConnectDecision agentConnected(String agentName, String instanceIdOrNull) {
        ConnectDecision d = lifecycle.agentConnected(agentName, instanceIdOrNull);
        if (d == ConnectDecision.ACCEPTED) {
            heardFrom.put(agentName, clock.instant()); // its side gets one window to start reporting
        }
        return d;
    }

    public void agentDisconnected(String agentName) {
        heardFrom.remove(agentName);
        lifecycle.agentDisconnected(agentName);
    }

    public void buildStarted(String agentName) {
        lifecycle.buildStarted(agentName);
    }

    public void buildFinished(String agentName) {
        lifecycle.buildFinished(agentName);
    }

    /** Spot interruption (or any advance notice): agent offline now, instance ended. Takes an agent name or instance id. */
    public void interruptionNotice(String agentOrInstanceId, String reason) {
        lifecycle.interruptionNotice(agentOrInstanceId, reason);
    }

    /**
     * The agent's side read an interruption notice from the instance's metadata service (EC2:
     * IMDSv2 {@code spot/instance-action}, no cloud API call): the agent goes offline at once with a
     * cause naming the notice, its running build is handed to {@link AgentRegistry#rescheduleBuilds},
     * and the instance is ended. Takes an agent name or instance id; an unknown or ended agent is
     * ignored (logged), so a late or repeated report is harmless.
     *
     * @param when   the time the cloud will act (EC2's {@code time}), as the notice states it
     * @param action what the cloud will do (EC2's {@code action}: terminate, stop, hibernate)
     */
    public void interruptionNoticed(String agentOrInstanceId, Instant when, String action) {
        Objects.requireNonNull(agentOrInstanceId, "agentOrInstanceId");
        Optional<String> name = lifecycle.liveAgentName(agentOrInstanceId);
        if (name.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "interruption notice for {0}, which is not a live agent of cloud {1}: ignored",
                    agentOrInstanceId, settings.cloudName());
            return;
        }
        heardFrom.put(name.get(), clock.instant());
        String what = action == null || action.isBlank() ? "terminate" : action.strip();
        lifecycle.interruptionNotice(name.get(), "spot interruption notice read on the agent: the cloud will " + what
                + " the instance at " + (when == null ? "an unstated time" : when.toString()));
    }

    /**
     * The agent's side watches the instance's metadata service for interruption notices and has seen
     * none: call it each time it reads (every few seconds) or at least once per
     * {@link CloudSettings#agentReportWindow()}. While every connected agent reports so, the engine
     * makes no interruption-check call to the cloud's API; an agent that falls silent is checked
     * (batched with the others) until it reports again. Takes an agent name or instance id.
     */
    public void interruptionWatchReport(String agentOrInstanceId) {
        Objects.requireNonNull(agentOrInstanceId, "agentOrInstanceId");
        lifecycle.liveAgentName(agentOrInstanceId).ifPresent(n -> heardFrom.put(n, clock.instant()));
    }

    /** Ends the agent on request (e.g. node recycling, or the user deleted the node). */
    public void release(String agentName, String reason) {
        lifecycle.release(agentName, reason, false);
    }

    /** Jenkins RetentionStrategy.isAcceptingTasks: false once max uses or one-build-per-instance says so. */
    public boolean acceptsBuilds(String agentName) {
        return lifecycle.acceptsBuilds(agentName);
    }

    // ---- time
    /** Timeouts, describe sweep, due terminate calls, a reaper cycle when reaperInterval has passed, pruning. */
    public void tick() {
        lifecycle.tickTimeouts();
        lifecycle.describeAwaiting();
        Instant now = clock.instant();
        checkInterruptions(now);
        boolean reapNow;
        synchronized (timers) {
            reapNow = !now.isBefore(lastReap.plus(settings.reaperInterval()));
            if (reapNow) {
                lastReap = now;
            }
        }
        if (reapNow) {
            reaper.runCycle();
        } else {
            lifecycle.terminateDue();
        }
        lifecycle.prune();
    }

    /**
     * Asks the driver for interruption notices when the interval has passed and connected agents exist
     * whose side does not report (about those only, in one call): the reaper's listing also sees
     * notices, but every 5 minutes is too late for a two-minute notice.
     */
    private void checkInterruptions(Instant now) {
        if (settings.interruptionCheckInterval().isZero()) {
            return;
        }
        synchronized (timers) {
            if (checkingInterruptions || now.isBefore(lastInterruptionCheck.plus(settings.interruptionCheckInterval()))) {
                return;
            }
            checkingInterruptions = true;
        }
        try {
            List<String> unwatched = unwatchedInstances(now);
            if (throttle.blocked(now) || unwatched.isEmpty()) {
                return; // asked again on the next tick, not a whole interval later: the notice is short
            }
            List<String> ids = driver.interruptedInstances(unwatched);
            synchronized (timers) {
                lastInterruptionCheck = now;
            }
            throttle.succeeded();
            for (String id : ids) {
                lifecycle.interruptionNotice(id, "the cloud announced it will take the instance away");
            }
        } catch (CloudException e) {
            lifecycle.onCallFailed("interruptedInstances", e);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "interruptedInstances failed", e);
        } finally {
            synchronized (timers) {
                checkingInterruptions = false;
            }
        }
    }

    /**
     * Instances of connected agents whose side has not reported within the window: the ones only the
     * cloud's API can tell about. Agents not connected yet run no build, and the reaper's listing
     * reports their notices; agents whose side reports need no call at all.
     */
    private List<String> unwatchedInstances(Instant now) {
        Duration window = settings.agentReportWindow();
        List<String> out = new java.util.ArrayList<>();
        for (AgentRecord r : lifecycle.records()) {
            if (!r.state().isConnected() || r.instanceId() == null) {
                continue;
            }
            // connected without agentConnected (the engine saw it in the registry): a window starts now
            Instant heard = heardFrom.computeIfAbsent(r.agentName(), n -> now);
            if (!now.isBefore(heard.plus(window))) {
                out.add(r.instanceId());
            }
        }
        heardFrom.keySet().removeIf(n -> lifecycle.liveAgentName(n).isEmpty());
        return out;
    }

    /** Runs one reaper cycle now (also while a tick runs one: no instance is sent two terminates). */
    public ReaperReport reap() {
        synchronized (timers) {
            lastReap = clock.instant();
        }
        ReaperReport r = reaper.runCycle();
        lifecycle.prune();
        return r;
    }

    // ---- reading
    public List<AgentRecord> records() {
        return lifecycle.records();
    }

    public Optional<AgentRecord> record(String agentName) {
        return lifecycle.record(agentName);
    }

    public CloudSettings settings() {
        return settings;
    }

    public Metrics metrics() {
        return metrics;
    }

    /** Instance ids being ended that no live record accounts for. */
    public java.util.Set<String> strayInstances() {
        return lifecycle.strayInstances();
    }

    /** Stops the engine's own create threads, if it made them (not an executor passed in). */
    public void shutdown() {
        if (ownedExecutor != null) {
            ownedExecutor.shutdown();
        }
    }

    public static final class Builder {
        private final CloudSettings settings;
        private CloudDriver driver;
        private AgentRegistry registry;
        private LifecycleStore store = new InMemoryLifecycleStore();
        private Metrics metrics = new InMemoryMetrics();
        private Clock clock = Clock.systemUTC();
        private Executor executor;
        private RandomGenerator random = RandomGenerator.getDefault();

        private Builder(CloudSettings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
        }

        /** Required. */
        public Builder driver(CloudDriver v) { driver = v; return this; }
        /** Required. */
        public Builder registry(AgentRegistry v) { registry = v; return this; }
        /** Default: in memory (state lost on restart; the reaper still ends leftovers by fingerprint). */
        public Builder store(LifecycleStore v) { store = v; return this; }
        /** Default: a new {@link InMemoryMetrics}. */
        public Builder metrics(Metrics v) { metrics = v; return this; }
        /** Default: system UTC clock. */
        public Builder clock(Clock v) { clock = v; return this; }
        /** Runs creates concurrently. Default: the engine's own daemon cached pool. */
        public Builder executor(Executor v) { executor = v; return this; }
        /** Agent-name suffixes and backoff jitter. Default: RandomGenerator.getDefault(). */
        public Builder random(RandomGenerator v) { random = v; return this; }

        public CloudEngine build() {
            Objects.requireNonNull(driver, "driver is required");
            Objects.requireNonNull(registry, "registry is required");
            Objects.requireNonNull(store, "store");
            Objects.requireNonNull(metrics, "metrics");
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(random, "random");
            return new CloudEngine(this);
        }
    }
}
