package dev.tollgate.gearman.jenkins;

import dev.tollgate.gearman.BuildListener;
import dev.tollgate.gearman.GearmanServerAddress;
import dev.tollgate.gearman.GearmanWorker;
import dev.tollgate.gearman.GearmanWorkerConfig;
import dev.tollgate.gearman.NodeReservations;
import dev.tollgate.gearman.NodeSpec;
import dev.tollgate.gearman.WorkerStatus;
import dev.tollgate.gearman.config.GearmanSettings;
import dev.tollgate.gearman.jenkins.config.GearmanConfiguration;
import hudson.Extension;
import hudson.ExtensionList;
import hudson.init.Terminator;
import hudson.model.Node;
import hudson.model.Queue;
import hudson.model.Result;
import hudson.model.Run;
import hudson.security.ACL;
import hudson.security.ACLContext;
import java.net.InetAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import jenkins.model.Jenkins;

/**
 * The running Gearman worker, started once Jenkins has loaded (nodes, jobs and queue exist) and
 * stopped with it, and kept in step with Jenkins:
 * <ul>
 * <li>each save of the configuration is applied: off closes the worker, other servers (or another
 * manager name) replace it, the same ones keep it;
 * <li>nodes (labels, executors, added, removed) and jobs (added, renamed, relabelled, enabled,
 * disabled) are synced after every change Jenkins reports and once a minute, the engine sending
 * only what changed;
 * <li>a node that goes offline or is marked temporarily offline stops taking jobs at once, from the
 * listener that reports it; a node coming back is re-read by the next sync.
 * </ul>
 *
 * <p>Threading: applying and syncing run on one thread ({@link #syncer}), one at a time, under this
 * object's monitor, which only they take. Availability changes are serialised by {@link #availability},
 * which guards the engine's availability writes and a per-node count of offline events: a sync reads
 * a node's state from Jenkins outside that lock and writes it under the lock only if no offline
 * event came in between, so a sync can never reopen a node a listener has just closed. Nothing under
 * either lock waits for Jenkins' queue lock, so listeners called under it cannot deadlock with us.
 */
@Extension
public final class GearmanRuntime {
    private static final Logger LOG = Logger.getLogger(GearmanRuntime.class.getName());
    /** The periodic sync, in ticks of {@link GearmanTicker}. */
    static final int SYNC_EVERY_TICKS = 6;

    private final ExecutorService syncer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "Tollgate Gearman sync");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean applyPending = new AtomicBoolean();
    private final AtomicBoolean syncPending = new AtomicBoolean();
    private final NodeReservations reservations = new NodeReservations();
    /** The engine's listener of each build on its way or running, by its mark's token. */
    private final Map<String, BuildListener> listeners = new ConcurrentHashMap<>();
    private final JenkinsBuildLauncher launcher = new JenkinsBuildLauncher(listeners, reservations);

    private final Object availability = new Object();
    /** Offline events per node, guarded by {@link #availability}. */
    private final Map<String, Long> offlineEvents = new HashMap<>();

    private volatile GearmanWorker worker;
    private volatile boolean started;
    private final AtomicInteger ticks = new AtomicInteger();
    // guarded by this
    private List<GearmanServerAddress> servers = List.of();
    private String managerName;
    private final Set<String> nodesPut = new HashSet<>();

    public static GearmanRuntime get() {
        return ExtensionList.lookupSingleton(GearmanRuntime.class);
    }

    /** Jenkins has loaded: apply the configuration (it was loaded, or set by JCasC, before). */
    void startWithJenkins() {
        started = true;
        configurationSaved();
    }

    @Terminator
    public static void stopWithJenkins() {
        get().stop();
    }

    /** A save of the configuration: applied soon on the sync thread (saves in a row coalesce). */
    public void configurationSaved() {
        if (started && applyPending.compareAndSet(false, true)) {
            submit(() -> {
                applyPending.set(false);
                apply();
            });
        }
    }

    /** Something Jenkins reports may have changed nodes or jobs: sync soon (requests in a row coalesce). */
    void requestSync() {
        if (worker != null && syncPending.compareAndSet(false, true)) {
            submit(() -> {
                syncPending.set(false);
                sync();
            });
        }
    }

    private void submit(Runnable task) {
        try {
            syncer.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "Gearman sync failed; the next one tries again", e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            LOG.fine("Jenkins is stopping: Gearman sync skipped");
        }
    }

    /** Applies the current configuration now. */
    synchronized void apply() {
        GearmanSettings settings = GearmanConfiguration.get().toSettings();
        List<String> problems = settings.problems();
        if (!problems.isEmpty()) {
            LOG.warning("Gearman configuration not applied: " + String.join("; ", problems));
            return;
        }
        if (!settings.enabled() || !started) {
            closeWorker();
            return;
        }
        List<GearmanServerAddress> wanted = settings.addresses();
        String manager = managerName();
        if (worker != null && wanted.equals(servers) && manager.equals(managerName)) {
            sync();
            return;
        }
        closeWorker();
        GearmanWorker w = new GearmanWorker(GearmanWorkerConfig.of(manager, wanted), launcher, launcher,
                Clock.systemUTC());
        worker = w;
        servers = wanted;
        managerName = manager;
        sync(); // nodes and jobs first: the first connections register everything at once
        w.start();
        LOG.log(Level.INFO, "Gearman worker {0} started for {1}", new Object[] {manager, wanted});
    }

    /**
     * The name Zuul knows this Jenkins by ({@code stop:<manager>}): the host of Jenkins' URL, or the
     * machine's host name.
     */
    static String managerName() {
        String host = null;
        String url = Jenkins.get().getRootUrl();
        if (url != null) {
            try {
                host = URI.create(url).getHost();
            } catch (IllegalArgumentException e) {
                LOG.fine("Jenkins URL without a host: " + url);
            }
        }
        if (host == null) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = null;
            }
        }
        return GearmanWorkerConfig.managerNameFrom(host);
    }

    /** Brings the engine's nodes and jobs to what Jenkins has now. */
    synchronized void sync() {
        GearmanWorker w = worker;
        if (w == null) {
            return;
        }
        try (ACLContext ignored = ACL.as2(ACL.SYSTEM2)) {
            Map<String, Node> nodes = JenkinsInventory.nodes();
            w.setJobs(JenkinsInventory.jobs(nodes));
            Set<String> present = new HashSet<>();
            for (Node node : nodes.values()) {
                NodeSpec spec = JenkinsInventory.spec(node);
                if (spec != null) {
                    present.add(spec.name());
                    put(w, node, spec);
                }
            }
            for (String gone : new HashSet<>(nodesPut)) {
                if (!present.contains(gone)) {
                    w.removeNode(gone);
                    cancelQueuedFor(gone);
                }
            }
            nodesPut.clear();
            nodesPut.addAll(present);
        }
    }

    /** One node, with its availability as Jenkins shows it unless it went offline while we looked. */
    private void put(GearmanWorker w, Node node, NodeSpec spec) {
        long seen;
        synchronized (availability) {
            seen = offlineEvents.getOrDefault(spec.name(), 0L);
        }
        boolean accepting = JenkinsInventory.accepting(node); // Jenkins is read outside our lock
        boolean again = false;
        synchronized (availability) {
            if (accepting && offlineEvents.getOrDefault(spec.name(), 0L) != seen) {
                accepting = false; // what we read may predate that: keep it closed, and look again
                again = true;
            }
            w.putNode(spec, accepting);
        }
        if (again) {
            requestSync();
        }
    }

    /** A node Jenkins removed: Gearman builds still queued for it could never start. */
    private static void cancelQueuedFor(String nodeName) {
        Queue queue = Queue.getInstance();
        for (Queue.Item item : queue.getItems()) {
            GearmanBuildAction mark = item.getAction(GearmanBuildAction.class);
            if (mark != null && mark.getNode().equals(nodeName)) {
                LOG.log(Level.INFO, "node {0} was removed: cancelling its queued Gearman build {1}",
                        new Object[] {nodeName, item});
                queue.cancel(item);
            }
        }
    }

    /** The node went offline or was marked temporarily offline: it takes no job from now on. */
    void nodeWentOffline(Node node) {
        String name = JenkinsInventory.name(node);
        synchronized (availability) {
            offlineEvents.merge(name, 1L, Long::sum);
            GearmanWorker w = worker;
            if (w != null) {
                w.setNodeOffline(name);
            }
        }
    }

    // ---------------------------------------------------------------- builds

    NodeReservations reservations() {
        return reservations;
    }

    /** A marked build started on its node. */
    void buildStarted(GearmanBuildAction mark, Run<?, ?> run) {
        reservations.started(mark.getToken());
        BuildListener l = listeners.get(mark.getToken());
        if (l == null) {
            return; // started before a restart of Jenkins or of the worker: nobody waits for it
        }
        String root = Jenkins.get().getRootUrl();
        String url = root == null ? null : root + run.getUrl();
        l.started(run.getNumber(), url, Duration.ofMillis(Math.max(0, run.getEstimatedDuration())));
    }

    /** A marked build ended (or its queue item was cancelled): its result goes back once. */
    void buildEnded(String token, Result result) {
        BuildListener l = listeners.remove(token);
        try {
            if (l != null) {
                l.completed(result == null ? Result.NOT_BUILT.toString() : result.toString());
            }
        } finally {
            reservations.forget(token); // a single-use node is offline by now
        }
    }

    // ---------------------------------------------------------------- housekeeping

    /** Every 10 s: the engine's keepalive and retention, and every minute a sync. */
    void tick() {
        GearmanWorker w = worker;
        if (w == null) {
            return;
        }
        w.tick();
        if (ticks.incrementAndGet() % SYNC_EVERY_TICKS == 0) {
            requestSync();
        }
    }

    /** The worker's connections and executors, or null while it is off. */
    public WorkerStatus status() {
        GearmanWorker w = worker;
        return w == null ? null : w.status();
    }

    /** The manager name Zuul addresses ({@code stop:<manager>}), or null while the worker is off. */
    public synchronized String manager() {
        return worker == null ? null : managerName;
    }

    private synchronized void closeWorker() {
        GearmanWorker w = worker;
        worker = null;
        servers = List.of();
        nodesPut.clear();
        if (w != null) {
            w.close();
            LOG.info("Gearman worker stopped");
        }
    }

    synchronized void stop() {
        started = false;
        closeWorker();
        syncer.shutdown();
    }
}
