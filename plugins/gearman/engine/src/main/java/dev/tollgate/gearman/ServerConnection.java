package dev.tollgate.gearman;

import dev.tollgate.gearman.protocol.Packet;
import dev.tollgate.gearman.protocol.PacketCodec;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Instant;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One connection to one Gearman server on behalf of one executor (or of the manager, for the
 * stop/set_description functions).
 *
 * <p>Threading: a reader thread owns the connect/read/reconnect loop; each successful connect
 * starts a {@link Session} with its own writer thread that drains an unbounded outbox. Every
 * decision is taken by {@link GearmanWorker} under its single lock, which only ever enqueues
 * packets; no lock is held while a socket blocks, so a slow or dead server can stall its own
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

    final GearmanWorker engine;
    final GearmanServerAddress server;
    /** The executor this connection works for; null for the management connection. */
    final GearmanWorker.ExecutorState executor;
    final String clientId;

    // guarded by engine.lock
    Session session;
    WorkerStatus.ConnectionState state = WorkerStatus.ConnectionState.CONNECTING;
    Instant since;
    final SortedSet<String> registered = new TreeSet<>();
    /** The server said (or may say) there is work: set on connect and NOOP, cleared by NO_JOB. */
    boolean wantWork;
    boolean grabOutstanding;
    String lastError;
    /** When the current session last received a packet, and when an unanswered ECHO_REQ went out. */
    Instant lastInbound;
    Instant echoSentAt;

    private volatile boolean closed;
    private final Thread thread;

    ServerConnection(GearmanWorker engine, GearmanServerAddress server,
            GearmanWorker.ExecutorState executor, String clientId) {
        this.engine = engine;
        this.server = server;
        this.executor = executor;
        this.clientId = clientId;
        this.since = engine.now();
        this.thread = new Thread(this::run, "gearman " + clientId + "@" + server);
        this.thread.setDaemon(true);
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

    /** Closes the socket, which ends the reader; does not wait. */
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

    /**
     * One TCP session: the socket and the writer thread that alone writes to it. Packets are encoded
     * when queued, on the caller's thread: one that cannot be encoded (above the size limit) ends the
     * session with that reason instead of killing the writer later.
     */
    static final class Session {
        private static final byte[] POISON = new byte[0];
        private final Socket socket;
        private final PacketCodec codec;
        private final LinkedBlockingQueue<byte[]> outbox = new LinkedBlockingQueue<>();
        private volatile boolean alive = true;
        /** Why the worker itself closed this session (keepalive), shown instead of the socket error. */
        volatile String closeReason;

        Session(Socket socket, PacketCodec codec) {
            this.socket = socket;
            this.codec = codec;
            Thread writer = new Thread(this::write, "gearman writer " + socket.getLocalPort());
            writer.setDaemon(true);
            writer.start();
        }

        boolean alive() {
            return alive;
        }

        /** Queues a packet; false when the session is already dead (the caller keeps the work). */
        boolean send(Packet p) {
            if (!alive) {
                return false;
            }
            byte[] bytes;
            try {
                bytes = codec.encode(p);
            } catch (IllegalArgumentException tooBig) {
                // the writer closes the socket after what is queued; the reader then reconnects
                closeReason = "cannot send " + p.type() + ": " + tooBig.getMessage();
                LOG.log(System.Logger.Level.WARNING, "gearman: {0}; dropping the connection", closeReason);
                alive = false;
                outbox.add(POISON);
                return false;
            }
            outbox.add(bytes);
            return true;
        }

        void close() {
            if (alive) {
                alive = false;
                outbox.add(POISON);
            }
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a socket that is already broken
            }
        }

        private void write() {
            try {
                OutputStream out = new BufferedOutputStream(socket.getOutputStream());
                while (true) {
                    byte[] p = outbox.take();
                    if (p == POISON) {
                        break;
                    }
                    out.write(p);
                    if (outbox.isEmpty()) {
                        out.flush();
                    }
                }
            } catch (IOException | InterruptedException e) {
                LOG.log(System.Logger.Level.DEBUG, "gearman writer ends: {0}", e.toString());
            } catch (RuntimeException | Error e) {
                // never a silent death: the reader sees the socket close and shows this reason
                if (closeReason == null) {
                    closeReason = "writer failed: " + Faults.describe(e);
                }
                LOG.log(System.Logger.Level.ERROR, "gearman writer failed", e);
                if (Faults.fatal(e)) {
                    throw e;
                }
            } finally {
                alive = false;
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // the reader will notice
                }
            }
        }
    }
}
