package dev.tollgate.pipeline.scheduler;

import dev.tollgate.common.BuildResult;
import dev.tollgate.pipeline.layout.Layout;
import dev.tollgate.pipeline.port.BuildStatus;
import dev.tollgate.pipeline.port.JobLauncher;
import dev.tollgate.pipeline.port.LaunchRequest;
import dev.tollgate.pipeline.port.Review;
import dev.tollgate.pipeline.port.ReviewPoster;
import dev.tollgate.pipeline.scheduler.state.SchedulerState;
import dev.tollgate.pipeline.scheduler.state.SchedulerStateCodec;
import dev.tollgate.pipeline.scheduler.state.SchedulerStateException;
import dev.tollgate.testing.ManualClock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Jenkins and Gerrit as the engine sees them through its ports, which outlive every engine process,
 * and engine processes that die: after {@link Engine#crash()} nothing a process does reaches Jenkins
 * or Gerrit any more, as when its JVM is gone. Single-threaded tests.
 */
final class RestartWorld {
    final ManualClock clock = new ManualClock();
    /** Shared by every process, so that ids stay unique across restarts (the default ids are random). */
    final AtomicInteger ids = new AtomicInteger();
    final Jenkins jenkins = new Jenkins();
    final Gerrit gerrit = new Gerrit();
    /** Hears every point where a process may be stopped: before and after each port call, and more. */
    Consumer<String> checkpoints = point -> { };
    final List<String> relaunches = new ArrayList<>();

    /** What Jenkins holds: every build it was asked to run, and what became of it. */
    static final class Jenkins {
        final Map<String, LaunchRequest> runs = new LinkedHashMap<>();
        final Map<String, BuildStatus> status = new HashMap<>();
        final List<String> launchedTwice = new ArrayList<>();
        final List<String> cancelled = new ArrayList<>();

        void launch(LaunchRequest r) {
            if (runs.putIfAbsent(r.buildId(), r) != null) {
                launchedTwice.add(r.buildId());
            }
            status.put(r.buildId(), BuildStatus.running(null));
        }

        BuildStatus lookup(String buildId, String job) {
            if (runs.containsKey(buildId) && !runs.get(buildId).job().equals(job)) {
                throw new AssertionError(buildId + " is a build of " + runs.get(buildId).job() + ", not " + job);
            }
            return status.getOrDefault(buildId, BuildStatus.unknown());
        }

        String url(String buildId) {
            return "https://jenkins/job/" + runs.get(buildId).job() + "/" + buildId.substring(0, 7) + "/";
        }

        List<String> running() {
            List<String> out = new ArrayList<>();
            runs.keySet().forEach(id -> {
                if (status.get(id) instanceof BuildStatus.Running) {
                    out.add(id);
                }
            });
            return out;
        }

        /** The runs of one job, in launch order. */
        List<LaunchRequest> runsOf(String job) {
            return runs.values().stream().filter(r -> r.job().equals(job)).toList();
        }
    }

    /** What Gerrit holds: the reviews on its changes, each with its key in the tag. */
    static final class Gerrit {
        final List<Review> posted = new ArrayList<>();
        final List<String> postedTwice = new ArrayList<>();
        int lookedFirst;

        void post(Review r) {
            if (has(r.key())) {
                postedTwice.add(r.key());
            }
            posted.add(r);
        }

        boolean has(String key) {
            return posted.stream().anyMatch(p -> p.key().equals(key));
        }

        List<String> keys() {
            return posted.stream().map(Review::key).toList();
        }
    }

    /** One engine process: a Scheduler and its ports. */
    final class Engine {
        private boolean alive = true;
        final Scheduler scheduler;

        Engine(Layout layout) {
            JobLauncher launcher = new JobLauncher() {
                @Override
                public void launch(LaunchRequest request) {
                    checkpoint("launch " + request.job() + " " + request.attempt() + " before");
                    if (alive) {
                        jenkins.launch(request);
                    }
                    checkpoint("launch " + request.job() + " " + request.attempt() + " after");
                }

                @Override
                public void cancel(String buildId) {
                    if (alive) {
                        jenkins.cancelled.add(buildId);
                        jenkins.status.put(buildId, BuildStatus.ended(BuildResult.ABORTED, null));
                    }
                }
            };
            ReviewPoster poster = new ReviewPoster() {
                @Override
                public void post(Review review) {
                    checkpoint("post " + review.key() + " before");
                    if (alive) {
                        gerrit.post(review);
                    }
                    checkpoint("post " + review.key() + " after");
                }

                @Override
                public boolean postIfAbsent(Review review) {
                    checkpoint("post-if-absent " + review.key() + " before");
                    boolean posted = false;
                    if (alive) {
                        gerrit.lookedFirst++;
                        if (!gerrit.has(review.key())) {
                            gerrit.post(review);
                            posted = true;
                        }
                    }
                    checkpoint("post-if-absent " + review.key() + " after");
                    return posted;
                }
            };
            scheduler = Scheduler.builder(layout).launcher(launcher).reviewPoster(poster).clock(clock)
                    .uuids(() -> String.format("%07d%025d", ids.incrementAndGet(), 0))
                    .listener(new SchedulerListener() {
                        @Override
                        public void enqueued(ItemView item) {
                            checkpoint("enqueued " + item.changeRef());
                        }

                        @Override
                        public void relaunched(ItemView item, String job, int attempt, String reason) {
                            relaunches.add(job + " " + attempt + ": " + reason);
                        }
                    })
                    .build();
        }

        boolean alive() {
            return alive;
        }

        void checkpoint(String point) {
            if (alive) {
                checkpoints.accept(point);
            }
        }

        /** The JVM is gone: nothing this process does reaches Jenkins or Gerrit any more. */
        void crash() {
            alive = false;
        }

        /** Jenkins starts a build it holds; this process hears of it while it lives. */
        void started(String buildId) {
            if (alive) {
                scheduler.onJobStarted(buildId, jenkins.url(buildId));
                checkpoint("started " + jenkins.runs.get(buildId).job());
            }
        }

        /** A build Jenkins holds ends; this process hears of it while it lives. */
        void ended(String buildId, BuildResult result) {
            jenkins.status.put(buildId, BuildStatus.ended(result, jenkins.url(buildId)));
            if (alive) {
                scheduler.onJobCompleted(buildId, result, jenkins.url(buildId));
                checkpoint("ended " + jenkins.runs.get(buildId).job());
            }
        }
    }

    /** The state as the plugin would save and load it: through the codec's JSON. */
    static SchedulerState saved(Scheduler s) {
        try {
            return SchedulerStateCodec.fromJson(SchedulerStateCodec.toJson(s.snapshot()));
        } catch (SchedulerStateException e) {
            throw new AssertionError("a state the engine wrote must read back: " + e.getMessage(), e);
        }
    }

    /** A new process restored from {@code state}, asking Jenkins about its builds. */
    Engine restart(Layout layout, SchedulerState state) {
        Engine e = new Engine(layout);
        e.scheduler.restore(state, jenkins::lookup);
        return e;
    }

    /** Jenkins ends every build it runs, as {@code result}, until none runs (relaunches included). */
    void drain(Engine e, BuildResult result) {
        for (List<String> running = jenkins.running(); !running.isEmpty(); running = jenkins.running()) {
            for (String id : running) {
                e.ended(id, result);
            }
        }
    }
}
