package dev.tollgate.pipeline.gerrit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.common.Sleeper;
import dev.tollgate.pipeline.event.BoundedLineReader;
import dev.tollgate.pipeline.status.StreamMetrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.session.ConnectionService;

/**
 * Gerrit's event stream: {@code ssh -p PORT user@host gerrit stream-events}, kept alive.
 *
 * <ul>
 *   <li>Key authentication; the server's host key is checked against the configured one.</li>
 *   <li>TCP_NODELAY and SSH keep-alives that want a reply, so a dead TCP connection is noticed
 *       by MINA after {@code keepAliveMaxMissed} unanswered requests.</li>
 *   <li>A watchdog ({@link #tick()}, driven by the caller's timer and the injected clock)
 *       reconnects a stream that has been silent longer than {@code silenceTimeout}.</li>
 *   <li>Reconnects with exponential backoff and jitter, waiting through the injected
 *       {@link Sleeper}.</li>
 *   <li>After a reconnect, events missed while disconnected are recovered through
 *       {@link EventRecovery} <em>before</em> live events are read, so the sink sees them in
 *       order; the {@link EventDeduplicator} drops the copies the stream and the recovery share.</li>
 *   <li>No line longer than {@link GerritSshConfig#MAX_EVENT_BYTES} is kept in memory: a longer one
 *       is skipped with a warning and treated as a gap (recovered in place, like Gerrit's
 *       {@code dropped-output}).</li>
 * </ul>
 * One thread reads; the sink is called from it only. That thread rides out every {@link Throwable}
 * but the two that say the JVM itself is broken ({@link InternalError}, {@link UnknownError}): a
 * failing sink is logged and reading goes on; any other failure, {@link OutOfMemoryError} and
 * {@link StackOverflowError} included, drops the connection, which is then reconnected with backoff
 * and its gap recovered (the reader's own allocations are bounded, so such an error unwinds what it
 * held). A fatal error ends the reader with a SEVERE log, {@link State#STOPPED} and a last
 * {@link GerritEventSink#disconnected} saying so.
 */
public final class GerritStream implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(GerritStream.class.getName());
    static final String COMMAND = "gerrit stream-events";

    public enum State { NEW, CONNECTING, CONNECTED, WAITING_TO_RECONNECT, STOPPED }

    /** What an operator wants to see. Times are null until known. */
    public record Status(State state, Instant lastEventCreatedOn, Instant lastLineAt, Instant connectedSince,
                         int reconnects, String lastDisconnectReason, long delivered, long duplicatesDropped) {}

    private final GerritSshConfig config;
    private final Supplier<SshKeyCredentials> credentials;
    private final GerritEventSink sink;
    private final EventRecovery recovery;
    private final Clock clock;
    private final Sleeper sleeper;
    private final DoubleSupplier random;
    private final HostKeyCheck hostKeyCheck;
    private final EventDeduplicator dedup;

    private volatile State state = State.NEW;
    private volatile boolean running;
    private volatile Thread worker;
    private volatile SshClient client;
    private volatile ClientSession session;
    private volatile Instant lastLineAt;
    private volatile Instant connectedSince;
    private volatile long lastEventCreatedOn = -1; // epoch seconds, Gerrit's clock
    private volatile int reconnects;
    private volatile String lastDisconnectReason;
    private volatile String abortReason;
    private volatile long delivered;
    private volatile long duplicatesDropped;
    // recovery bookkeeping, touched by the worker thread only
    private Instant recoverFrom;
    private int recoveryFailures;

    public GerritStream(GerritSshConfig config, Supplier<SshKeyCredentials> credentials, GerritEventSink sink,
                        EventRecovery recovery, Clock clock, Sleeper sleeper, DoubleSupplier random) {
        this.config = Objects.requireNonNull(config, "config");
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.recovery = recovery;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.random = random == null ? () -> ThreadLocalRandom.current().nextDouble() : random;
        this.hostKeyCheck = HostKeyCheck.parse(config.hostKey());
        this.dedup = new EventDeduplicator(50_000, (int) Math.max(1, config.recoverySlack().toSeconds()));
        this.recoverFrom = config.resumeFrom();
    }

    public GerritStream(GerritSshConfig config, Supplier<SshKeyCredentials> credentials, GerritEventSink sink,
                        EventRecovery recovery) {
        this(config, credentials, sink, recovery, Clock.systemUTC(), Sleeper.REAL, null);
    }

    /**
     * Events delivered before a restart, saved with the position given as {@code resumeFrom}: the
     * first recovery starts {@code recoverySlack} before that position, and the copies it brings
     * back of these events are dropped as duplicates rather than delivered a second time. Call
     * before {@link #start()}; lines that are not JSON objects are ignored.
     */
    public void rememberDelivered(List<String> jsonLines) {
        for (String line : jsonLines) {
            JsonNode n = parse(line);
            if (n != null) {
                dedup.firstTime(n);
            }
        }
    }

    /** Starts the reader thread; it connects, and reconnects until {@link #close()}. */
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        SshClient c = GerritSsh.startClient(config, hostKeyCheck, hostKeyCheck);
        client = c;
        Thread t = new Thread(this::run, "gerrit-stream-" + config.host() + ":" + config.port());
        t.setDaemon(true);
        worker = t;
        t.start();
    }

    /**
     * The watchdog: call it periodically (any period well below {@code silenceTimeout}). A stream
     * that has been connected but silent for longer than the timeout is dropped and reconnected;
     * recovery then fetches whatever the silence hid.
     */
    public void tick() {
        Duration limit = config.silenceTimeout();
        Instant last = lastLineAt;
        ClientSession s = session;
        if (limit.isZero() || state != State.CONNECTED || last == null || s == null) {
            return;
        }
        Duration silent = Duration.between(last, clock.instant());
        if (silent.compareTo(limit) > 0) {
            abort("watchdog: no line from the stream for " + silent.toSeconds() + " s (limit "
                    + limit.toSeconds() + " s)");
        }
    }

    /**
     * For hosts without a timer of their own: calls {@link #tick()} every {@code period} on a
     * daemon thread until {@link #close()}. (A Jenkins plugin would rather call tick() from its
     * periodic work.)
     */
    public synchronized void startWatchdogTimer(Duration period) {
        if (watchdogTimer != null) {
            return;
        }
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gerrit-stream-watchdog");
            t.setDaemon(true);
            return t;
        });
        // a periodic task that throws is never run again: a failed tick must not end the watchdog
        timer.scheduleAtFixedRate(() -> {
            try {
                tick();
            } catch (RuntimeException | Error e) {
                if (fatal(e)) {
                    throw e;
                }
                LOG.log(Level.SEVERE, "Gerrit stream watchdog tick failed", e);
            }
        }, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
        watchdogTimer = timer;
    }

    private ScheduledExecutorService watchdogTimer;

    /** Drops the current connection (it reconnects by itself). */
    public void abort(String reason) {
        ClientSession s = session;
        if (s != null) {
            abortReason = reason;
            LOG.log(Level.WARNING, "Gerrit stream {0}:{1}: {2}", new Object[] {config.host(), String.valueOf(config.port()), reason});
            s.close(true);
        }
    }

    public Status status() {
        long last = lastEventCreatedOn;
        return new Status(state, last < 0 ? null : Instant.ofEpochSecond(last), lastLineAt, connectedSince,
                reconnects, lastDisconnectReason, delivered, duplicatesDropped);
    }

    /**
     * The stream's state and counters as the engine's metrics take them ({@code PipelineMetrics.snapshot}):
     * {@link #status()} with {@link #droppedOutputs()} and {@link #oversizedLines()}.
     */
    public StreamMetrics metrics() {
        Status s = status();
        return new StreamMetrics(s.state().name(), s.state() == State.CONNECTED, s.reconnects(), s.delivered(),
                s.duplicatesDropped(), droppedOutputs, oversizedLines, s.connectedSince(), s.lastLineAt(),
                s.lastEventCreatedOn(), s.lastDisconnectReason());
    }

    @Override
    public void close() {
        running = false;
        synchronized (this) {
            if (watchdogTimer != null) {
                watchdogTimer.shutdownNow();
            }
        }
        state = State.STOPPED;
        ClientSession s = session;
        if (s != null) {
            s.close(true);
        }
        Thread t = worker;
        if (t != null) {
            t.interrupt();
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        SshClient c = client;
        if (c != null) {
            c.stop();
        }
    }

    private void run() {
        try {
            reconnectLoop();
        } catch (Throwable e) {
            // only a fatal error gets here; never a silent death: say so, to the log, the status
            // and the sink, so that an operator knows nothing reads the stream any more
            LOG.log(Level.SEVERE, "Gerrit stream " + config.host() + ":" + config.port() + " reader stopped", e);
            String why = "reader stopped: " + e;
            lastDisconnectReason = why;
            state = State.STOPPED;
            safely(() -> sink.disconnected(why));
            throw e;
        } finally {
            state = State.STOPPED;
        }
    }

    /**
     * The errors the reader does not ride out: the JVM says it is broken itself. Everything else,
     * OutOfMemoryError included, unwinds the reader's stack and frees what it held there.
     */
    static boolean fatal(Throwable t) {
        return t instanceof InternalError || t instanceof UnknownError;
    }

    private static String describe(Throwable e) {
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private void reconnectLoop() {
        int failures = 0;
        while (running) {
            state = State.CONNECTING;
            String reason;
            boolean wasConnected = false;
            long deliveredBefore = delivered;
            try {
                wasConnected = connectAndRead();
                reason = abortReason != null ? abortReason : "stream ended: connection closed (by the server, or after unanswered keep-alives)";
            } catch (InterruptedException e) {
                break;
            } catch (Exception | Error e) {
                if (fatal(e)) {
                    throw (Error) e;
                }
                if (!(e instanceof Exception)) {
                    LOG.log(Level.SEVERE, "Gerrit stream " + config.host() + ":" + config.port()
                            + ": connecting failed with an error; reconnecting", e);
                }
                String mismatch = hostKeyCheck.lastMismatch();
                reason = mismatch != null ? mismatch
                        : abortReason != null ? abortReason
                        : describe(e);
            } finally {
                session = null;
            }
            if (!running) {
                break;
            }
            if (wasConnected) {
                // only a connection that did some good resets the backoff: one Gerrit accepts and
                // closes at once (a refusal on stderr) must not bring a reconnect, and a recovery
                // query, every second
                Instant since = connectedSince;
                if (delivered > deliveredBefore || (since != null
                        && !clock.instant().isBefore(since.plus(config.backoff().max())))) {
                    failures = 0;
                }
                if (recoverFrom == null) {
                    recoverFrom = gapStart();
                }
            }
            state = State.WAITING_TO_RECONNECT;
            connectedSince = null;
            lastDisconnectReason = reason;
            reconnects++;
            LOG.log(Level.WARNING, "Gerrit stream {0}:{1} down: {2}", new Object[] {config.host(), String.valueOf(config.port()), reason});
            String why = reason;
            safely(() -> sink.disconnected(why));
            Duration wait = config.backoff().delay(failures++, random.getAsDouble());
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException e) {
                break;
            }
        }
    }

    /** Where the gap of a lost connection starts: the last event seen, or when we connected. */
    private Instant gapStart() {
        long last = lastEventCreatedOn;
        return last >= 0 ? Instant.ofEpochSecond(last) : firstConnectedAt;
    }

    private volatile Instant firstConnectedAt;

    /** One connection's life. True if the stream got as far as reading. */
    private boolean connectAndRead() throws Exception {
        abortReason = null;
        hostKeyCheck.reset();
        SshKeyCredentials cred = credentials.get();
        Duration timeout = config.connectTimeout();
        try (ClientSession s = client.connect(cred.username(), config.host(), config.port())
                .verify(timeout).getSession()) {
            session = s;
            GerritSsh.addIdentities(s, cred);
            s.auth().verify(timeout);
            try (StreamEventsChannel ch = new StreamEventsChannel()) {
                s.getService(ConnectionService.class).registerChannel(ch);
                ch.open().verify(timeout);
                Boolean started;
                try {
                    started = ch.started.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    throw new IOException("Gerrit did not start `" + COMMAND + "` within " + timeout.toSeconds() + " s");
                }
                if (!started) {
                    throw new IOException("Gerrit refused `" + COMMAND + "`");
                }
                Instant now = clock.instant();
                connectedSince = now;
                lastLineAt = now;
                if (firstConnectedAt == null) {
                    firstConnectedAt = now;
                }
                state = State.CONNECTED;
                LOG.log(Level.INFO, "Gerrit stream {0}:{1} connected", new Object[] {config.host(), String.valueOf(config.port())});
                safely(sink::connected);
                // Gerrit subscribes the stream a moment after its reply (see StreamEventsChannel), so
                // an event of that moment may be in neither the recovery just run nor the stream.
                // The first live line proves the subscription: recover once more then, from the
                // newest event seen, before that line (the deduplicator drops what both passes found).
                boolean confirm = recoverIfNeeded(); // not after a gap given up: that one stays lost
                BoundedLineReader in = new BoundedLineReader(ch.getInvertedOut(), GerritSshConfig.MAX_EVENT_BYTES);
                while (running) {
                    String line;
                    try {
                        line = in.readLine();
                    } catch (BoundedLineReader.LineTooLong tooLong) {
                        if (!skipOversized(in)) {
                            break;
                        }
                        continue;
                    }
                    if (line == null) {
                        break;
                    }
                    lastLineAt = clock.instant();
                    if (confirm) {
                        confirm = false;
                        if (recoverFrom == null) {
                            recoverFrom = gapStart();
                        }
                        recoverIfNeeded();
                    }
                    handle(line);
                }
                if (abortReason == null) {
                    // Gerrit explains a refused stream (e.g. no "Stream Events" capability) on stderr
                    String err = firstLine(ch.getInvertedErr());
                    if (!err.isEmpty()) {
                        abortReason = "stream ended: " + err;
                    }
                }
            }
            return true;
        } catch (IOException | RuntimeException | Error e) {
            if (connectedSince != null && !(e instanceof RecoveryFailed) && !fatal(e)) {
                // the connection had been up: the failure ends a healthy stream, not a connect
                // attempt, so the gap it leaves is recovered after the reconnect
                connectedSinceLost(e);
                return true;
            }
            throw e;
        }
    }

    /**
     * A line above the event size limit: skipped without keeping it, then treated like Gerrit's
     * {@code dropped-output} (the event it held, if the recovery source has it within the limit,
     * comes back through recovery; the deduplicator drops the rest). The watchdog's clock is not
     * reset while skipping, so an endless line ends in a reconnect after {@code silenceTimeout}.
     * False when the stream ended inside the line.
     */
    private boolean skipOversized(BoundedLineReader in) throws IOException, InterruptedException {
        oversizedLines++;
        LOG.log(Level.WARNING, "Gerrit stream {0}:{1}: a line longer than {2} bytes (the event size limit); "
                + "skipping it", new Object[] {config.host(), String.valueOf(config.port()),
                        String.valueOf(GerritSshConfig.MAX_EVENT_BYTES)});
        long bytes = in.skipRestOfLine();
        if (bytes < 0) {
            return false;
        }
        lastLineAt = clock.instant();
        LOG.log(Level.WARNING, "Gerrit stream {0}:{1}: skipped a line of {2} bytes; recovering the events "
                + "around it", new Object[] {config.host(), String.valueOf(config.port()), String.valueOf(bytes)});
        if (recoverFrom == null) {
            recoverFrom = gapStart();
        }
        recoverIfNeeded();
        return true;
    }

    private static String firstLine(java.io.InputStream err) {
        try {
            if (err.available() <= 0) {
                return "";
            }
            byte[] b = err.readNBytes(Math.min(err.available(), 1000));
            String s = new String(b, StandardCharsets.UTF_8).strip();
            int nl = s.indexOf('\n');
            return nl < 0 ? s : s.substring(0, nl);
        } catch (IOException e) {
            return "";
        }
    }

    private void connectedSinceLost(Throwable e) {
        if (!(e instanceof IOException)) {
            // not the network: a bug or a shortage; worth its stack trace
            LOG.log(Level.SEVERE, "Gerrit stream " + config.host() + ":" + config.port()
                    + ": reading failed; reconnecting", e);
        }
        if (abortReason == null) {
            abortReason = "connection lost: " + describe(e);
        }
    }

    /**
     * Fetches what the gap hid before any live line is read. A failed recovery drops the
     * connection so that it is retried with backoff; after {@code maxRecoveryAttempts} the gap is
     * given up, loudly, rather than blocking the stream for ever. True when a recovery ran and
     * succeeded.
     */
    private boolean recoverIfNeeded() throws IOException, InterruptedException {
        if (recoverFrom == null || recovery == null) {
            recoverFrom = null;
            return false;
        }
        Instant since = recoverFrom.minus(config.recoverySlack());
        List<String> lines;
        try {
            lines = recovery.eventsSince(since);
        } catch (IOException | RuntimeException | Error e) {
            if (fatal(e)) {
                throw e;
            }
            if (!(e instanceof IOException)) {
                LOG.log(Level.SEVERE, "Gerrit stream " + config.host() + ":" + config.port()
                        + ": the recovery of missed events failed with a bug or a shortage", e);
            }
            recoveryFailures++;
            if (recoveryFailures >= Math.max(1, config.maxRecoveryAttempts())) {
                LOG.log(Level.SEVERE, "Gerrit stream {0}:{1}: giving up recovering events since {2} after {3} "
                        + "attempts; events of that gap may be lost: {4}",
                        new Object[] {config.host(), String.valueOf(config.port()), since, recoveryFailures, describe(e)});
                recoverFrom = null;
                recoveryFailures = 0;
                return false;
            }
            abortReason = "recovery of missed events failed: "
                    + (e instanceof IOException ? e.getMessage() : describe(e));
            throw new RecoveryFailed(abortReason, e);
        }
        recoverFrom = null;
        recoveryFailures = 0;
        List<JsonNode> parsed = new ArrayList<>();
        for (String line : lines) {
            JsonNode n = parse(line);
            if (n != null) {
                parsed.add(n);
            }
        }
        parsed.sort(Comparator.comparingLong(n -> n.path("eventCreatedOn").asLong()));
        for (JsonNode n : parsed) {
            deliver(n.toString(), n);
        }
        LOG.log(Level.INFO, "Gerrit stream {0}:{1}: recovered {2} event(s) since {3}",
                new Object[] {config.host(), String.valueOf(config.port()), parsed.size(), since});
        return true;
    }

    private static final class RecoveryFailed extends IOException {
        RecoveryFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private void handle(String line) throws IOException, InterruptedException {
        if (line.isBlank()) {
            return;
        }
        JsonNode n = parse(line);
        if (n == null) {
            // not ours to judge beyond JSON: hand it on, the engine logs and skips it
            safely(() -> sink.accept(line));
            return;
        }
        if (DROPPED_OUTPUT.equals(n.path("type").asText())) {
            // Gerrit's per-connection queue (128 events) overflowed and it dropped events: fetch
            // them like after a disconnection, then go on reading
            droppedOutputs++;
            LOG.log(Level.WARNING, "Gerrit stream {0}:{1}: Gerrit dropped events (slow reader); recovering them",
                    new Object[] {config.host(), String.valueOf(config.port())});
            if (recoverFrom == null) {
                recoverFrom = gapStart();
            }
            recoverIfNeeded();
            return;
        }
        deliver(line, n);
    }

    static final String DROPPED_OUTPUT = "dropped-output";
    private volatile long droppedOutputs;

    /** How often Gerrit reported dropping events because this reader was too slow. */
    public long droppedOutputs() {
        return droppedOutputs;
    }

    private volatile long oversizedLines;

    /** How many lines above {@link GerritSshConfig#MAX_EVENT_BYTES} were skipped. */
    public long oversizedLines() {
        return oversizedLines;
    }

    private void deliver(String line, JsonNode n) {
        if (!dedup.firstTime(n)) {
            duplicatesDropped++;
            return;
        }
        long created = n.path("eventCreatedOn").asLong(-1);
        if (created > lastEventCreatedOn) {
            lastEventCreatedOn = created;
        }
        delivered++;
        safely(() -> sink.accept(line));
    }

    /** The line as a JSON object, or null; same string limit as the engine's parser (one event size limit). */
    static JsonNode parse(String line) {
        try {
            JsonNode n = GerritRest.JSON.readTree(line);
            return n != null && n.isObject() ? n : null;
        } catch (IOException e) {
            return null;
        }
    }

    private void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException | Error e) {
            if (fatal(e)) {
                throw e;
            }
            // a failing sink must not kill the stream (the sink's bug or shortage, not the JVM's state)
            LOG.log(Level.SEVERE, "Gerrit event sink failed", e);
        }
    }
}
