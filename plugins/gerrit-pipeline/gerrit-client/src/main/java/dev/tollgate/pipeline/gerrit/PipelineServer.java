package dev.tollgate.pipeline.gerrit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.common.BuildResult;
import dev.tollgate.common.Sleeper;
import dev.tollgate.pipeline.event.EventParseException;
import dev.tollgate.pipeline.event.EventParser;
import dev.tollgate.pipeline.event.GerritEvent;
import dev.tollgate.pipeline.layout.GerritServerConfig;
import dev.tollgate.pipeline.layout.MergerConfig;
import dev.tollgate.pipeline.merger.GitMerger;
import dev.tollgate.pipeline.merger.MergerSettings;
import dev.tollgate.pipeline.layout.PipelineSettings;
import dev.tollgate.pipeline.port.BuildLookup;
import dev.tollgate.pipeline.port.JobLauncher;
import dev.tollgate.pipeline.port.Review;
import dev.tollgate.pipeline.port.ReviewPoster;
import dev.tollgate.pipeline.reporter.CommentOnlyPoster;
import dev.tollgate.pipeline.scheduler.ItemView;
import dev.tollgate.pipeline.scheduler.LaunchSettings;
import dev.tollgate.pipeline.scheduler.Scheduler;
import dev.tollgate.pipeline.scheduler.SchedulerListener;
import dev.tollgate.pipeline.scheduler.state.SchedulerState;
import dev.tollgate.pipeline.scheduler.state.SchedulerStateCodec;
import dev.tollgate.pipeline.scheduler.state.SchedulerStateException;
import dev.tollgate.pipeline.status.MetricsSnapshot;
import dev.tollgate.pipeline.status.PipelineMetrics;
import dev.tollgate.pipeline.status.StatusJson;
import dev.tollgate.pipeline.status.StreamMetrics;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One Gerrit server's part of the suite, assembled: its events (its own SSH stream, or events handed
 * in by {@link #accept}) go through the parser to a {@link Scheduler} running the configured
 * pipelines, whose builds go to a {@link JobLauncher} and whose reports go back to this server's REST
 * API (without votes while comment-only is on). Its queue is saved to a file and restored from it at
 * the next start, together with the stream's position, so a restart loses no queued item and misses
 * no event (events after the position are recovered through REST).
 *
 * <p>Files: {@code stateFile} holds the queue ({@link SchedulerStateCodec}); {@code stateFile.stream}
 * holds the stream's position (the newest {@code eventCreatedOn} handled, ISO-8601) on its first
 * line, then the events handled in the last {@code recoverySlack} before it, one JSON line each: the
 * recovery after a restart starts that long before the position, and those events are not run again
 * ({@link GerritStream#rememberDelivered}). Both are written to a temporary file and moved over the
 * old one. A queue file that cannot be restored is moved aside ({@code .unreadable-<millis>}) and the
 * queue starts empty; a position file that cannot be read means live events only. Both are logged.
 *
 * <p>Test as merge: with the merger on ({@link PipelineSettings#mergerOn}) and a {@link MergerHome},
 * the server builds a {@link GitMerger} of its own in {@code cacheDir/<server name>}, fetching from
 * this server (over SSH with its user, pinned host key and key credential, or over HTTP with its
 * REST URL and credential), and hands it to the scheduler: builds then test the merge, with
 * {@code ZUUL_URL} the served repositories' base URL plus {@code /<server name>}. The merger is
 * closed with the server; {@link #merger} is for serving and pruning it.
 *
 * <p>The Jenkins plugin makes one per configured server and gives it the Jenkins side as
 * {@link Ports}. Thread-safe: events, build ends and saves may come from any threads (the stream
 * hands its lines in from its one reader thread).
 */
public final class PipelineServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PipelineServer.class.getName());
    /** Shown as {@code zuul_version} in the status JSON. */
    public static final String VERSION = "tollgate";
    /** How often the stream's silence watchdog looks (its time-out is 30 minutes). */
    static final Duration WATCHDOG_PERIOD = Duration.ofMinutes(1);
    /**
     * At most this many handled events are kept for the position file, none longer than
     * MAX_HANDLED_LINE characters: such an event would run again after a restart rather than fill the file.
     */
    private static final int MAX_HANDLED_KEPT = 1000;
    private static final int MAX_HANDLED_LINE = 64 * 1024;

    /**
     * The Jenkins side of a server.
     *
     * @param launcher        starts and cancels builds
     * @param sshCredentials  the stream's key, looked up at each connect (null when events come from elsewhere)
     * @param restUrl         Gerrit's web URL for reviews and event recovery (may be null: no reviews then)
     * @param httpCredentials the REST credentials, looked up at each request
     * @param builds          what became of the builds open when the queue was saved
     * @param stateFile       where the queue is saved; a {@code .stream} file beside it keeps the stream's position
     */
    public record Ports(JobLauncher launcher, Supplier<SshKeyCredentials> sshCredentials, String restUrl,
                        Supplier<HttpCredentials> httpCredentials, BuildLookup builds, Path stateFile) {
        public Ports {
            Objects.requireNonNull(launcher, "launcher");
            Objects.requireNonNull(builds, "builds");
            Objects.requireNonNull(stateFile, "stateFile");
        }
    }

    /**
     * Where a server's merger lives and how agents reach what it serves; given by the host (the
     * Jenkins plugin).
     *
     * @param defaultCacheDir the merger's cache when the settings name none (each server in a
     *                        directory of its name below it)
     * @param servedUrl       the base URL the served repositories are reached at when the settings
     *                        give no {@code zuulUrl} (the git daemon's, or Jenkins' smart-HTTP URL);
     *                        the server's name is appended
     * @param gitSource       fetch from this directory of repositories instead of Gerrit (tools and
     *                        tests); null: from the server
     */
    public record MergerHome(Path defaultCacheDir, String servedUrl, Path gitSource) {
        public MergerHome {
            Objects.requireNonNull(defaultCacheDir, "defaultCacheDir");
        }
    }

    private final GerritServerConfig config;
    private final Ports ports;
    /** Null: no merger; else what it was built from (a change of it restarts the server). */
    private final MergerConfig mergerConfig;
    private final MergerHome mergerHome;
    private final GitMerger merger;
    private final ExecutorService mergerThreads;
    private final Clock clock;
    private final PipelineMetrics metrics = new PipelineMetrics();
    private final CommentOnlySwitch poster;
    private final Scheduler scheduler;
    private final EventParser parser = new EventParser();
    private final GerritRest rest;
    private final Object saveLock = new Object();
    private final GerritEventSink observer;
    private final Duration watchdogPeriod;
    private volatile GerritStream stream;
    /** Guarded by saveLock. */
    private long savedRevision = Long.MIN_VALUE;
    /** Guarded by saveLock: the position in the position file (null: none written or read). */
    private Instant savedPosition;
    /**
     * The events the scheduler took from the stream in the last {@link #handledWindow} seconds before
     * the newest, oldest first; guarded by itself. What the position file lists after the position.
     */
    private final Deque<Handled> handled = new ArrayDeque<>();
    /** The newest eventCreatedOn handled from the stream (epoch seconds), -1 before any; guarded by handled. */
    private long newestHandled = -1;
    private volatile long handledWindow = Duration.ofSeconds(5).toSeconds();

    private record Handled(long createdOn, String line) { }

    public PipelineServer(GerritServerConfig config, PipelineSettings settings, Ports ports) {
        this(config, settings, ports, Clock.systemUTC());
    }

    public PipelineServer(GerritServerConfig config, PipelineSettings settings, Ports ports, Clock clock) {
        this(config, settings, ports, clock, null, WATCHDOG_PERIOD);
    }

    /**
     * For tests: {@code observer} hears each stream line once the scheduler has taken it, and the
     * stream's connects and disconnects; {@code watchdogPeriod} is how often the silence watchdog looks.
     */
    PipelineServer(GerritServerConfig config, PipelineSettings settings, Ports ports, Clock clock,
                   GerritEventSink observer, Duration watchdogPeriod) {
        this(config, settings, ports, clock, observer, watchdogPeriod, null, null, null);
    }

    /**
     * A server that builds its merger when the settings turn it on.
     *
     * @throws IllegalStateException the merger cannot be made (its directory, an unreadable key, no
     *                               credentials): the server does not start rather than test the
     *                               patchsets alone
     */
    public PipelineServer(GerritServerConfig config, PipelineSettings settings, Ports ports, Clock clock,
                          MergerHome mergerHome) {
        this(config, settings, ports, clock, null, WATCHDOG_PERIOD, null, null, mergerHome);
    }

    /**
     * A shadow of the server, for running a layout next to another CI without acting
     * ({@code tollgate watch}): the same stream, watchdog, recovery and scheduler, but reviews go to
     * {@code reviews} instead of Gerrit (the REST URL then serves the event recovery only; the
     * comment-only switch still applies before them), {@code decisions} hears every scheduler
     * decision besides the metrics, and {@code observer} hears each stream line once the scheduler
     * has taken it, and the stream's connects and disconnects. The launcher in {@code ports} decides
     * what a build is.
     */
    public static PipelineServer shadow(GerritServerConfig config, PipelineSettings settings, Ports ports, Clock clock,
                                        ReviewPoster reviews, SchedulerListener decisions, GerritEventSink observer) {
        return new PipelineServer(config, settings, ports, clock, observer, WATCHDOG_PERIOD,
                Objects.requireNonNull(reviews, "reviews"), Objects.requireNonNull(decisions, "decisions"), null);
    }

    /** For tests: a server with a merger and a stream observer. */
    static PipelineServer withMerger(GerritServerConfig config, PipelineSettings settings, Ports ports, Clock clock,
                                     GerritEventSink observer, MergerHome home) {
        return new PipelineServer(config, settings, ports, clock, observer, WATCHDOG_PERIOD, null, null,
                Objects.requireNonNull(home, "home"));
    }

    private PipelineServer(GerritServerConfig config, PipelineSettings settings, Ports ports, Clock clock,
                           GerritEventSink observer, Duration watchdogPeriod, ReviewPoster reviews,
                           SchedulerListener decisions, MergerHome mergerHome) {
        this.config = Objects.requireNonNull(config, "config");
        this.ports = Objects.requireNonNull(ports, "ports");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.observer = observer != null ? observer : line -> { };
        this.watchdogPeriod = Objects.requireNonNull(watchdogPeriod, "watchdogPeriod");
        this.rest = ports.restUrl() == null ? null : new GerritRest(URI.create(ports.restUrl()), ports.httpCredentials());
        // a shadow's reviews go to its own poster; the REST URL then only serves the recovery
        ReviewPoster base = reviews != null ? reviews : rest != null ? new RestReviewPoster(rest) : review -> {
            throw new ReviewPoster.ReviewException("Gerrit server " + config.name() + " has no REST URL to post reviews to");
        };
        this.poster = new CommentOnlySwitch(base, settings.commentOnly());
        String gitUrl = config.gitUrl() != null ? config.gitUrl() : ports.restUrl();
        this.mergerHome = mergerHome;
        if (mergerHome != null && settings.mergerOn()) {
            this.mergerConfig = settings.merger();
            String name = config.name();
            this.mergerThreads = Executors.newFixedThreadPool(2, r -> {
                Thread t = new Thread(r, "Tollgate merger " + name);
                t.setDaemon(true);
                return t;
            });
            try {
                this.merger = new GitMerger(mergerSettings(config, mergerConfig, mergerHome, ports), clock, mergerThreads);
            } catch (IOException | RuntimeException e) {
                mergerThreads.shutdownNow();
                // the message names the setting, never a secret
                throw new IllegalStateException("Gerrit server " + name + ": the merger cannot start: " + e.getMessage(), e);
            }
            String served = mergerConfig.zuulUrl() != null && !mergerConfig.zuulUrl().isBlank() ? mergerConfig.zuulUrl()
                    : mergerHome.servedUrl();
            gitUrl = served == null ? null : served.replaceAll("/+$", "") + "/" + name;
        } else {
            this.mergerConfig = null;
            this.merger = null;
            this.mergerThreads = null;
        }
        this.scheduler = Scheduler.builder(settings.layout())
                .merger(merger)
                .launcher(metrics.counting(ports.launcher()))
                .reviewPoster(metrics.counting(poster))
                .settings(new LaunchSettings(gitUrl, config.name(), config.host(), Integer.toString(config.sshPort()),
                        "ssh"))
                .listener(decisions == null ? metrics : new BothListeners(metrics, decisions))
                .clock(clock)
                .build();
    }

    public String name() {
        return config.name();
    }

    /**
     * The merger's settings for this server: its cache below the configured (or default) directory,
     * fetching the way the settings say with this server's own host key and credentials.
     */
    static MergerSettings mergerSettings(GerritServerConfig config, MergerConfig m, MergerHome home, Ports ports)
            throws IOException {
        Path root = m.cacheDir() != null && !m.cacheDir().isBlank() ? Path.of(m.cacheDir()) : home.defaultCacheDir();
        Path dir = root.resolve(config.name());
        MergerSettings base;
        if (home.gitSource() != null) {
            base = MergerSettings.local(dir, home.gitSource());
        } else if (m.fetchesOverSsh()) {
            SshKeyCredentials key = ports.sshCredentials() == null ? null : ports.sshCredentials().get();
            if (key == null) {
                throw new IOException("no SSH key credential to fetch with (credentialsId)");
            }
            String user = config.username() != null ? config.username() : key.username();
            base = new MergerSettings(dir, "ssh://" + user + "@" + config.host() + ":" + config.sshPort(),
                    key.privateKey(), config.hostKey(), null, null, null, null, null, 0);
        } else {
            if (ports.restUrl() == null) {
                throw new IOException("no REST URL to fetch from (restUrl)");
            }
            HttpCredentials http = ports.httpCredentials() == null ? null : ports.httpCredentials().get();
            String url = ports.restUrl().replaceAll("/+$", "") + (http == null ? "" : "/a");
            base = new MergerSettings(dir, url, null, null, null, null, null, null, null, 0);
            if (http != null) {
                base = base.withHttp(http.username(), http.password());
            }
        }
        return new MergerSettings(base.cacheDir(), base.gerritGitUrl(), base.sshPrivateKey(), base.sshHostKeys(),
                base.httpUser(), base.httpPassword(), m.committerName(), m.committerEmail(),
                Duration.ofHours(m.zuulRefMaxAgeHours()), (long) m.maxCacheGigabytes() << 30);
    }

    /** This server's merger, or null when builds test the patchset alone. */
    public GitMerger merger() {
        return merger;
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    /**
     * Restores the saved queue, then (for an own stream) connects, recovering events since the saved
     * position, and starts the stream's silence watchdog.
     */
    public void start() {
        restoreQueue();
        StreamPosition from = readPosition();
        if (!config.viaGerritTrigger()) {
            GerritSshConfig ssh = GerritSshConfig.of(config.host(), config.sshPort(), config.hostKey())
                    .withResumeFrom(from == null ? null : from.position());
            handledWindow = ssh.recoverySlack().toSeconds();
            EventRecovery recovery = rest == null ? null
                    : new GerritRestRecovery(rest, ports.restUrl(), ZoneOffset.UTC);
            GerritStream s = new GerritStream(ssh, ports.sshCredentials(), new GerritEventSink() {
                @Override
                public void accept(String line) {
                    acceptLine(line);
                }

                @Override
                public void connected() {
                    observer.connected();
                }

                @Override
                public void disconnected(String reason) {
                    observer.disconnected(reason);
                }
            }, recovery, clock, Sleeper.REAL, null);
            if (from != null) {
                s.rememberDelivered(from.handled());
                synchronized (handled) {
                    for (String line : from.handled()) {
                        JsonNode n = GerritStream.parse(line);
                        if (n != null) {
                            keep(n.path("eventCreatedOn").asLong(0), line);
                        }
                    }
                }
            }
            stream = s;
            s.start();
            // the stream's watchdog is driven from outside; without it a connection that is up but
            // silent (Gerrit's side of stream-events stuck) would never be dropped and recovered
            s.startWatchdogTimer(watchdogPeriod);
        }
    }

    /** The same server, reached the same way: a reconfiguration keeps it running. */
    public boolean sameConnection(GerritServerConfig other) {
        return config.equals(other);
    }

    /**
     * The same server with the same merger (or none): a reconfiguration keeps it running. A merger
     * switched on, off or changed restarts the server from its saved queue, as the scheduler holds it.
     */
    public boolean sameConnection(GerritServerConfig other, PipelineSettings settings, MergerHome home) {
        MergerConfig wanted = home != null && settings.mergerOn() ? settings.merger() : null;
        return config.equals(other) && Objects.equals(mergerConfig, wanted)
                && (wanted == null || Objects.equals(mergerHome, home));
    }

    /** New pipelines and switches; queued items keep the pipeline they were enqueued with. */
    public void reconfigure(PipelineSettings settings) {
        scheduler.reconfigure(settings.layout());
        poster.commentOnly = settings.commentOnly();
    }

    /** Does this server take the events of that Gerrit Trigger plugin server? */
    public boolean takesEventsOf(String gerritTriggerServer) {
        return config.viaGerritTrigger() && config.gerritTriggerServer().equals(gerritTriggerServer);
    }

    /** An event from another source (the Gerrit Trigger plugin's connection). */
    public void accept(GerritEvent event) {
        long before = scheduler.revision();
        scheduler.onEvent(event);
        saveIfEnqueued(before);
    }

    /**
     * An event that changed the queue is saved at once, with the stream position: after a crash,
     * recovery then never replays an event whose item the saved queue lacks (which would launch its
     * builds a second time). Events that change nothing wait for the periodic save.
     */
    private void saveIfEnqueued(long revisionBefore) {
        if (scheduler.revision() != revisionBefore) {
            saveIfChanged();
        }
    }

    private void acceptLine(String line) {
        GerritEvent event;
        try {
            event = parser.parse(line);
        } catch (EventParseException e) {
            LOG.warning("Gerrit server " + config.name() + " sent an event that cannot be read: " + e.getMessage());
            observer.accept(line);
            return;
        }
        long before = scheduler.revision();
        scheduler.onEvent(event);
        // kept only once the scheduler has taken it, so a save that lists it has its effect too
        synchronized (handled) {
            keep(event.eventCreatedOn(), line);
        }
        saveIfEnqueued(before);
        observer.accept(line);
    }

    /** Keeps a handled event for the position file, and drops those older than the window. Under handled. */
    private void keep(long createdOn, String line) {
        if (createdOn <= 0) {
            return; // no time: no position to give, nothing a recovery by time could bring back
        }
        newestHandled = Math.max(newestHandled, createdOn);
        if (line.length() <= MAX_HANDLED_LINE) { // a huge event run twice beats a huge file
            handled.addLast(new Handled(createdOn, line));
        }
        long oldest = newestHandled - handledWindow;
        handled.removeIf(h -> h.createdOn() < oldest);
        while (handled.size() > MAX_HANDLED_KEPT) {
            handled.removeFirst();
        }
    }

    /** Zuul v2's status.json for this server's pipelines. */
    public String statusJson() {
        return new StatusJson(clock, VERSION).render(scheduler.status());
    }

    /** Queue sizes, launches, reports and the stream's state. */
    public MetricsSnapshot metrics() {
        GerritStream s = stream;
        return metrics.snapshot(scheduler.status(), s == null ? null : s.metrics());
    }

    /** The stream's state, or null when events come from elsewhere. */
    public StreamMetrics streamMetrics() {
        GerritStream s = stream;
        return s == null ? null : s.metrics();
    }

    /**
     * Saves the queue if it changed since the last save (its {@link Scheduler#revision()}), and the
     * stream's position if it moved: each to a temporary file, then moved over the old one.
     */
    public void saveIfChanged() {
        synchronized (saveLock) {
            long revision = scheduler.revision();
            // read before the snapshot: every event listed has its effect in the snapshot
            Instant position;
            List<String> lines = new ArrayList<>();
            synchronized (handled) {
                position = newestHandled < 0 ? null : Instant.ofEpochSecond(newestHandled);
                handled.forEach(h -> lines.add(h.line()));
            }
            boolean positionMoved = position != null && !position.equals(savedPosition);
            if (revision == savedRevision && !positionMoved) {
                return;
            }
            SchedulerState state = scheduler.snapshot();
            try {
                writeAtomically(ports.stateFile(), w -> SchedulerStateCodec.write(state, w));
                savedRevision = state.revision();
                if (positionMoved) {
                    writeAtomically(positionFile(), w -> {
                        w.write(position.toString());
                        w.write('\n');
                        for (String line : lines) {
                            w.write(line);
                            w.write('\n');
                        }
                    });
                    savedPosition = position;
                }
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot save the queue of Gerrit server " + config.name() + " to "
                        + ports.stateFile(), e);
            }
        }
    }

    private interface Content {
        void writeTo(Writer w) throws IOException;
    }

    /** A reader never sees a half-written file, and a crash while writing leaves the old one. */
    private static void writeAtomically(Path file, Content content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            content.writeTo(w);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private Path positionFile() {
        return ports.stateFile().resolveSibling(ports.stateFile().getFileName() + ".stream");
    }

    /**
     * Restores the saved queue; a file that cannot be restored (unreadable, damaged, or naming what
     * this engine does not have) is kept aside under a new name and the queue starts empty.
     */
    private void restoreQueue() {
        Path file = ports.stateFile();
        if (Files.exists(file)) {
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                SchedulerState state = SchedulerStateCodec.read(r);
                scheduler.restore(state, ports.builds());
                synchronized (saveLock) {
                    // what is in the file; what the restore did since (a build that ended while
                    // Jenkins was down, reported) is newer and is saved by the next save
                    savedRevision = state.revision();
                }
                LOG.info("Gerrit server " + config.name() + ": restored " + state.items().size() + " queue item(s)");
            } catch (IOException | SchedulerStateException | IllegalArgumentException e) {
                // IllegalArgumentException: the scheduler refused the state as a whole (a pipeline
                // manager it does not have) and changed nothing
                Path aside = file.resolveSibling(file.getFileName() + ".unreadable-" + clock.millis());
                LOG.log(Level.SEVERE, "Gerrit server " + config.name() + ": cannot restore the saved queue from " + file
                        + " (" + e.getMessage() + "); it is kept as " + aside + " and the queue starts empty");
                try {
                    Files.move(file, aside);
                } catch (IOException moveFailed) {
                    LOG.log(Level.WARNING, "cannot move " + file + " aside", moveFailed);
                }
            }
        }
    }

    /** The saved position and the events handled just before it. */
    private record StreamPosition(Instant position, List<String> handled) { }

    /** The saved stream position, or null (none saved, or unreadable: live events only). */
    private StreamPosition readPosition() {
        Path file = positionFile();
        if (!Files.exists(file)) {
            return null;
        }
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.isEmpty()) {
                throw new IOException("the file is empty");
            }
            Instant at = Instant.parse(lines.get(0).strip());
            synchronized (saveLock) {
                savedPosition = at;
            }
            return new StreamPosition(at, List.copyOf(lines.subList(1, lines.size())));
        } catch (IOException | DateTimeParseException e) {
            LOG.warning("Gerrit server " + config.name() + ": unreadable stream position in " + file
                    + ", starting with live events only: " + e.getMessage());
            return null;
        }
    }

    /** Stops the stream and saves the queue; builds keep running and re-attach at the next start. */
    @Override
    public void close() {
        GerritStream s = stream;
        if (s != null) {
            s.close();
        }
        saveIfChanged();
        if (merger != null) {
            mergerThreads.shutdownNow(); // a merge cut short is asked again after the restart
            merger.close();
        }
    }

    /** The metrics first, then a shadow's listener; each call goes to both. */
    private record BothListeners(SchedulerListener first, SchedulerListener second) implements SchedulerListener {
        @Override
        public void accepted(String pipeline, GerritEvent event) {
            first.accepted(pipeline, event);
            second.accepted(pipeline, event);
        }

        @Override
        public void enqueued(ItemView item) {
            first.enqueued(item);
            second.enqueued(item);
        }

        @Override
        public void dequeued(ItemView item, String reason) {
            first.dequeued(item, reason);
            second.dequeued(item, reason);
        }

        @Override
        public void relaunched(ItemView item, String job, int attempt, String reason) {
            first.relaunched(item, job, attempt, reason);
            second.relaunched(item, job, attempt, reason);
        }

        @Override
        public void buildEnded(ItemView item, String job, String buildId, BuildResult result) {
            first.buildEnded(item, job, buildId, result);
            second.buildEnded(item, job, buildId, result);
        }

        @Override
        public void reporting(ItemView item, String action, Review review) {
            first.reporting(item, action, review);
            second.reporting(item, action, review);
        }

        @Override
        public void completed(ItemView item, String action) {
            first.completed(item, action);
            second.completed(item, action);
        }
    }

    /** The comment-only switch, flipped by a reconfiguration without rebuilding the scheduler. */
    private static final class CommentOnlySwitch implements ReviewPoster {
        private final ReviewPoster poster;
        volatile boolean commentOnly;

        CommentOnlySwitch(ReviewPoster poster, boolean commentOnly) {
            this.poster = poster;
            this.commentOnly = commentOnly;
        }

        @Override
        public void post(Review review) throws ReviewException {
            poster.post(commentOnly ? CommentOnlyPoster.withoutVotes(review) : review);
        }

        /** A restored item's review: the REST poster looks for it on the change first. */
        @Override
        public boolean postIfAbsent(Review review) throws ReviewException {
            return poster.postIfAbsent(commentOnly ? CommentOnlyPoster.withoutVotes(review) : review);
        }
    }
}
