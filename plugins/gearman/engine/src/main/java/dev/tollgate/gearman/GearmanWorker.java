package dev.tollgate.gearman;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.common.Sleeper;
import dev.tollgate.gearman.ServerConnection.Session;
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
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A Gearman worker that lets Zuul v2 dispatch builds, compatible with what openstack-infra's
 * gearman-plugin did for Jenkins.
 *
 * <p>Every executor of every node holds one connection per Gearman server and registers
 * {@code build:<job>} and {@code build:<job>:<label>} for the jobs its node may run. One management
 * connection per server registers {@code stop:<manager>} and {@code set_description:<manager>}.
 *
 * <p>Availability lock: a node grants one "grab token"; only the connection holding it may have a
 * GRAB_JOB_UNIQ outstanding, and an executor with a build never grabs. So an executor takes at most
 * one job even with several servers, and a node that was asked to go offline when its build
 * completes takes nothing else. The token is given back on NO_JOB, once the build is queued, on
 * every failure path and when the connection drops, so a failed job can never leave a node stuck.
 *
 * <p>All state lives under {@link #lock}; code under it only mutates memory and enqueues packets.
 * Ports ({@link BuildLauncher}, {@link NodeRecycler}) are always called without the lock. A port
 * that throws (an Error too, but for the fatal ones of {@link Faults}) fails the job or request it
 * was called for and frees the executor; it never ends a connection thread.
 */
public final class GearmanWorker implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(GearmanWorker.class.getName());
    private static final String BUILD_PREFIX = "build:";
    private static final ObjectMapper JSON = new ObjectMapper();

    final Object lock = new Object();
    private final GearmanWorkerConfig config;
    private final BuildLauncher launcher;
    private final NodeRecycler recycler;
    private final Clock clock;
    private final Sleeper sleeper;
    private final PacketCodec codec;
    private final Random random;

    // guarded by lock
    private List<JobDefinition> jobs = List.of();
    private final Map<String, NodeState> nodes = new LinkedHashMap<>();
    private final List<ServerConnection> connections = new ArrayList<>();
    /** Builds by (function, unique id): running ones, and finished ones for the retention time. */
    private final Map<String, BuildRun> runsByUnique = new HashMap<>();
    private final List<BuildRun> anonymousRuns = new ArrayList<>();
    private boolean started;
    private boolean closed;

    public GearmanWorker(GearmanWorkerConfig config, BuildLauncher launcher, NodeRecycler recycler,
            Clock clock, Sleeper sleeper, Random random) {
        this.config = config;
        this.launcher = launcher;
        this.recycler = recycler;
        this.clock = clock;
        this.sleeper = sleeper;
        this.random = random;
        this.codec = new PacketCodec(config.maxPacketSize());
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
            jobs = List.copyOf(byName.values());
            for (ServerConnection c : connections) {
                syncRegistration(c);
            }
        }
    }

    /**
     * Adds a node or updates its labels and executor count. Extra executors of a shrinking node
     * retire: idle ones disconnect now, busy ones after their build.
     */
    public void putNode(NodeSpec spec) {
        List<ServerConnection> toStart = new ArrayList<>();
        List<ServerConnection> toClose = new ArrayList<>();
        synchronized (lock) {
            checkOpen();
            NodeState n = nodes.computeIfAbsent(spec.name(), k -> new NodeState(spec));
            n.spec = spec;
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
                    syncRegistration(c);
                }
            }
            kickNode(n);
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
            n.accepting = false;
            for (ExecutorState e : n.executors) {
                e.retired = true;
                if (e.current == null) {
                    toClose.addAll(e.connections);
                } else {
                    e.connections.forEach(this::syncRegistration);
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
                n.accepting = false;
            }
        }
    }

    /** Lets a node take jobs again after node recycling took it offline. */
    public void setNodeOnline(String nodeName) {
        synchronized (lock) {
            NodeState n = nodes.get(nodeName);
            if (n != null && n.executors.stream().noneMatch(e -> e.current != null && e.current.offlineWhenComplete)) {
                n.accepting = true;
                kickNode(n);
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
            purgeFinished();
            Duration keepAlive = config.keepAlive();
            if (!keepAlive.isZero()) {
                Instant now = clock.instant();
                for (ServerConnection c : connections) {
                    Session s = c.session;
                    if (s == null || !s.alive()) {
                        continue;
                    }
                    if (c.echoSentAt != null && !now.isBefore(c.echoSentAt.plus(keepAlive))) {
                        s.closeReason = "no ECHO_RES within " + keepAlive;
                        dead.add(s);
                    } else if (c.echoSentAt == null && !now.isBefore(c.lastInbound.plus(keepAlive))) {
                        c.echoSentAt = now;
                        s.send(Packet.request(PacketType.ECHO_REQ, "keepalive"));
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
                cs.add(new WorkerStatus.Connection(c.server, c.owner(), c.state, c.since,
                        c.session == null ? null : c.lastInbound,
                        java.util.Collections.unmodifiableSortedSet(new TreeSet<>(c.registered)), c.lastError));
            }
            List<WorkerStatus.Executor> es = new ArrayList<>();
            for (NodeState n : nodes.values()) {
                for (ExecutorState e : n.executors) {
                    if (e.retired) {
                        continue;
                    }
                    BuildRun r = e.current;
                    es.add(new WorkerStatus.Executor(e.id, n.spec.name(), n.accepting,
                            r == null ? null : r.jobName, r == null ? null : r.number, r == null ? null : r.unique));
                }
            }
            int undelivered = 0;
            for (BuildRun r : allRuns()) {
                if (r.finished && !r.delivered) {
                    undelivered++;
                }
            }
            return new WorkerStatus(cs, es, undelivered);
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

    // ---------------------------------------------------------------- connection events

    /** A connection came up: identify, register, and look for work. False when it should not live. */
    boolean onConnected(ServerConnection c, Session s) {
        synchronized (lock) {
            if (closed || c.isClosed()) {
                return false;
            }
            c.session = s;
            c.lastInbound = clock.instant();
            c.echoSentAt = null;
            setState(c, WorkerStatus.ConnectionState.IDLE);
            c.registered.clear(); // a new session starts with no abilities; lastError stays for the status page
            c.grabOutstanding = false;
            c.wantWork = true;
            s.send(Packet.request(PacketType.SET_CLIENT_ID, c.clientId));
            syncRegistration(c);
            maybeGrab(c);
            return true;
        }
    }

    void onDisconnected(ServerConnection c, Session s, String error) {
        synchronized (lock) {
            if (s != null && c.session != s) {
                return;
            }
            c.session = null;
            c.registered.clear();
            c.grabOutstanding = false;
            c.lastError = s != null && s.closeReason != null ? s.closeReason : error;
            setState(c, c.isClosed() ? WorkerStatus.ConnectionState.CLOSED : WorkerStatus.ConnectionState.CONNECTING);
            if (c.executor != null) {
                releaseToken(c);
                kickNode(c.executor.node);
            }
            for (BuildRun r : allRuns()) {
                if (s != null && !r.finished && r.targets.stream().anyMatch(t -> t.session() == s)) {
                    r.targets.removeIf(t -> t.session() == s);
                    LOG.log(System.Logger.Level.WARNING, "build {0} keeps running after losing {1}; its"
                            + " result is delivered if gearmand assigns unique id {2} to this worker again",
                            r.jobName, c.server, r.unique);
                }
            }
        }
    }

    void onClosed(ServerConnection c) {
        synchronized (lock) {
            setState(c, WorkerStatus.ConnectionState.CLOSED);
            connections.remove(c);
        }
    }

    void onPacket(ServerConnection c, Session s, Packet p) throws ProtocolException {
        if (p.isRequest()) {
            throw new ProtocolException("server sent a request packet " + p.type());
        }
        synchronized (lock) {
            if (c.session == s) {
                c.lastInbound = clock.instant();
                c.echoSentAt = null; // any packet proves the server is alive
            }
        }
        switch (p.type()) {
            case NOOP -> {
                synchronized (lock) {
                    c.wantWork = true;
                    if (!c.grabOutstanding) {
                        setState(c, WorkerStatus.ConnectionState.IDLE);
                    }
                    maybeGrab(c);
                }
            }
            case NO_JOB -> {
                synchronized (lock) {
                    if (!c.grabOutstanding) {
                        throw new ProtocolException("NO_JOB without a GRAB_JOB");
                    }
                    c.grabOutstanding = false;
                    c.wantWork = false;
                    s.send(Packet.request(PacketType.PRE_SLEEP));
                    setState(c, WorkerStatus.ConnectionState.SLEEPING);
                    if (c.executor != null) {
                        releaseToken(c);
                        kickNode(c.executor.node);
                    }
                }
            }
            case JOB_ASSIGN_UNIQ -> onAssign(c, s, p.text(0), p.text(1), p.text(2), p.argument(3));
            case JOB_ASSIGN -> onAssign(c, s, p.text(0), p.text(1), "", p.argument(2));
            case ECHO_RES -> LOG.log(System.Logger.Level.DEBUG, "echo from {0}", c.server);
            case ERROR -> {
                LOG.log(System.Logger.Level.WARNING, "gearman server {0} reports error {1}: {2}",
                        c.server, p.text(0), p.text(1));
                synchronized (lock) {
                    if (c.grabOutstanding) {
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
            if (!c.grabOutstanding) {
                throw new ProtocolException("job assigned without a GRAB_JOB");
            }
            c.grabOutstanding = false;
            setState(c, WorkerStatus.ConnectionState.IDLE);
        }
        if (c.executor == null) {
            onManagementJob(c, s, handle, function, unique, data);
        } else {
            onBuildJob(c, s, handle, function, unique, data);
        }
    }

    // ---------------------------------------------------------------- builds

    private void onBuildJob(ServerConnection c, Session s, String handle, String function, String unique, byte[] data) {
        ExecutorState ex = c.executor;
        BuildRun run;
        synchronized (lock) {
            purgeFinished();
            BuildRun known = unique.isEmpty() ? null : runsByUnique.get(key(function, unique));
            if (known != null) {
                // gearmand re-queued a job we already run or ran (our connection dropped, or the
                // client resubmitted after a gearmand restart): never build it twice, answer it.
                LOG.log(System.Logger.Level.INFO, "job {0} unique {1} is already {2} here; answering handle {3}"
                        + " from that build", function, unique, known.finished ? "finished" : "running", handle);
                // the new assignment is where the answer goes; dead sessions can never deliver
                known.targets.removeIf(t -> !t.session().alive());
                known.targets.add(new Target(s, handle));
                if (known.finished) {
                    sendFinal(known);
                } else if (known.number != null) {
                    sendStarted(known);
                }
                releaseToken(c);
                kickNode(ex.node);
                return;
            }
            String refusal = null;
            if (ex.current != null || ex.retired || !ex.node.accepting) {
                refusal = "executor " + ex.id + " cannot take a job now";
            } else if (!desiredFunctions(c).contains(function)) {
                refusal = "function " + function + " is no longer registered on " + ex.id;
            }
            if (refusal != null) {
                LOG.log(System.Logger.Level.WARNING, "refusing job {0}: {1}", handle, refusal);
                sendFailure(s, handle, refusal);
                releaseToken(c);
                kickNode(ex.node);
                return;
            }
            Map<String, String> params;
            try {
                params = parseParameters(data);
            } catch (IllegalArgumentException bad) {
                LOG.log(System.Logger.Level.WARNING, "job {0} ({1}) has bad arguments: {2}", handle, function,
                        bad.getMessage());
                s.send(Packet.request(PacketType.WORK_EXCEPTION, handle,
                        Faults.forPeer("invalid job arguments: " + bad.getMessage()).getBytes(StandardCharsets.UTF_8)));
                releaseToken(c);
                kickNode(ex.node);
                return;
            }
            String jobName = jobNameOf(function);
            boolean offline = isTrue(params.get("OFFLINE_NODE_WHEN_COMPLETE"));
            run = new BuildRun(function, unique, jobName, params, ex, ex.node.spec.name(), offline, clock.instant());
            run.targets.add(new Target(s, handle));
            ex.current = run;
            if (offline) {
                // a single-use node: nothing else may start on it, on any executor
                ex.node.accepting = false;
            }
            if (unique.isEmpty()) {
                anonymousRuns.add(run);
            } else {
                runsByUnique.put(key(function, unique), run);
            }
        }
        BuildRequest request = new BuildRequest(run.jobName, run.parameters, unique, run.nodeName, ex.id,
                run.offlineWhenComplete);
        String failure = null;
        try {
            launcher.start(request, new RunListener(run));
        } catch (BuildNotStartedException e) {
            failure = e.getMessage();
        } catch (RuntimeException | Error e) {
            if (Faults.fatal(e)) {
                throw e;
            }
            failure = "build system error: " + e;
            LOG.log(System.Logger.Level.ERROR, "launcher failed for " + request, e);
        }
        boolean abortNow = false;
        synchronized (lock) {
            if (failure != null) {
                forget(run);
                if (ex.current == run) {
                    ex.current = null;
                }
                if (run.offlineWhenComplete && ex.node.executors.stream().noneMatch(e -> e.current != null
                        && e.current.offlineWhenComplete)) {
                    ex.node.accepting = true;
                }
                for (Target t : run.targets) {
                    sendFailure(t.session(), t.handle(), failure);
                }
            } else {
                run.queued = true;
                abortNow = run.abortRequested && run.number != null;
            }
            releaseToken(c);
            kickNode(ex.node);
        }
        if (abortNow) {
            abort(new BuildRef(run.jobName, run.number));
        }
    }

    /** An abort the worker decided on by itself (a stop that came before the build started). */
    private void abort(BuildRef ref) {
        try {
            launcher.abort(ref);
        } catch (RuntimeException | Error e) {
            if (Faults.fatal(e)) {
                throw e;
            }
            LOG.log(System.Logger.Level.ERROR, "aborting " + ref + " failed", e);
        }
    }

    /** The build system's callbacks for one build. */
    private final class RunListener implements BuildListener {
        private final BuildRun run;

        RunListener(BuildRun run) {
            this.run = run;
        }

        @Override
        public void started(int number, String url, Duration estimatedDuration) {
            boolean abort;
            synchronized (lock) {
                if (run.finished) {
                    return;
                }
                run.number = number;
                run.url = url;
                run.estimate = estimatedDuration == null ? Duration.ZERO : estimatedDuration;
                sendStarted(run);
                abort = run.abortRequested && run.queued;
            }
            if (abort) {
                abort(new BuildRef(run.jobName, number));
            }
        }

        @Override
        public void completed(String result) {
            synchronized (lock) {
                if (run.finished || run.completing) {
                    return;
                }
                run.completing = true;
            }
            if (run.offlineWhenComplete) {
                try {
                    recycler.offlineWhenComplete(run.nodeName,
                            new BuildRef(run.jobName, run.number == null ? 0 : run.number));
                } catch (RuntimeException | Error e) {
                    if (Faults.fatal(e)) {
                        throw e;
                    }
                    // the result is reported all the same: the build is over
                    LOG.log(System.Logger.Level.ERROR, "node recycling hook failed for node " + run.nodeName, e);
                }
            }
            List<ServerConnection> toClose = new ArrayList<>();
            synchronized (lock) {
                run.finished = true;
                run.result = result == null ? "NOT_BUILT" : result;
                run.finishedAt = clock.instant();
                sendFinal(run);
                if (!run.delivered) {
                    LOG.log(System.Logger.Level.WARNING, "result {0} of build {1} #{2} (unique {3}) could not be"
                            + " reported: its Gearman connection is gone; kept for {4} in case the job is"
                            + " assigned here again", run.result, run.jobName, run.number, run.unique,
                            config.resultRetention());
                }
                ExecutorState ex = run.executor;
                if (ex.current == run) {
                    ex.current = null;
                }
                if (ex.retired) {
                    toClose.addAll(ex.connections);
                } else {
                    kickNode(ex.node);
                }
            }
            toClose.forEach(ServerConnection::close);
        }
    }

    private void sendStarted(BuildRun run) {
        long elapsed = Math.max(0, Duration.between(run.assignedAt, clock.instant()).toMillis());
        byte[] data = json(buildData(run));
        for (Target t : run.targets) {
            t.session().send(Packet.request(PacketType.WORK_DATA, t.handle(), data));
            t.session().send(Packet.request(PacketType.WORK_STATUS, t.handle(), Long.toString(elapsed),
                    Long.toString(run.estimate.toMillis())));
        }
    }

    /** Sends the result to every live assignment of the build; it counts as delivered once one took it. */
    private void sendFinal(BuildRun run) {
        byte[] data = json(buildData(run));
        for (Iterator<Target> it = run.targets.iterator(); it.hasNext();) {
            Target t = it.next();
            t.session().send(Packet.request(PacketType.WORK_DATA, t.handle(), data));
            if (t.session().send(Packet.request(PacketType.WORK_COMPLETE, t.handle(), data))) {
                // handed to the socket; should the connection die now, gearmand re-queues the job
                // and the kept result answers it again
                run.delivered = true;
            }
            it.remove(); // a handle is finished once WORK_COMPLETE went out (or its session is dead)
        }
    }

    private static void sendFailure(Session s, String handle, String message) {
        ObjectNode o = JSON.createObjectNode();
        o.put("error", Faults.forPeer(message));
        s.send(Packet.request(PacketType.WORK_DATA, handle, json(o)));
        s.send(Packet.request(PacketType.WORK_FAIL, handle));
    }

    private ObjectNode buildData(BuildRun run) {
        ObjectNode o = JSON.createObjectNode();
        o.put("name", run.jobName);
        if (run.number == null) {
            o.putNull("number");
        } else {
            o.put("number", run.number);
        }
        o.put("manager", config.managerName());
        o.put("worker", run.executor.id);
        if (run.url != null) {
            o.put("url", run.url);
        }
        o.put("node_name", run.executor.node.spec.name());
        run.executor.node.spec.labels().forEach(o.putArray("node_labels")::add);
        if (run.result != null) {
            o.put("result", run.result);
        }
        return o;
    }

    // ---------------------------------------------------------------- management functions

    private void onManagementJob(ServerConnection c, Session s, String handle, String function, String unique,
            byte[] data) {
        String answer;
        boolean exception = false;
        try {
            if (function.equals("stop:" + config.managerName())) {
                answer = stop(unique, data);
            } else if (function.equals("set_description:" + config.managerName())) {
                answer = describe(data);
            } else {
                throw new IllegalArgumentException("unknown management function " + function);
            }
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
            if (exception) {
                s.send(Packet.request(PacketType.WORK_EXCEPTION, handle, answer.getBytes(StandardCharsets.UTF_8)));
            } else {
                s.send(Packet.request(PacketType.WORK_COMPLETE, handle, answer.getBytes(StandardCharsets.UTF_8)));
            }
            maybeGrab(c);
        }
    }

    /**
     * Zuul v2 sends {@code {"name": job, "number": n}}; the older gearman-plugin convention of
     * naming the build by its unique id is accepted too, as {@code {"uuid": id}} or as the stop
     * job's own unique id.
     */
    private String stop(String stopUnique, byte[] data) {
        JsonNode req = parseObject(data);
        String name = text(req, "name");
        Integer number = number(req.get("number"));
        BuildRef ref;
        if (name != null && number != null) {
            ref = new BuildRef(name, number);
        } else {
            String uuid = text(req, "uuid") != null ? text(req, "uuid") : text(req, "ZUUL_UUID");
            String id = uuid != null ? uuid : stopUnique;
            if (id.isEmpty()) {
                throw new IllegalArgumentException("stop needs {\"name\", \"number\"} or the build's unique id");
            }
            synchronized (lock) {
                BuildRun run = allRuns().stream().filter(r -> !r.finished && r.unique.equals(id)).findFirst()
                        .orElse(null);
                if (run == null) {
                    return answer(false, "no running build has unique id " + id);
                }
                if (run.number == null) {
                    // queued but not started: abort as soon as the build system reports it running
                    run.abortRequested = true;
                    return answer(true, "abort requested for " + run.jobName + " unique " + id);
                }
                ref = new BuildRef(run.jobName, run.number);
            }
        }
        boolean ok = launcher.abort(ref);
        return answer(ok, (ok ? "aborted " : "no running build ") + ref);
    }

    private String describe(byte[] data) {
        JsonNode req = parseObject(data);
        String name = text(req, "name");
        Integer number = number(req.get("number"));
        String html = text(req, "html_description");
        if (name == null || number == null || html == null) {
            throw new IllegalArgumentException("set_description needs name, number and html_description");
        }
        BuildRef ref = new BuildRef(name, number);
        boolean ok = launcher.setDescription(ref, html);
        return answer(ok, (ok ? "description set for " : "no build ") + ref);
    }

    private static String answer(boolean ok, String message) {
        ObjectNode o = JSON.createObjectNode();
        o.put("ok", ok);
        o.put("message", Faults.forPeer(message));
        return new String(json(o), StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- registration and grabbing

    /** The functions a connection should have registered right now. */
    private SortedSet<String> desiredFunctions(ServerConnection c) {
        SortedSet<String> want = new TreeSet<>();
        if (c.executor == null) {
            want.add("stop:" + config.managerName());
            want.add("set_description:" + config.managerName());
            return want;
        }
        ExecutorState ex = c.executor;
        if (ex.retired || c.isClosed()) {
            return want;
        }
        return functionsFor(ex.node.spec, jobs);
    }

    /**
     * {@code build:<job>} plus {@code build:<job>:<label>} for every label of the node and for the
     * node's own name (Jenkins treats a node's name as a label, and Zuul's ZUUL_NODE uses it).
     */
    public static SortedSet<String> functionsFor(NodeSpec node, Collection<JobDefinition> jobs) {
        Set<String> labels = new LinkedHashSet<>(node.labels());
        labels.add(node.name());
        SortedSet<String> fns = new TreeSet<>();
        if (node.executors() == 0) {
            return fns;
        }
        for (JobDefinition j : jobs) {
            if (j.label() != null && !labels.contains(j.label())) {
                continue;
            }
            fns.add(BUILD_PREFIX + j.name());
            for (String l : labels) {
                fns.add(BUILD_PREFIX + j.name() + ":" + l);
            }
        }
        return fns;
    }

    /** Sends only the difference between what is registered and what should be. */
    private void syncRegistration(ServerConnection c) {
        if (c.session == null) {
            return;
        }
        SortedSet<String> want = desiredFunctions(c);
        boolean added = false;
        for (Iterator<String> it = c.registered.iterator(); it.hasNext();) {
            String fn = it.next();
            if (!want.contains(fn)) {
                c.session.send(Packet.request(PacketType.CANT_DO, fn));
                it.remove();
            }
        }
        for (String fn : want) {
            if (c.registered.add(fn)) {
                c.session.send(Packet.request(PacketType.CAN_DO, fn));
                added = true;
            }
        }
        if (added) {
            c.wantWork = true; // jobs may already wait for a function we just announced
            maybeGrab(c);
        }
    }

    private void maybeGrab(ServerConnection c) {
        if (c.session == null || !c.session.alive() || c.grabOutstanding || !c.wantWork || c.registered.isEmpty()
                || c.isClosed()) {
            return;
        }
        if (c.executor != null) {
            ExecutorState ex = c.executor;
            NodeState n = ex.node;
            if (ex.current != null || ex.retired || !n.accepting || n.grabToken != null) {
                return;
            }
            n.grabToken = c;
        }
        c.grabOutstanding = true;
        setState(c, WorkerStatus.ConnectionState.GRABBING);
        c.session.send(Packet.request(PacketType.GRAB_JOB_UNIQ));
    }

    private static void releaseToken(ServerConnection c) {
        NodeState n = c.executor.node;
        if (n.grabToken == c) {
            n.grabToken = null;
        }
    }

    private void kickNode(NodeState n) {
        for (ExecutorState e : n.executors) {
            for (ServerConnection c : e.connections) {
                maybeGrab(c);
            }
        }
    }

    private void setState(ServerConnection c, WorkerStatus.ConnectionState st) {
        if (c.state != st) {
            c.state = st;
            c.since = clock.instant();
        }
    }

    // ---------------------------------------------------------------- helpers

    private List<BuildRun> allRuns() {
        List<BuildRun> all = new ArrayList<>(runsByUnique.values());
        all.addAll(anonymousRuns);
        return all;
    }

    private void forget(BuildRun run) {
        if (run.unique.isEmpty()) {
            anonymousRuns.remove(run);
        } else {
            runsByUnique.remove(key(run.function, run.unique), run);
        }
    }

    private void purgeFinished() {
        Instant cutoff = clock.instant().minus(config.resultRetention());
        for (BuildRun r : allRuns()) {
            if (r.finished && !r.finishedAt.isAfter(cutoff)) {
                if (!r.delivered) {
                    LOG.log(System.Logger.Level.WARNING, "dropping the undelivered result {0} of build {1} #{2}"
                            + " (unique {3}): the job was not assigned here again within {4}", r.result,
                            r.jobName, r.number, r.unique, config.resultRetention());
                }
                forget(r);
            }
        }
    }

    private static String key(String function, String unique) {
        return function + "\0" + unique;
    }

    static String jobNameOf(String function) {
        String rest = function.startsWith(BUILD_PREFIX) ? function.substring(BUILD_PREFIX.length()) : function;
        int colon = rest.indexOf(':');
        return colon < 0 ? rest : rest.substring(0, colon);
    }

    static boolean isTrue(String v) {
        return v != null && (v.equals("1") || v.equalsIgnoreCase("true"));
    }

    /**
     * The job arguments: empty, or a JSON object whose values are passed to the build as strings
     * (numbers and booleans as their JSON text, null as empty).
     */
    static Map<String, String> parseParameters(byte[] data) {
        Map<String, String> params = new LinkedHashMap<>();
        if (data.length == 0) {
            return params;
        }
        JsonNode root = parseObject(data);
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> f = it.next();
            JsonNode v = f.getValue();
            if (v.isContainerNode()) {
                throw new IllegalArgumentException("parameter " + f.getKey() + " is not a string");
            }
            params.put(f.getKey(), v.isNull() ? "" : v.asText());
        }
        return params;
    }

    private static JsonNode parseObject(byte[] data) {
        JsonNode root;
        try {
            root = JSON.readTree(data);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not JSON: " + firstLine(e.getMessage()));
        }
        if (root == null || root.isMissingNode()) {
            return JSON.createObjectNode();
        }
        if (!root.isObject()) {
            throw new IllegalArgumentException("expected a JSON object, got " + root.getNodeType());
        }
        return root;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static String text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v == null || v.isNull() || v.isContainerNode() ? null : v.asText();
    }

    private static Integer number(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isIntegralNumber()) {
            return v.asInt();
        }
        if (v.isTextual()) {
            try {
                return Integer.parseInt(v.asText().trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("build number '" + v.asText() + "' is not a number");
            }
        }
        throw new IllegalArgumentException("build number must be a number");
    }

    private static byte[] json(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- state records

    static final class NodeState {
        NodeSpec spec;
        final List<ExecutorState> executors = new ArrayList<>();
        /** The connection allowed to have a GRAB_JOB outstanding for this node (availability lock). */
        ServerConnection grabToken;
        /** False once a build asked for OFFLINE_NODE_WHEN_COMPLETE, or the node was removed. */
        boolean accepting = true;

        NodeState(NodeSpec spec) {
            this.spec = spec;
        }
    }

    static final class ExecutorState {
        final NodeState node;
        final int index;
        final String id;
        final List<ServerConnection> connections = new ArrayList<>();
        BuildRun current;
        boolean retired;

        ExecutorState(NodeState node, int index, String id) {
            this.node = node;
            this.index = index;
            this.id = id;
        }
    }

    /** One job handle on one TCP session. */
    record Target(Session session, String handle) { }

    /** One build started for one Gearman job; guarded by the worker lock. */
    static final class BuildRun {
        final String function;
        final String unique;
        final String jobName;
        final Map<String, String> parameters;
        final ExecutorState executor;
        final String nodeName;
        final boolean offlineWhenComplete;
        final Instant assignedAt;
        /** Where progress and the result go: every live assignment (session and handle) of this build. */
        final List<Target> targets = new ArrayList<>();
        boolean queued;
        Integer number;
        String url;
        Duration estimate = Duration.ZERO;
        boolean abortRequested;
        boolean completing;
        boolean finished;
        boolean delivered;
        String result;
        Instant finishedAt;

        BuildRun(String function, String unique, String jobName, Map<String, String> parameters,
                ExecutorState executor, String nodeName, boolean offlineWhenComplete, Instant assignedAt) {
            this.function = function;
            this.unique = unique;
            this.jobName = jobName;
            this.parameters = parameters;
            this.executor = executor;
            this.nodeName = nodeName;
            this.offlineWhenComplete = offlineWhenComplete;
            this.assignedAt = assignedAt;
        }
    }
}
