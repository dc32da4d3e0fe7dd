package dev.tollgate.cli.watch;

import dev.tollgate.cli.casc.JcascFile;
import dev.tollgate.pipeline.gerrit.GerritConnectionCheck;
import dev.tollgate.pipeline.gerrit.GerritEventSink;
import dev.tollgate.pipeline.gerrit.GerritRest;
import dev.tollgate.pipeline.gerrit.GerritSshConfig;
import dev.tollgate.pipeline.gerrit.HttpCredentials;
import dev.tollgate.pipeline.gerrit.PipelineServer;
import dev.tollgate.pipeline.gerrit.SshKeyCredentials;
import dev.tollgate.pipeline.layout.CascConfig;
import dev.tollgate.pipeline.layout.ConfigError;
import dev.tollgate.pipeline.layout.ConfigException;
import dev.tollgate.pipeline.layout.ConfigInput;
import dev.tollgate.pipeline.layout.GerritServerConfig;
import dev.tollgate.pipeline.layout.LayoutParser;
import dev.tollgate.pipeline.layout.PipelineSettings;
import dev.tollgate.pipeline.port.BuildStatus;
import dev.tollgate.pipeline.port.Review;
import dev.tollgate.pipeline.port.ReviewPoster;
import dev.tollgate.pipeline.scheduler.ItemView;
import dev.tollgate.pipeline.scheduler.SchedulerListener;
import dev.tollgate.pipeline.simulate.DecisionLines;
import dev.tollgate.pipeline.simulate.Outcomes;
import dev.tollgate.pipeline.status.StreamMetrics;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * {@code tollgate watch}: a shadow of the suite against a live Gerrit. The Jenkins plugin's own
 * assembly ({@link PipelineServer#shadow}: the SSH event stream with its watchdog, reconnects and
 * REST recovery of missed events, the real scheduler) runs the layout, and every decision is printed
 * as {@code simulate} prints it ({@link DecisionLines}); nothing is launched, merged or posted.
 * Shadow builds ({@link ShadowBuilds}) run until cancelled unless {@code --assume} ends them at once;
 * {@code --vote-dry-run} prints each review instead of posting it.
 *
 * <p>Before the stream starts, the files are read (a bad one is one message, exit 1) and the
 * connection is checked step by step ({@link GerritConnectionCheck}: an unknown host key, a refused
 * login, an unreachable host is one message, exit 1). Then it runs until stopped: from the command
 * line by Ctrl-C or SIGTERM through a shutdown hook, in tests by {@link Stop#request()}; stopping
 * closes the stream, prints a summary line on stderr and exits 0. Decisions go to stdout, everything
 * else (connects, lost connections, recoveries, warnings) to stderr as one line each.
 *
 * <p>Threads: the caller's thread waits for the stop; decisions, reviews and the ending of shadow
 * builds happen on the stream's reader thread (and, for a restored queue, which a watch never has,
 * on the caller's).
 */
public final class WatchCommand {
    static final int OK = 0;
    static final int INVALID = 1;
    static final int USAGE = 2;

    /** The command's lines in {@code tollgate --help}. */
    public static final String USAGE_TEXT = String.join("\n",
            "  watch --layout LAYOUT --gerrit ssh://USER@HOST[:PORT] --key KEY --known-hosts FILE",
            "        [--rest-url URL --http-credentials FILE] [--assume RESULT] [--vote-dry-run]",
            "                           shadow mode: stream a live Gerrit's events through the pipeline engine",
            "                           and print simulate's decision lines; nothing is launched, merged or",
            "                           posted. Shadow builds keep running (until a new patchset or an abandon",
            "                           cancels them) unless --assume SUCCESS|FAILURE|NONE|... ends each at once;",
            "                           --vote-dry-run also prints each review it would post; --rest-url with",
            "                           a USER:PASSWORD file recovers the events missed while disconnected.",
            "                           The host key must be in --known-hosts. Ctrl-C stops it (exit 0).",
            "");

    private WatchCommand() {
    }

    /** From the command line: runs until Ctrl-C or SIGTERM. */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        return run(args, out, err, Stop.onShutdown(out, err));
    }

    /**
     * How a watch is told to stop, and how it says it has. From the command line a shutdown hook
     * requests the stop, waits (bounded) for the watch to finish and ends the JVM with the watch's
     * exit code: a JVM ended by a signal would otherwise exit with 130 or 143 whatever the watch did.
     */
    static final class Stop {
        private final CountDownLatch requested = new CountDownLatch(1);
        private final CountDownLatch finished = new CountDownLatch(1);
        private final PrintStream out;
        private final PrintStream err;
        private final boolean hook;
        private volatile int code = OK;
        private Thread installed;

        private Stop(PrintStream out, PrintStream err, boolean hook) {
            this.out = out;
            this.err = err;
            this.hook = hook;
        }

        /** For tests and embedding: stopped by {@link #request()} only. */
        Stop() {
            this(null, null, false);
        }

        static Stop onShutdown(PrintStream out, PrintStream err) {
            return new Stop(out, err, true);
        }

        void request() {
            requested.countDown();
        }

        /** Called once the stream runs: from now on a shutdown waits for the watch to stop cleanly. */
        synchronized void arm() {
            if (!hook) {
                return;
            }
            installed = new Thread(() -> {
                request();
                try {
                    if (finished.await(30, TimeUnit.SECONDS)) {
                        out.flush();
                        err.flush();
                        Runtime.getRuntime().halt(code);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "tollgate-watch-stop");
            Runtime.getRuntime().addShutdownHook(installed);
        }

        void await() throws InterruptedException {
            requested.await();
        }

        synchronized void finished(int exitCode) {
            code = exitCode;
            finished.countDown();
            if (installed != null && requested.getCount() > 0) {
                try {
                    Runtime.getRuntime().removeShutdownHook(installed);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running or about to: it halts with this code
                }
            }
        }
    }

    static int run(List<String> args, PrintStream out, PrintStream err, Stop stop) {
        if (args.size() == 1 && (args.get(0).equals("--help") || args.get(0).equals("-h"))) {
            out.print("usage: tollgate" + USAGE_TEXT.substring(1));
            return OK;
        }
        WatchOptions o;
        try {
            o = WatchOptions.parse(args);
        } catch (WatchOptions.UsageError e) {
            err.println("tollgate: " + e.getMessage());
            err.print("usage: tollgate" + USAGE_TEXT.substring(1));
            return USAGE;
        }
        PipelineSettings settings = settings(o.layout(), err);
        if (settings == null) {
            return INVALID;
        }
        StringBuilder warnings = new StringBuilder();
        String hostKeys;
        SshKeyCredentials ssh;
        HttpCredentials http = null;
        try {
            hostKeys = KnownHosts.keysFor(o.knownHosts(), o.gerritHost(), o.gerritPort());
            String passphrase = System.getenv(SecretFiles.PASSPHRASE_VARIABLE);
            ssh = new SshKeyCredentials(o.gerritUser(), SecretFiles.privateKey(o.key(), passphrase, warnings),
                    passphrase);
            if (o.httpCredentials() != null) {
                http = SecretFiles.httpCredentials(o.httpCredentials(), warnings);
            }
        } catch (SecretFiles.Unusable e) {
            warn(warnings, err);
            err.println(e.getMessage());
            return INVALID;
        }
        warn(warnings, err);
        int code = INVALID;
        try (StderrLog log = new StderrLog(err)) {
            code = new Watch(o, settings, hostKeys, ssh, http, out, err).run(stop);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("tollgate watch: interrupted");
        } finally {
            stop.finished(code);
        }
        return code;
    }

    private static void warn(StringBuilder warnings, PrintStream err) {
        for (String w : warnings.toString().split("\n")) {
            if (!w.isEmpty()) {
                err.println("tollgate watch: warning: " + w);
            }
        }
    }

    /**
     * The layout (a Zuul v2 layout, or a JCasC file: its comment-only switch counts), or null with
     * the errors printed.
     */
    private static PipelineSettings settings(Path file, PrintStream err) {
        try {
            String text = ConfigInput.read(file);
            return JcascFile.looksLikeJcasc(text) ? CascConfig.parseSettings(text, file.toString())
                    : PipelineSettings.of(LayoutParser.parse(text, file.toString()));
        } catch (ConfigException e) {
            for (ConfigError c : e.errors()) {
                err.println(c);
            }
        } catch (NoSuchFileException e) {
            err.println(file + ": no such file");
        } catch (AccessDeniedException e) {
            err.println(file + ": permission denied");
        } catch (IOException e) {
            err.println(file + ": cannot read: " + e.getMessage());
        }
        return null;
    }

    /** One run: checked connection, then the shadow server until the stop. */
    private static final class Watch {
        private final WatchOptions o;
        private final PipelineSettings settings;
        private final String hostKeys;
        private final SshKeyCredentials ssh;
        private final HttpCredentials http;
        private final PrintStream out;
        private final PrintStream err;
        private final String where;
        /** Events the scheduler has handled; the one being handled is number events + 1. */
        private final AtomicLong events = new AtomicLong();
        private final Counts counts;
        private final DecisionLines lines;

        Watch(WatchOptions o, PipelineSettings settings, String hostKeys, SshKeyCredentials ssh, HttpCredentials http,
              PrintStream out, PrintStream err) {
            this.o = o;
            this.settings = settings;
            this.hostKeys = hostKeys;
            this.ssh = ssh;
            this.http = http;
            this.out = out;
            this.err = err;
            this.where = o.gerritHost() + ":" + o.gerritPort();
            this.lines = new DecisionLines(out, () -> events.get() + 1);
            this.counts = new Counts(lines);
        }

        int run(Stop stop) throws InterruptedException {
            GerritRest rest = o.restUrl() == null ? null : new GerritRest(URI.create(o.restUrl()), () -> http);
            GerritConnectionCheck.Result check = new GerritConnectionCheck(
                    GerritSshConfig.of(o.gerritHost(), o.gerritPort(), hostKeys), () -> ssh, rest).run();
            if (!check.ok()) {
                for (GerritConnectionCheck.StepResult f : check.failures()) {
                    err.println("tollgate watch: " + f.step().title() + ": " + f.message());
                }
                return INVALID;
            }
            Path dir;
            try {
                dir = Files.createTempDirectory("tollgate-watch");
            } catch (IOException e) {
                err.println("tollgate watch: cannot create a temporary directory for the queue: " + e.getMessage());
                return INVALID;
            }
            ShadowBuilds builds = new ShadowBuilds(o.assume());
            AtomicReference<PipelineServer> server = new AtomicReference<>();
            GerritEventSink observer = new GerritEventSink() {
                @Override
                public void accept(String line) {
                    builds.endLaunched(server.get().scheduler());
                    events.incrementAndGet();
                }

                @Override
                public void connected() {
                    err.println("tollgate watch: connected to " + where + " (gerrit stream-events)");
                }

                @Override
                public void disconnected(String reason) {
                    err.println("tollgate watch: connection lost: " + reason + "; reconnecting"
                            + (rest == null ? " (events sent meanwhile are missed: no --rest-url)" : ""));
                }
            };
            // the state file lives only as long as this watch: each watch starts with an empty queue
            GerritServerConfig gerrit = new GerritServerConfig(o.gerritHost(), o.gerritHost(), o.gerritPort(),
                    o.gerritUser(), hostKeys, null, o.restUrl(), null, null, null);
            PipelineServer.Ports ports = new PipelineServer.Ports(builds, () -> ssh, o.restUrl(), () -> http,
                    (buildId, job) -> new BuildStatus.Unknown(), dir.resolve("queue.json"));
            ReviewPoster reviews = this::wouldPost;
            PipelineServer s = PipelineServer.shadow(gerrit, settings, ports, Clock.systemUTC(), reviews, counts,
                    observer);
            server.set(s);
            err.println("tollgate watch: watching " + where + " as " + o.gerritUser() + " with " + o.layout()
                    + "; decisions on stdout; nothing is launched, merged or posted; shadow builds "
                    + (o.assume().equals(Outcomes.HOLD) ? "keep running until cancelled"
                            : "end at once as " + o.assume())
                    + (o.voteDryRun() ? "; reviews printed (--vote-dry-run)" : ""));
            try {
                s.start();
                stop.arm();
                stop.await();
            } finally {
                s.close();
                delete(dir);
            }
            StreamMetrics m = s.streamMetrics();
            err.println("tollgate watch: stopped: " + events.get() + " events, " + counts.enqueued + " enqueued, "
                    + counts.dequeued + " dequeued, " + counts.reports + " reports, " + builds.launched()
                    + " shadow builds (" + builds.running() + " still running), " + counts.reviews
                    + " reviews not posted, " + (m == null ? 0 : m.reconnects()) + " reconnects");
            out.flush();
            return OK;
        }

        /** The shadow's review poster: posts nothing; with --vote-dry-run, a line saying what it would post. */
        private void wouldPost(Review review) {
            counts.reviews.incrementAndGet();
            if (!o.voteDryRun()) {
                return;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("event", events.get() + 1);
            m.put("action", "vote-dry-run");
            m.put("project", review.project());
            m.put("change", review.change());
            m.put("patchset", review.patchset());
            if (review.revision() != null) {
                m.put("revision", review.revision());
            }
            m.put("labels", new TreeMap<>(review.labels()));
            m.put("message", review.message());
            lines.print(m);
        }

        private static void delete(Path dir) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temporary directory left behind is harmless
            }
        }
    }

    /** The decision lines, counted for the summary. */
    private static final class Counts implements SchedulerListener {
        private final SchedulerListener lines;
        final AtomicLong enqueued = new AtomicLong();
        final AtomicLong dequeued = new AtomicLong();
        final AtomicLong reports = new AtomicLong();
        final AtomicLong reviews = new AtomicLong();

        Counts(SchedulerListener lines) {
            this.lines = lines;
        }

        @Override
        public void enqueued(ItemView item) {
            enqueued.incrementAndGet();
            lines.enqueued(item);
        }

        @Override
        public void dequeued(ItemView item, String reason) {
            dequeued.incrementAndGet();
            lines.dequeued(item, reason);
        }

        @Override
        public void relaunched(ItemView item, String job, int attempt, String reason) {
            lines.relaunched(item, job, attempt, reason);
        }

        @Override
        public void reporting(ItemView item, String action, Review review) {
            reports.incrementAndGet();
            lines.reporting(item, action, review);
        }
    }
}
