package dev.tollgate.pipeline.gerrit;

import dev.tollgate.common.Sleeper;
import dev.tollgate.pipeline.event.EventParseException;
import dev.tollgate.pipeline.event.EventParser;
import dev.tollgate.pipeline.event.GerritEvent;
import dev.tollgate.pipeline.layout.GerritServerConfig;
import dev.tollgate.pipeline.layout.PipelineSettings;
import dev.tollgate.pipeline.port.BuildLookup;
import dev.tollgate.pipeline.port.JobLauncher;
import dev.tollgate.pipeline.port.Review;
import dev.tollgate.pipeline.port.ReviewPoster;
import dev.tollgate.pipeline.reporter.CommentOnlyPoster;
import dev.tollgate.pipeline.scheduler.LaunchSettings;
import dev.tollgate.pipeline.scheduler.Scheduler;
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
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Objects;
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
 * <p>The Jenkins plugin makes one per configured server and gives it the Jenkins side as
 * {@link Ports}. Thread-safe: events, build ends and saves may come from any threads.
 */
public final class PipelineServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PipelineServer.class.getName());
    /** Shown as {@code zuul_version} in the status JSON. */
    public static final String VERSION = "tollgate";

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

    private final GerritServerConfig config;
    private final Ports ports;
    private final Clock clock;
    private final PipelineMetrics metrics = new PipelineMetrics();
    private final CommentOnlySwitch poster;
    private final Scheduler scheduler;
    private final EventParser parser = new EventParser();
    private final GerritRest rest;
    private final Object saveLock = new Object();
    private volatile GerritStream stream;
    /** Guarded by saveLock. */
    private long savedRevision = Long.MIN_VALUE;

    public PipelineServer(GerritServerConfig config, PipelineSettings settings, Ports ports) {
        this(config, settings, ports, Clock.systemUTC());
    }

    public PipelineServer(GerritServerConfig config, PipelineSettings settings, Ports ports, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.ports = Objects.requireNonNull(ports, "ports");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.rest = ports.restUrl() == null ? null : new GerritRest(URI.create(ports.restUrl()), ports.httpCredentials());
        ReviewPoster base = rest != null ? new RestReviewPoster(rest) : review -> {
            throw new ReviewPoster.ReviewException("Gerrit server " + config.name() + " has no REST URL to post reviews to");
        };
        this.poster = new CommentOnlySwitch(base, settings.commentOnly());
        String gitUrl = config.gitUrl() != null ? config.gitUrl() : ports.restUrl();
        this.scheduler = Scheduler.builder(settings.layout())
                .launcher(metrics.counting(ports.launcher()))
                .reviewPoster(metrics.counting(poster))
                .settings(new LaunchSettings(gitUrl, config.name(), config.host(), Integer.toString(config.sshPort()),
                        "ssh"))
                .listener(metrics)
                .clock(clock)
                .build();
    }

    public String name() {
        return config.name();
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    /** Restores the saved queue, then (for an own stream) connects, recovering events since the saved position. */
    public void start() {
        Instant resumeFrom = restore();
        if (!config.viaGerritTrigger()) {
            GerritSshConfig ssh = GerritSshConfig.of(config.host(), config.sshPort(), config.hostKey())
                    .withResumeFrom(resumeFrom);
            EventRecovery recovery = rest == null ? null
                    : new GerritRestRecovery(rest, ports.restUrl(), ZoneOffset.UTC);
            GerritStream s = new GerritStream(ssh, ports.sshCredentials(), this::acceptLine, recovery, clock,
                    Sleeper.REAL, null);
            stream = s;
            s.start();
        }
    }

    /** The same server, reached the same way: a reconfiguration keeps it running. */
    public boolean sameConnection(GerritServerConfig other) {
        return config.equals(other);
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
        scheduler.onEvent(event);
    }

    private void acceptLine(String line) {
        try {
            scheduler.onEvent(parser.parse(line));
        } catch (EventParseException e) {
            LOG.warning("Gerrit server " + config.name() + " sent an event that cannot be read: " + e.getMessage());
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

    /** Saves the queue if it changed since the last save: to a temporary file, then moved over the old one. */
    public void saveIfChanged() {
        synchronized (saveLock) {
            long revision = scheduler.revision();
            GerritStream s = stream;
            Instant position = s == null ? null : s.status().lastEventCreatedOn();
            if (revision == savedRevision && !positionMoved(position)) {
                return;
            }
            SchedulerState state = scheduler.snapshot();
            try {
                Files.createDirectories(ports.stateFile().getParent());
                Path tmp = ports.stateFile().resolveSibling(ports.stateFile().getFileName() + ".tmp");
                try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                    SchedulerStateCodec.write(state, w);
                }
                Files.move(tmp, ports.stateFile(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                if (position != null) {
                    Files.writeString(positionFile(), position.toString() + "\n", StandardCharsets.UTF_8);
                    savedPosition = position;
                }
                savedRevision = state.revision();
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot save the queue of Gerrit server " + config.name() + " to "
                        + ports.stateFile(), e);
            }
        }
    }

    /** Guarded by saveLock. */
    private Instant savedPosition;

    private boolean positionMoved(Instant position) {
        return position != null && !position.equals(savedPosition);
    }

    private Path positionFile() {
        return ports.stateFile().resolveSibling(ports.stateFile().getFileName() + ".stream");
    }

    /**
     * Restores the saved queue (a file that cannot be read is kept aside, under a new name, and the
     * server starts with an empty queue); returns the saved stream position, or null.
     */
    private Instant restore() {
        Path file = ports.stateFile();
        if (Files.exists(file)) {
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                SchedulerState state = SchedulerStateCodec.read(r);
                scheduler.restore(state, ports.builds());
                synchronized (saveLock) {
                    savedRevision = scheduler.revision();
                }
                LOG.info("Gerrit server " + config.name() + ": restored " + state.items().size() + " queue item(s)");
            } catch (IOException | SchedulerStateException e) {
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
        try {
            if (Files.exists(positionFile())) {
                Instant at = Instant.parse(Files.readString(positionFile(), StandardCharsets.UTF_8).strip());
                synchronized (saveLock) {
                    savedPosition = at;
                }
                return at;
            }
        } catch (IOException | java.time.format.DateTimeParseException e) {
            LOG.warning("Gerrit server " + config.name() + ": unreadable stream position in " + positionFile()
                    + ", starting with live events only: " + e.getMessage());
        }
        return null;
    }

    /** Stops the stream and saves the queue; builds keep running and re-attach at the next start. */
    @Override
    public void close() {
        GerritStream s = stream;
        if (s != null) {
            s.close();
        }
        saveIfChanged();
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
    }
}
