package dev.tollgate.cloud.jenkins;

import dev.tollgate.cloud.AgentRecord;
import dev.tollgate.cloud.CloudEngine;
import dev.tollgate.cloud.CloudSettings;
import dev.tollgate.cloud.InMemoryMetrics;
import dev.tollgate.cloud.ReaperReport;
import hudson.Extension;
import hudson.ExtensionList;
import hudson.init.Terminator;
import hudson.model.listeners.ItemListener;
import hudson.slaves.Cloud;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import jenkins.model.Jenkins;

/**
 * The running engines of every {@link TollgateCloud}, keyed by the cloud's engine name; started once
 * Jenkins has loaded its nodes and queue, stopped with Jenkins.
 *
 * <p>Threading: readers ({@link #engine}, from the queue lock, executors, listeners) only read a
 * concurrent map and never wait. Engines are built, rebuilt and retired on one thread of their own,
 * because building an engine re-registers agents ({@code Jenkins.addNode}, which takes the queue
 * lock) and must not happen on a thread that holds it. A configuration change is noticed by
 * {@link TollgateCloud#provision} and by {@link CloudTicker}, which ask for a refresh; refreshes
 * coalesce. One {@link XmlLifecycleStore} per cloud name outlives rebuilds, so an old engine's late
 * write and the new engine's writes go to the same records.
 */
@Extension
public final class CloudRuntime {
    private static final Logger LOG = Logger.getLogger(CloudRuntime.class.getName());

    /** One cloud's engine and what the cloud page shows of it. */
    static final class Running {
        final CloudSettings settings;
        final CloudEngine engine;
        final CloudMetrics metrics;
        final Instant startedAt;
        volatile Instant lastReap;
        volatile ReaperReport lastReport;
        volatile Instant lastReportAt;
        /** The cloud was removed from the configuration: its agents are being ended. */
        volatile boolean retiring;

        Running(CloudSettings settings, CloudEngine engine, CloudMetrics metrics, Instant now) {
            this.settings = settings;
            this.engine = engine;
            this.metrics = metrics;
            this.startedAt = now;
            this.lastReap = now;
        }
    }

    private final Map<String, Running> engines = new ConcurrentHashMap<>();
    /** {@code cloud\nagent} → stages waiting for the agent's end ({@link #end}). */
    private final Map<String, List<CompletableFuture<Void>>> endings = new ConcurrentHashMap<>();
    /** Touched on the refresh thread only. */
    private final Map<String, XmlLifecycleStore> stores = new LinkedHashMap<>();
    /** Last configuration problem logged per cloud, so a bad configuration is logged once; refresh thread only. */
    private final Map<String, String> problems = new LinkedHashMap<>();
    /** Last start failure logged per cloud (a driver that cannot be built: a missing credential), likewise. */
    private final Map<String, String> startFailures = new LinkedHashMap<>();
    private final ExecutorService refresher = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "Tollgate clouds");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean refreshPending = new AtomicBoolean();
    private final Clock clock = Clock.systemUTC();
    private volatile boolean started;
    private volatile boolean stopped;

    public static CloudRuntime get() {
        return ExtensionList.lookupSingleton(CloudRuntime.class);
    }

    /**
     * Starts the engines once Jenkins has loaded its nodes, queue and computers: an engine recovers
     * by comparing its records with the nodes. {@code ItemListener.onLoaded} is called at the end of
     * Jenkins' initialization, on the start-up thread, so the work goes to the refresh thread.
     */
    @Extension
    public static final class StartWhenLoaded extends ItemListener {
        @Override
        public void onLoaded() {
            CloudRuntime r = get();
            r.started = true;
            r.requestRefresh();
        }
    }

    /** Stops the engines' threads; agents and their instances stay, for the next start to find. */
    @Terminator
    public static void stopWithJenkins() {
        get().stop();
    }

    void stop() {
        stopped = true;
        refresher.shutdownNow();
        for (Running r : engines.values()) {
            r.engine.shutdown();
        }
        engines.clear();
        for (List<CompletableFuture<Void>> waiting : endings.values()) {
            waiting.forEach(f -> f.completeExceptionally(new IllegalStateException("Jenkins is stopping")));
        }
        endings.clear();
    }

    /**
     * Ends an agent on request and returns at once; the stage completes when its record has ended
     * (instance terminated), checked after each tick, or exceptionally when the cloud is not running.
     */
    public CompletableFuture<Void> end(String cloudName, String agentName, String reason) {
        Optional<CloudEngine> engine = engine(cloudName);
        if (engine.isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalStateException("cloud " + cloudName + " is not running"));
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        // compute, not computeIfAbsent + add: an add must not land in a list completeEndings just removed
        endings.compute(cloudName + "\n" + agentName, (k, v) -> {
            List<CompletableFuture<Void>> l = v == null ? new ArrayList<>() : new ArrayList<>(v);
            l.add(done);
            return l;
        });
        engine.get().release(agentName, reason);
        completeEndings();
        return done;
    }

    /** Completes the {@link #end} stages whose records have ended or are gone. After each tick; any thread. */
    void completeEndings() {
        for (String key : endings.keySet()) {
            String[] cloudAndAgent = key.split("\n", 2);
            Running r = engines.get(cloudAndAgent[0]);
            if (r == null) {
                continue; // being rebuilt (or stopping): looked at again after the next tick
            }
            if (r.engine.record(cloudAndAgent[1]).map(rec -> rec.state().isEnded()).orElse(true)) {
                List<CompletableFuture<Void>> waiting = endings.remove(key); // atomic with compute above
                if (waiting != null) {
                    waiting.forEach(f -> f.complete(null));
                }
            }
        }
    }

    /** The running engine of the cloud with this engine name; never waits. */
    public Optional<CloudEngine> engine(String cloudName) {
        Running r = cloudName == null ? null : engines.get(cloudName);
        return r == null ? Optional.empty() : Optional.of(r.engine);
    }

    /** The cloud's engine; asks for a rebuild when its configuration changed (the current one serves meanwhile). */
    Optional<CloudEngine> engineFor(TollgateCloud<?> cloud) {
        Running r = engines.get(cloud.engineName());
        if (r == null || !r.settings.equals(settingsOrNull(cloud, null))) {
            requestRefresh();
        }
        return r == null || r.retiring ? Optional.empty() : Optional.of(r.engine);
    }

    Optional<Running> running(String cloudName) {
        return Optional.ofNullable(engines.get(cloudName));
    }

    List<Running> allRunning() {
        return new ArrayList<>(engines.values());
    }

    /** Coalesced: at most one refresh waits behind the one running. */
    void requestRefresh() {
        if (!started || stopped || !refreshPending.compareAndSet(false, true)) {
            return;
        }
        try {
            refresher.execute(() -> {
                refreshPending.set(false);
                refresh();
            });
        } catch (RejectedExecutionException e) {
            refreshPending.set(false); // stopping
        }
    }

    /**
     * Asks for a refresh and waits until one that started after this call has finished: tests (the
     * cloud plugins' too) use it to know the engines match the configuration, instead of polling.
     */
    public void awaitRefreshed() throws InterruptedException, java.util.concurrent.ExecutionException {
        requestRefresh();
        refresher.submit(() -> { }).get(); // one thread, in order: behind the refresh just asked for
    }

    /** Builds engines for new or changed clouds and retires those of removed clouds. On the refresh thread. */
    private void refresh() {
        problems.keySet().retainAll(configuredNames());
        startFailures.keySet().retainAll(configuredNames());
        Map<String, TollgateCloud<?>> configured = new LinkedHashMap<>();
        for (Cloud c : Jenkins.get().clouds) {
            if (c instanceof TollgateCloud<?> t) {
                configured.put(t.engineName(), t);
            }
        }
        for (Map.Entry<String, TollgateCloud<?>> e : configured.entrySet()) {
            if (stopped) {
                return;
            }
            String name = e.getKey();
            CloudSettings settings = settingsOrNull(e.getValue(), problems);
            Running cur = engines.get(name);
            if (settings == null || (cur != null && !cur.retiring && cur.settings.equals(settings))) {
                continue; // invalid (logged) leaves the running engine alone
            }
            try {
                start(name, e.getValue(), settings, cur);
                startFailures.remove(name);
            } catch (RuntimeException ex) {
                // tried again at every refresh (a credential may be added): logged once per distinct failure
                if (!String.valueOf(ex.getMessage()).equals(startFailures.put(name, String.valueOf(ex.getMessage())))) {
                    LOG.log(Level.WARNING, "cloud " + name + " did not start: " + ex.getMessage(), ex);
                }
            }
        }
        for (Running r : allRunning()) {
            String name = r.settings.cloudName();
            if (!configured.containsKey(name)) {
                retire(name, r);
            }
        }
    }

    private void start(String name, TollgateCloud<?> cloud, CloudSettings settings, Running old) {
        if (old != null) {
            engines.remove(name);
            old.engine.shutdown();
        }
        XmlLifecycleStore store = stores.computeIfAbsent(name, XmlLifecycleStore::forCloud);
        CloudMetrics metrics = new CloudMetrics(name);
        CloudEngine engine = CloudEngine.builder(settings)
                .driver(driverOf(cloud))
                .registry(new JenkinsAgentRegistry(name, () -> configuredCloud(name)))
                .store(store)
                .metrics(metrics)
                .clock(clock)
                .build(); // loads the records and re-registers agents that are missing
        engines.put(name, new Running(settings, engine, metrics, clock.instant()));
        LOG.info(() -> "cloud " + name + " started with " + settings.templates().size() + " template(s), "
                + engine.records().stream().filter(rec -> !rec.state().isEnded()).count() + " live agent(s)");
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static dev.tollgate.cloud.port.CloudDriver driverOf(TollgateCloud<?> cloud) {
        TollgateCloud raw = cloud;
        return raw.createDriver(raw.agentTemplates());
    }

    /** A removed cloud: end its agents once, keep ticking until nothing of it costs money, then stop. */
    private void retire(String name, Running r) {
        if (!r.retiring) {
            r.retiring = true;
            for (AgentRecord rec : r.engine.records()) {
                if (rec.state().isLive()) {
                    r.engine.release(rec.agentName(), "cloud " + name + " removed from the configuration");
                }
            }
        }
        if (r.engine.records().stream().noneMatch(rec -> rec.state().countsAgainstCap())) {
            engines.remove(name, r);
            r.engine.shutdown();
            LOG.info(() -> "cloud " + name + " removed; its agents have ended");
        }
    }

    private static TollgateCloud<?> configuredCloud(String name) {
        for (Cloud c : Jenkins.get().clouds) {
            if (c instanceof TollgateCloud<?> t && t.engineName().equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** The cloud's settings, or null when invalid; logged once per distinct problem when {@code logged} is given. */
    private CloudSettings settingsOrNull(TollgateCloud<?> cloud, Map<String, String> logged) {
        try {
            CloudSettings s = cloud.toSettings(controllerId());
            if (logged != null) {
                logged.remove(cloud.engineName());
            }
            return s;
        } catch (RuntimeException e) {
            if (logged != null && !String.valueOf(e.getMessage()).equals(logged.put(cloud.engineName(), String.valueOf(e.getMessage())))) {
                LOG.warning("cloud " + cloud.name + " not applied: " + e.getMessage());
            }
            return null;
        }
    }

    private static java.util.Set<String> configuredNames() {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Cloud c : Jenkins.get().clouds) {
            if (c instanceof TollgateCloud<?> t) {
                names.add(t.engineName());
            }
        }
        return names;
    }

    /** Identifies this controller in every instance's fingerprint: stable across restarts, unique per Jenkins home. */
    String controllerId() {
        String id = controllerId;
        if (id == null) {
            id = Jenkins.get().getLegacyInstanceId();
            controllerId = id;
        }
        return id;
    }

    /** Cached: asked on every provisioning round; per Jenkins (this extension), not per JVM. */
    private volatile String controllerId;

    /** Counters of the cloud's engine, for its page. */
    static InMemoryMetrics.Snapshot metricsOf(Running r) {
        return r.metrics.snapshot();
    }
}
