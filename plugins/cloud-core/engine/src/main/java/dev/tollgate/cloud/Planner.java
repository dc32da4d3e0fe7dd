package dev.tollgate.cloud;

import dev.tollgate.cloud.port.AgentRegistry;
import dev.tollgate.cloud.port.CloudDriver;
import dev.tollgate.cloud.port.CloudException;
import dev.tollgate.cloud.port.CloudInstance;
import dev.tollgate.cloud.port.LaunchSpec;
import dev.tollgate.cloud.port.Metrics;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Predicate;

/**
 * Decides how many instances to start for a demand, and starts them concurrently.
 *
 * <p>Workload is counted in executors, as Jenkins' {@code Cloud.provision(CloudState, excessWorkload)}
 * does. Templates are tried in configured order; each gets {@code ceil(remaining / executors)} instances,
 * limited by its own cap and the cloud's cap, where every record not yet ended counts (a spot request
 * not yet fulfilled is one record, so it counts once, and still once when it becomes an instance). Each
 * start takes a token from the request-rate bucket; without one, or during a throttling pause, the rest
 * is deferred to a later round. Records are written before the creates are handed to the executor, so
 * N creates are in flight at once and a crash in between leaves records to recover from.
 *
 * <p>Threading: it holds no lock of its own and takes no other object's. Counting caps and writing
 * records is one call into the lifecycle ({@link InstanceLifecycle#reserve}), under the lifecycle's
 * lock; the registry and the driver are called after it returns, on the executor's threads.
 */
public final class Planner {
    private static final Logger LOG = System.getLogger(Planner.class.getName());

    private final CloudSettings settings;
    private final InstanceLifecycle lifecycle;
    private final CloudDriver driver;
    private final AgentRegistry registry;
    private final Metrics metrics;
    private final Clock clock;
    private final Executor executor;
    private final TokenBucket bucket;
    private final Throttle throttle;
    /** Templates skipped until then after CAPACITY (or permanent) create errors. */
    private final Map<String, Instant> coolUntil = new ConcurrentHashMap<>();

    Planner(CloudSettings settings, InstanceLifecycle lifecycle, CloudDriver driver, AgentRegistry registry,
            Metrics metrics, Clock clock, Executor executor, TokenBucket bucket, Throttle throttle) {
        this.settings = settings;
        this.lifecycle = lifecycle;
        this.driver = driver;
        this.registry = registry;
        this.metrics = metrics;
        this.clock = clock;
        this.executor = executor;
        this.bucket = bucket;
        this.throttle = throttle;
    }

    /**
     * Jenkins' {@code provision(CloudState, excessWorkload)}: the workload is already net of planned and
     * connecting capacity (Jenkins subtracts it), so only caps, rate and cooldowns apply. A null label is
     * unlabeled demand and matches every template.
     */
    public ProvisionResult provision(String label, int excessWorkload) {
        return provision(t -> t.offers(label), excessWorkload);
    }

    /** As {@link #provision(String, int)}, with the plugin's own label-expression match. */
    public ProvisionResult provision(Predicate<AgentTemplate<?>> matches, int excessWorkload) {
        if (excessWorkload <= 0) {
            return ProvisionResult.NOTHING;
        }
        Instant now = clock.instant();
        List<Start> starts = new ArrayList<>();
        int remaining = excessWorkload, deferred = 0;
        boolean paused = throttle.blocked(now);
        for (AgentTemplate<?> t : settings.templates()) {
            if (remaining <= 0) {
                break;
            }
            if (!matches.test(t)) {
                continue;
            }
            if (cooling(t, now)) {
                deferred = Math.max(deferred, remaining);
                continue;
            }
            // caps are counted and the records written under the lifecycle's lock, in one step
            InstanceLifecycle.Reservation r = lifecycle.reserve(t, ceilDiv(remaining, t.executors()),
                    settings.instanceCap(), () -> !paused && bucket.tryAcquire());
            for (AgentRecord rec : r.records()) {
                starts.add(new Start(rec, t));
                remaining -= t.executors();
            }
            if (r.stopped()) {
                deferred = remaining;
                break;
            }
        }
        remaining = Math.max(0, remaining);
        deferred = Math.min(deferred, remaining);
        List<PlannedAgent> planned = new ArrayList<>();
        for (Start s : starts) {
            CompletableFuture<AgentRecord> f = new CompletableFuture<>();
            planned.add(new PlannedAgent(s.rec.agentName(), s.t.name(), s.t.executors(), f));
            Set<String> tried = new HashSet<>();
            launch(s.rec, s.t, f, matches, tried);
        }
        return new ProvisionResult(planned, excessWorkload, remaining - deferred, deferred);
    }

    /**
     * Stand-alone planning from the number of builds waiting per label: subtracts the executors that
     * live instances of matching templates will offer (not yet connected, or idle and accepting builds),
     * then provisions the rest.
     */
    public Map<String, ProvisionResult> planWaiting(Map<String, Integer> waitingPerLabel) {
        Map<String, ProvisionResult> out = new LinkedHashMap<>();
        waitingPerLabel.forEach((label, waiting) -> {
            int spare = spareExecutors(t -> t.offers(label));
            out.put(label, provision(label, waiting - spare));
        });
        return out;
    }

    /** Executors that live agents of matching templates offer or will offer soon. */
    public int spareExecutors(Predicate<AgentTemplate<?>> matches) {
        int spare = 0;
        for (AgentRecord r : lifecycle.records()) {
            AgentTemplate<?> t = settings.template(r.templateName()).orElse(null);
            if (t == null || !matches.test(t) || !r.state().isLive()) {
                continue;
            }
            if (r.state().isAwaitingConnection()) {
                spare += t.executors();
            } else if (lifecycle.acceptsBuilds(r.agentName())) {
                spare += Math.max(0, t.executors() - r.busyBuilds());
            }
        }
        return spare;
    }

    private record Start(AgentRecord rec, AgentTemplate<?> t) {
    }

    private void launch(AgentRecord rec, AgentTemplate<?> t, CompletableFuture<AgentRecord> future,
                        Predicate<AgentTemplate<?>> matches, Set<String> tried) {
        tried.add(t.name());
        try {
            executor.execute(() -> {
                try {
                    create(rec, t, future, matches, tried);
                } catch (Throwable e) {
                    // A driver bug or a missing class must not leave the planned node waiting forever
                    // or lose the record: the instance may exist, so the reaper decides, as after a
                    // timed-out create.
                    lifecycle.createUncertain(rec.agentName(), "create failed: " + e);
                    future.completeExceptionally(e);
                    if (e instanceof VirtualMachineError) {
                        throw e;
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            lifecycle.createRefused(rec.agentName(), "executor rejected the create");
            future.completeExceptionally(e);
        }
    }

    private void create(AgentRecord rec, AgentTemplate<?> t, CompletableFuture<AgentRecord> future,
                        Predicate<AgentTemplate<?>> matches, Set<String> tried) {
        String name = rec.agentName();
        if (throttle.blocked(clock.instant())) {
            // an earlier create of this round was throttled: do not add to the storm
            lifecycle.createRefused(name, "deferred: cloud calls paused after throttling");
            future.completeExceptionally(new CloudException(CloudException.Kind.THROTTLED, null,
                    "cloud calls paused after throttling"));
            return;
        }
        Map<String, String> env;
        try {
            env = registry.connectionEnv(name, t.name());
        } catch (RuntimeException e) {
            lifecycle.createRefused(name, "no connection settings for the agent: " + e.getMessage());
            metrics.failed(t.name(), "connection settings");
            future.completeExceptionally(e);
            return;
        }
        LaunchSpec spec = new LaunchSpec(t.name(), name, rec.fingerprint(), env == null ? Map.of() : env);
        metrics.requested(t.name());
        CloudInstance ci;
        try {
            ci = driver.create(spec);
        } catch (CloudException e) {
            createFailed(rec, t, future, matches, tried, e);
            return;
        } catch (RuntimeException e) {
            createFailed(rec, t, future, matches, tried,
                    new CloudException(CloudException.Kind.TRANSIENT, null, String.valueOf(e.getMessage()), e));
            return;
        }
        if (ci == null) {
            createFailed(rec, t, future, matches, tried,
                    new CloudException(CloudException.Kind.TRANSIENT, null, "driver returned no instance"));
            return;
        }
        throttle.succeeded();
        Optional<AgentRecord> done = lifecycle.created(name, ci);
        if (done.isPresent()) {
            future.complete(done.get());
        } else {
            future.completeExceptionally(new IllegalStateException("agent " + name + " ended before it was registered"));
        }
    }

    private void createFailed(AgentRecord rec, AgentTemplate<?> t, CompletableFuture<AgentRecord> future,
                              Predicate<AgentTemplate<?>> matches, Set<String> tried, CloudException e) {
        String name = rec.agentName();
        lifecycle.onCallFailed("create " + name, e);
        switch (e.kind()) {
            case THROTTLED -> {
                lifecycle.createRefused(name, "throttled: " + e.code());
                future.completeExceptionally(e);
            }
            case TRANSIENT -> {
                // may have taken effect: keep the record; the reaper adopts the instance by fingerprint or the
                // missing timeout ends the record
                lifecycle.createUncertain(name, e.getMessage());
                future.completeExceptionally(e);
            }
            default -> {
                coolUntil.put(t.name(), clock.instant().plus(settings.capacityCooldown()));
                metrics.failed(t.name(), e.kind() + " " + e.code());
                lifecycle.createRefused(name, e.kind() + ": " + e.code() + " " + e.getMessage());
                if (e.kind() != CloudException.Kind.CAPACITY || !fallback(future, matches, tried)) {
                    future.completeExceptionally(e);
                }
            }
        }
    }

    /** After CAPACITY: starts the same demand on the next matching template with room, if any. */
    private boolean fallback(CompletableFuture<AgentRecord> future, Predicate<AgentTemplate<?>> matches, Set<String> tried) {
        Instant now = clock.instant();
        if (throttle.blocked(now)) {
            return false;
        }
        AgentRecord rec = null;
        AgentTemplate<?> chosen = null;
        for (AgentTemplate<?> t : settings.templates()) {
            if (tried.contains(t.name()) || !matches.test(t) || cooling(t, now)) {
                continue;
            }
            InstanceLifecycle.Reservation r = lifecycle.reserve(t, 1, settings.instanceCap(), bucket::tryAcquire);
            if (!r.records().isEmpty()) {
                rec = r.records().get(0);
                chosen = t;
                break;
            }
            if (r.stopped()) {
                return false; // no start token, or the store cannot save: no fallback this round
            }
        }
        if (rec == null) {
            return false;
        }
        LOG.log(Level.INFO, "no capacity; falling back to template {0} as {1}", chosen.name(), rec.agentName());
        launch(rec, chosen, future, matches, tried);
        return true;
    }

    private boolean cooling(AgentTemplate<?> t, Instant now) {
        Instant until = coolUntil.get(t.name());
        return until != null && now.isBefore(until);
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
