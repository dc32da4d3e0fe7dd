package dev.tollgate.gearman;

import dev.tollgate.gearman.protocol.Packet;
import dev.tollgate.gearman.protocol.PacketType;
import dev.tollgate.gearman.protocol.ProtocolException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Iterator;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * One connection to one Gearman server on behalf of one executor (or of the manager, for the
 * management functions): its reader thread, and the protocol state of its current session — which
 * functions are registered, whether a GRAB is outstanding, whether the server said there is work.
 *
 * <p>Threading: the reader thread owns the connect/read/reconnect loop; each successful connect
 * starts a {@link Session} with its own writer thread. The protocol state is private and guarded by
 * the worker's lock: every method below {@link #join} is called with it held, decides, changes
 * memory and queues packets; none calls a port or blocks on a socket. The reader thread calls into
 * {@link GearmanWorker} without holding the lock, so a slow or dead server stalls its own
 * connection but never another one or the build system.
 *
 * <p>Reconnects wait {@code backoff.delay(failures)}; the count starts over only after a session
 * has stayed up for the backoff's longest wait (by the injected clock), so a server that accepts
 * and then hangs up or fails at once is retried at the backoff's pace, not once a second. The
 * reader thread rides out every Throwable {@link Faults} does not call fatal: it drops the
 * session, logs, and reconnects.
 */
final class ServerConnection {
    private static final System.Logger LOG = System.getLogger(ServerConnection.class.getName());

    private final GearmanWorker engine;
    private final GearmanServerAddress server;
    /** The executor this connection works for; null for the management connection. */
    private final ExecutorState executor;
    private final String clientId;

    // guarded by the worker's lock
    private Session session;
    private WorkerStatus.ConnectionState state = WorkerStatus.ConnectionState.CONNECTING;
    private Instant since;
    private final SortedSet<String> registered = new TreeSet<>();
    /** The server said (or may say) there is work: set on connect and NOOP, cleared by NO_JOB. */
    private boolean wantWork;
    private boolean grabOutstanding;
    private String lastError;
    /** When the current session last received a packet, and when an unanswered ECHO_REQ went out. */
    private Instant lastInbound;
    private Instant echoSentAt;

    private volatile boolean closed;
    private final Thread thread;

    ServerConnection(GearmanWorker engine, GearmanServerAddress server, ExecutorState executor, String clientId) {
        this.engine = engine;
        this.server = server;
        this.executor = executor;
        this.clientId = clientId;
        this.since = engine.now();
        this.thread = new Thread(this::run, "gearman " + clientId + "@" + server);
        this.thread.setDaemon(true);
    }

    GearmanServerAddress server() {
        return server;
    }

    /** The executor this connection works for; null for the management connection. */
    ExecutorState executor() {
        return executor;
    }

    String owner() {
        return executor == null ? "manager" : executor.id;
    }

    void start() {
        thread.start();
    }

    boolean isClosed() {
        return closed;
    }

    /** Closes the socket, which ends the reader; does not wait. Called without the lock. */
    void close() {
        closed = true;
        Session s;
        synchronized (engine.lock) {
            s = session;
        }
        if (s != null) {
            s.close();
        }
        thread.interrupt();
    }

    void join(long millis) throws InterruptedException {
        thread.join(millis);
    }

    // ---------------------------------------------------------------- under the worker's lock

    /** A new session: it starts with no abilities and asks for work; the last error stays for the status page. */
    void attach(Session s) {
        session = s;
        lastInbound = engine.now();
        echoSentAt = null;
        setState(WorkerStatus.ConnectionState.IDLE);
        registered.clear();
        grabOutstanding = false;
        wantWork = true;
        s.send(Packet.request(PacketType.SET_CLIENT_ID, clientId));
    }

    /**
     * The session ended (null: the connect failed). False when {@code s} is not the current session
     * any more, so there is nothing to undo.
     */
    boolean detach(Session s, String error) {
        if (s != null && session != s) {
            return false;
        }
        session = null;
        registered.clear();
        grabOutstanding = false;
        lastError = s != null && s.closeReason != null ? s.closeReason : error;
        setState(closed ? WorkerStatus.ConnectionState.CLOSED : WorkerStatus.ConnectionState.CONNECTING);
        return true;
    }

    /** The thread has ended for good. */
    void ended() {
        setState(WorkerStatus.ConnectionState.CLOSED);
    }

    boolean isCurrent(Session s) {
        return session == s;
    }

    /** Any packet on the current session proves the server alive. */
    void heard(Session s) {
        if (session == s) {
            lastInbound = engine.now();
            echoSentAt = null;
        }
    }

    /**
     * Sends only the difference between what is registered and {@code want}; after a new
     * {@code CAN_DO} it grabs once, because jobs may already wait for that function.
     */
    void register(SortedSet<String> want) {
        if (session == null) {
            return;
        }
        boolean added = false;
        for (Iterator<String> it = registered.iterator(); it.hasNext();) {
            String fn = it.next();
            if (!want.contains(fn)) {
                session.send(Packet.request(PacketType.CANT_DO, fn));
                it.remove();
            }
        }
        for (String fn : want) {
            if (registered.add(fn)) {
                session.send(Packet.request(PacketType.CAN_DO, fn));
                added = true;
            }
        }
        if (added) {
            wantWork = true;
            maybeGrab();
        }
    }

    /**
     * Sends GRAB_JOB_UNIQ if this connection may ask for a job now: a live session with functions,
     * work announced, no GRAB outstanding, and for an executor the node's grab token.
     */
    void maybeGrab() {
        if (session == null || !session.alive() || grabOutstanding || !wantWork || registered.isEmpty() || closed) {
            return;
        }
        if (executor != null && !executor.mayGrab(this)) {
            return;
        }
        grabOutstanding = true;
        setState(WorkerStatus.ConnectionState.GRABBING);
        session.send(Packet.request(PacketType.GRAB_JOB_UNIQ));
    }

    /** NOOP: the server has work; remembered while the executor is busy. */
    void onNoop() {
        wantWork = true;
        if (!grabOutstanding) {
            setState(WorkerStatus.ConnectionState.IDLE);
        }
        maybeGrab();
    }

    /** NO_JOB: sleep until the next NOOP, and give the node's token back. */
    void onNoJob(Session s) throws ProtocolException {
        if (!grabOutstanding) {
            throw new ProtocolException("NO_JOB without a GRAB_JOB");
        }
        grabOutstanding = false;
        wantWork = false;
        s.send(Packet.request(PacketType.PRE_SLEEP));
        setState(WorkerStatus.ConnectionState.SLEEPING);
        releaseToken();
    }

    /** JOB_ASSIGN*: the GRAB is answered (an executor keeps the token until the job is settled). */
    void onAssigned() throws ProtocolException {
        if (!grabOutstanding) {
            throw new ProtocolException("job assigned without a GRAB_JOB");
        }
        grabOutstanding = false;
        setState(WorkerStatus.ConnectionState.IDLE);
    }

    boolean grabOutstanding() {
        return grabOutstanding;
    }

    /** Gives the node's grab token back if this connection holds it, and lets the node grab again. */
    void releaseToken() {
        if (executor != null) {
            executor.node.availability.unlock(this);
            executor.node.kick();
        }
    }

    /**
     * The ECHO keepalive at {@code now}: sends ECHO_REQ on a session silent for {@code keepAlive};
     * returns the session to drop when its echo stayed unanswered that long, else null.
     */
    Session keepAlive(Instant now, Duration keepAlive) {
        Session s = session;
        if (s == null || !s.alive()) {
            return null;
        }
        if (echoSentAt != null && !now.isBefore(echoSentAt.plus(keepAlive))) {
            s.closeReason = "no ECHO_RES within " + keepAlive;
            return s;
        }
        if (echoSentAt == null && !now.isBefore(lastInbound.plus(keepAlive))) {
            echoSentAt = now;
            s.send(Packet.request(PacketType.ECHO_REQ, "keepalive"));
        }
        return null;
    }

    WorkerStatus.Connection status() {
        return new WorkerStatus.Connection(server, owner(), state, since, session == null ? null : lastInbound,
                Collections.unmodifiableSortedSet(new TreeSet<>(registered)), lastError);
    }

    private void setState(WorkerStatus.ConnectionState st) {
        if (state != st) {
            state = st;
            since = engine.now();
        }
    }

    // ---------------------------------------------------------------- the reader thread

    private void run() {
        int failures = 0;
        while (!closed) {
            Session s = null;
            String error = null;
            Instant connectedAt = null;
            Error fatal = null;
            try {
                Socket socket = new Socket();
                socket.setTcpNoDelay(true);
                socket.setKeepAlive(true);
                socket.connect(new InetSocketAddress(server.host(), server.port()),
                        (int) engine.config().connectTimeout().toMillis());
                s = new Session(socket, engine.codec());
                // taken before the session is announced, so no packet can be seen before it
                connectedAt = engine.now();
                if (!engine.onConnected(this, s)) {
                    s.close();
                    break;
                }
                InputStream in = new BufferedInputStream(socket.getInputStream());
                while (!closed) {
                    Packet p = engine.codec().read(in);
                    if (p == null) {
                        throw new EOFException("server closed the connection");
                    }
                    engine.onPacket(this, s, p);
                }
            } catch (IOException | RuntimeException | Error e) {
                error = Faults.describe(e);
                if (Faults.fatal(e)) {
                    fatal = (Error) e;
                    closed = true; // shown as CLOSED, with the reason, for as long as the JVM lasts
                    error = "connection thread stopped: " + error;
                    LOG.log(System.Logger.Level.ERROR, "gearman connection " + clientId + " to " + server
                            + " stopped: the JVM reports an error it cannot ride out", e);
                } else if (!closed && e instanceof IOException) {
                    LOG.log(System.Logger.Level.INFO, "gearman connection {0} to {1} lost: {2}",
                            clientId, server, error);
                } else if (!closed) {
                    // not the network: a bug or a shortage, worth its stack trace
                    LOG.log(System.Logger.Level.ERROR, "gearman connection " + clientId + " to " + server
                            + " failed; reconnecting", e);
                }
            } finally {
                if (s != null) {
                    s.close();
                }
                engine.onDisconnected(this, s, error);
            }
            if (fatal != null) {
                throw fatal;
            }
            if (closed) {
                break;
            }
            if (connectedAt != null && !engine.now().isBefore(connectedAt.plus(engine.config().backoff().max()))) {
                failures = 0; // it was healthy for a while: this is a new outage, not the same one
            }
            try {
                engine.sleeper().sleep(engine.config().backoff().delay(failures++, engine.random()));
            } catch (InterruptedException e) {
                if (closed) {
                    break;
                }
            }
        }
        engine.onClosed(this);
    }
}
