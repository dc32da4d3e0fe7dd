package dev.tollgate.gearman;

import dev.tollgate.common.Sleeper;
import dev.tollgate.gearman.protocol.Packet;
import dev.tollgate.gearman.protocol.PacketCodec;
import dev.tollgate.gearman.protocol.PacketType;
import dev.tollgate.gearman.protocol.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedSet;

/**
 * A Gearman worker that lets Zuul v2 dispatch builds, compatible with what openstack-infra's
 * gearman-plugin did for Jenkins.
 *
 * <p>Every executor of every node holds one connection per Gearman server and registers
 * {@code build:<job>} and {@code build:<job>:<label>} for the jobs its node may run. One management
 * connection per server registers {@code stop:<manager>} and {@code set_description:<manager>}.
 * This class is the facade and the dispatcher; the protocol's parts live in their own classes:
 * {@link ServerConnection} (one connection, its session's protocol state), {@link AvailabilityMonitor}
 * (a node's grab token: an executor takes at most one job even with several servers, and every
 * failure path gives the token back), {@link FunctionRegistry} (what each connection registers,
 * sent as deltas), {@link BuildFunction} with {@link BuildRuns} (the {@code build:} jobs), and one
 * {@link ManagementFunction} per management function ({@link StopFunction},
 * {@link SetDescriptionFunction}).
 *
 * <p>Concurrency rule, for this class and all of those: decide under the engine's lock, call ports
 * outside it. All state lives under {@link #lock}; code under it only changes memory and queues
 * packets. Ports ({@link BuildLauncher}, {@link NodeRecycler}) are always called without the lock,
 * so they may call back from any thread. A port that throws (an Error too, but for the fatal ones of
 * {@link Faults}) fails the job or request it was called for and frees the executor; it never ends
 * a connection thread.
 */
public final class GearmanWorker implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(GearmanWorker.class.getName());

    final Object lock = new Object();
    private final GearmanWorkerConfig config;
    private final Clock clock;
    private final Sleeper sleeper;
    private final PacketCodec codec;
    private final Random random;
    private final FunctionRegistry registry;
    private final BuildRuns runs = new BuildRuns();
    private final BuildFunction builds;
    private final Map<String, ManagementFunction> management = new LinkedHashMap<>();

    // guarded by lock
    private final Map<String, NodeState> nodes = new LinkedHashMap<>();
    private final List<ServerConnection> connections = new ArrayList<>();
    private boolean started;
    private boolean closed;

    public GearmanWorker(GearmanWorkerConfig config, BuildLauncher launcher, NodeRecycler recycler,
            Clock clock, Sleeper sleeper, Random random) {
        this.config = config;
        this.clock = clock;
        this.sleeper = sleeper;
        this.random = random;
        this.codec = new PacketCodec(config.maxPacketSize());
        for (ManagementFunction f : List.of(new StopFunction(config.managerName(), lock, runs, launcher),
                new SetDescriptionFunction(config.managerName(), launcher))) {
            management.put(f.name(), f);
        }
        this.registry = new FunctionRegistry(management.keySet());
        this.builds = new BuildFunction(this, registry, runs, launcher, recycler);
    }

    public GearmanWorker(GearmanWorkerConfig config, BuildLauncher launcher, NodeRecycler recycler, Clock clock) {
        this(config, launcher, recycler, clock, Sleeper.REAL, new Random());
    }

    GearmanWorkerConfig config() {
        return config;
    }

    PacketCodec codec() {
        return codec;
    }

    Sleeper sleeper() {
        return sleeper;
    }

    double random() {
        synchronized (random) {
            return random.nextDouble();
        }
    }

    Instant now() {
        return clock.instant();
    }

    // ---------------------------------------------------------------- configuration

    /** Opens the management connections and the connections of every executor known so far. */
    public void start() {
        List<ServerConnection> toStart = new ArrayList<>();
        synchronized (lock) {
            if (started || closed) {
                throw new IllegalStateException(closed ? "worker closed" : "worker already started");
            }
            started = true;
            for (GearmanServerAddress server : config.servers()) {
                ServerConnection c = new ServerConnection(this, server, null, config.managerName() + ":manager");
                connections.add(c);
                toStart.add(c);
            }
            for (NodeState n : nodes.values()) {
                for (ExecutorState e : n.executors) {
                    toStart.addAll(e.connections);
                }
            }
        }
        toStart.forEach(ServerConnection::start);
    }

    /** Replaces the set of buildable jobs; connections send only the CAN_DO/CANT_DO that changed. */
    public void setJobs(Collection<JobDefinition> newJobs) {
        Map<String, JobDefinition> byName = new LinkedHashMap<>();
        for (JobDefinition j : newJobs) {
            if (byName.put(j.name(), j) != null) {
                throw new IllegalArgumentException("job listed twice: " + j.name());
            }
        }
        synchronized (lock) {
            registry.setJobs(List.copyOf(byName.values()));
            for (ServerConnection c : connections) {
                registry.sync(c);
            }
        }
    }

    /**
     * Adds a node or updates its labels and executor count. Extra executors of a shrinking node
     * retire: idle ones disconnect now, busy ones after their build. A new node takes jobs; an
     * existing one keeps its availability.
     */
    public void putNode(NodeSpec spec) {
        put(spec, null);
    }

    /**
     * Adds or updates a node together with whether it takes jobs, in one step: a node that is offline
     * when it is added never grabs, not even once. Taking jobs is refused to a node that runs a build
     * with OFFLINE_NODE_WHEN_COMPLETE, as with {@link #setNodeOnline}.
     */
    public void putNode(NodeSpec spec, boolean acceptingJobs) {
        put(spec, acceptingJobs);
    }

    private void put(NodeSpec spec, Boolean acceptingJobs) {
        List<ServerConnection> toStart = new ArrayList<>();
        List<ServerConnection> toClose = new ArrayList<>();
        synchronized (lock) {
            checkOpen();
            NodeState n = nodes.computeIfAbsent(spec.name(), k -> new NodeState(spec));
            n.spec = spec;
            if (acceptingJobs != null) {
                // before any connection of the node exists or syncs: none may grab in between
                n.availability.setAccepting(acceptingJobs && !n.runsSingleUseBuild());
            }
            long active = n.executors.stream().filter(e -> !e.retired).count();
            for (ExecutorState e : n.executors) {
                if (!e.retired && e.index >= spec.executors()) {
                    e.retired = true;
                    if (e.current == null) {
                        toClose.addAll(e.connections);
                    }
                }
            }
            for (int i = (int) active; i < spec.executors(); i++) {
                ExecutorState e = new ExecutorState(n, i, config.managerName() + ":" + spec.name() + ":exec-" + i);
                n.executors.add(e);
                for (GearmanServerAddress server : config.servers()) {
                    ServerConnection c = new ServerConnection(this, server, e, e.id);
                    e.connections.add(c);
                    connections.add(c);
                    if (started) {
                        toStart.add(c);
                    }
                }
            }
            for (ExecutorState e : n.executors) {
                for (ServerConnection c : e.connections) {
                    registry.sync(c);
                }
            }
            n.kick();
        }
        toClose.forEach(ServerConnection::close);
        toStart.forEach(ServerConnection::start);
    }

    /** Removes a node: it stops taking jobs at once; a build it runs still completes and reports. */
    public void removeNode(String nodeName) {
        List<ServerConnection> toClose = new ArrayList<>();
        synchronized (lock) {
            NodeState n = nodes.remove(nodeName);
            if (n == null) {
                return;
            }
            n.availability.setAccepting(false);
            for (ExecutorState e : n.executors) {
                e.retired = true;
                if (e.current == null) {
                    toClose.addAll(e.connections);
                } else {
                    e.connections.forEach(registry::sync);
                }
            }
        }
        toClose.forEach(ServerConnection::close);
    }

    /**
     * The node was taken offline (node recycling, or an admin): it grabs no more jobs until
     * {@link #setNodeOnline}, so Zuul's jobs go to other nodes instead of waiting in Jenkins' queue
     * for one that is rebooting. A build it runs still completes and reports. (The binding calls it
     * from {@code ComputerListener.onTemporarilyOffline}.) A GRAB already on its way may still be
     * answered with a job: that job is refused with WORK_FAIL, and Zuul runs it elsewhere.
     */
    public void setNodeOffline(String nodeName) {
        synchronized (lock) {
            NodeState n = nodes.get(nodeName);
            if (n != null) {
                n.availability.setAccepting(false);
            }
        }
    }

    /** Lets a node take jobs again after node recycling took it offline. */
    public void setNodeOnline(String nodeName) {
        synchronized (lock) {
            NodeState n = nodes.get(nodeName);
            if (n != null && !n.runsSingleUseBuild()) {
                n.availability.setAccepting(true);
                n.kick();
            }
        }
    }

    /**
     * Housekeeping driven by the injected clock; call it periodically (e.g. every 10 s). Forgets
     * finished builds older than the retention and runs the ECHO keepalive.
     */
    public void tick() {
        List<Session> dead = new ArrayList<>();
        synchronized (lock) {
            Instant now = clock.instant();
            runs.purgeFinished(now, config.resultRetention());
            Duration keepAlive = config.keepAlive();
            if (!keepAlive.isZero()) {
                for (ServerConnection c : connections) {
                    Session s = c.keepAlive(now, keepAlive);
                    if (s != null) {
                        dead.add(s);
                    }
                }
            }
        }
        for (Session s : dead) {
            LOG.log(System.Logger.Level.WARNING, "dropping a Gearman connection whose server stopped answering");
            s.close(); // the reader fails, reports the loss and reconnects with backoff
        }
    }

    public WorkerStatus status() {
        synchronized (lock) {
            List<WorkerStatus.Connection> cs = new ArrayList<>();
            for (ServerConnection c : connections) {
                cs.add(c.status());
            }
            List<WorkerStatus.Executor> es = new ArrayList<>();
            for (NodeState n : nodes.values()) {
                for (ExecutorState e : n.executors) {
                    if (e.retired) {
                        continue;
                    }
                    BuildRun r = e.current;
                    es.add(new WorkerStatus.Executor(e.id, n.spec.name(), n.availability.accepting(),
                            r == null ? null : r.jobName, r == null ? null : r.number, r == null ? null : r.unique));
                }
            }
            return new WorkerStatus(cs, es, runs.undelivered());
        }
    }

    @Override
    public void close() {
        List<ServerConnection> all;
        synchronized (lock) {
            closed = true;
            all = new ArrayList<>(connections);
        }
        all.forEach(ServerConnection::close);
        for (ServerConnection c : all) {
            try {
                c.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("worker closed");
        }
    }

    // ---------------------------------------------------------------- connection events (reader threads, no lock held)

    /** A connection came up: identify, register, and look for work. False when it should not live. */
    boolean onConnected(ServerConnection c, Session s) {
        synchronized (lock) {
            if (closed || c.isClosed()) {
                return false;
            }
            c.attach(s);
            registry.sync(c);
            c.maybeGrab();
            return true;
        }
    }

    void onDisconnected(ServerConnection c, Session s, String error) {
        synchronized (lock) {
            if (!c.detach(s, error)) {
                return;
            }
            c.releaseToken();
            if (s != null) {
                runs.sessionLost(s, c.server());
            }
        }
    }

    void onClosed(ServerConnection c) {
        synchronized (lock) {
            c.ended();
            connections.remove(c);
        }
    }

    void onPacket(ServerConnection c, Session s, Packet p) throws ProtocolException {
        if (p.isRequest()) {
            throw new ProtocolException("server sent a request packet " + p.type());
        }
        synchronized (lock) {
            c.heard(s);
        }
        switch (p.type()) {
            case NOOP -> {
                synchronized (lock) {
                    c.onNoop();
                }
            }
            case NO_JOB -> {
                synchronized (lock) {
                    c.onNoJob(s);
                }
            }
            case JOB_ASSIGN_UNIQ -> onAssign(c, s, p.text(0), p.text(1), p.text(2), p.argument(3));
            case JOB_ASSIGN -> onAssign(c, s, p.text(0), p.text(1), "", p.argument(2));
            case ECHO_RES -> LOG.log(System.Logger.Level.DEBUG, "echo from {0}", c.server());
            case ERROR -> {
                LOG.log(System.Logger.Level.WARNING, "gearman server {0} reports error {1}: {2}",
                        c.server(), p.text(0), p.text(1));
                synchronized (lock) {
                    if (c.grabOutstanding()) {
                        // the answer to our GRAB will never come: holding the node's grab token
                        // would stop every executor of the node; start this connection afresh
                        throw new ProtocolException("ERROR " + p.text(0) + " while a GRAB_JOB was outstanding");
                    }
                }
            }
            default -> throw new ProtocolException("unexpected " + p.type() + " from a job server");
        }
    }

    private void onAssign(ServerConnection c, Session s, String handle, String function, String unique, byte[] data)
            throws ProtocolException {
        if (handle.isEmpty()) {
            throw new ProtocolException("job assignment without a handle");
        }
        synchronized (lock) {
            c.onAssigned();
        }
        if (c.executor() == null) {
            onManagementJob(c, s, handle, function, unique, data);
        } else {
            builds.onAssign(c, s, handle, function, unique, data);
        }
    }

    /** A job on the manager's connection: answered at once by its {@link ManagementFunction}. */
    private void onManagementJob(ServerConnection c, Session s, String handle, String function, String unique,
            byte[] data) {
        String answer;
        boolean exception = false;
        try {
            ManagementFunction f = management.get(function);
            if (f == null) {
                throw new IllegalArgumentException("unknown management function " + function);
            }
            answer = f.answer(unique, data);
        } catch (IllegalArgumentException e) {
            answer = Faults.forPeer(e.getMessage());
            exception = true;
            LOG.log(System.Logger.Level.WARNING, "management job {0} ({1}) rejected: {2}", handle,
                    Faults.forPeer(function), answer);
        } catch (RuntimeException | Error e) {
            if (Faults.fatal(e)) {
                throw e;
            }
            answer = Faults.forPeer("build system error: " + Faults.describe(e));
            exception = true;
            LOG.log(System.Logger.Level.ERROR, "management job " + handle + " failed in the build system", e);
        }
        synchronized (lock) {
            PacketType type = exception ? PacketType.WORK_EXCEPTION : PacketType.WORK_COMPLETE;
            s.send(Packet.request(type, handle, answer.getBytes(StandardCharsets.UTF_8)));
            c.maybeGrab();
        }
    }

    // ---------------------------------------------------------------- kept for callers of the former single class

    /** See {@link FunctionRegistry#functionsFor}. */
    public static SortedSet<String> functionsFor(NodeSpec node, Collection<JobDefinition> jobs) {
        return FunctionRegistry.functionsFor(node, jobs);
    }

    static String jobNameOf(String function) {
        return FunctionRegistry.jobNameOf(function);
    }

    static boolean isTrue(String v) {
        return JobArguments.isTrue(v);
    }

    static Map<String, String> parseParameters(byte[] data) {
        return JobArguments.parameters(data);
    }
}
