package dev.tollgate.gearman;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A build system for tests: builds start and finish when the test says so (or at once). */
final class FakeLauncher implements BuildLauncher {
    final class Build {
        final BuildRequest request;
        final BuildListener listener;
        volatile int number;

        Build(BuildRequest request, BuildListener listener) {
            this.request = request;
            this.listener = listener;
        }

        Build start() {
            number = numbers.incrementAndGet();
            running.put(request.executorId() + "/" + number, this);
            listener.started(number, "https://jenkins.example/job/" + request.jobName() + "/" + number + "/",
                    Duration.ofSeconds(90));
            return this;
        }

        void finish(String result) {
            running.remove(request.executorId() + "/" + number);
            busy.remove(request.executorId());
            listener.completed(result);
        }
    }

    final BlockingQueue<Build> started = new LinkedBlockingQueue<>();
    final List<Build> all = new CopyOnWriteArrayList<>();
    final Set<String> unknownJobs = ConcurrentHashMap.newKeySet();
    final Map<String, Build> running = new ConcurrentHashMap<>();
    final Set<String> busy = ConcurrentHashMap.newKeySet();
    final Map<BuildRef, String> descriptions = new ConcurrentHashMap<>();
    final List<BuildRef> aborts = new CopyOnWriteArrayList<>();
    final AtomicInteger numbers = new AtomicInteger();
    final AtomicInteger doubleBookings = new AtomicInteger();
    /** When true a build starts and finishes SUCCESS inside start(): the "instant build". */
    volatile boolean instant;
    volatile boolean autoStart;

    @Override
    public void start(BuildRequest request, BuildListener listener) throws BuildNotStartedException {
        if (unknownJobs.contains(request.jobName())) {
            throw new BuildNotStartedException("no job named " + request.jobName());
        }
        if (!busy.add(request.executorId())) {
            doubleBookings.incrementAndGet();
        }
        Build b = new Build(request, listener);
        all.add(b);
        if (instant) {
            b.start();
            b.finish("SUCCESS");
            started.add(b);
            return;
        }
        if (autoStart) {
            b.start();
        }
        started.add(b);
    }

    /** The next build handed to us, waiting at most 10 s; started unless autoStart already did. */
    Build next() throws InterruptedException {
        Build b = started.poll(10, TimeUnit.SECONDS);
        if (b == null) {
            throw new AssertionError("no build was started within 10 s");
        }
        if (b.number == 0) {
            b.start();
        }
        return b;
    }

    @Override
    public boolean abort(BuildRef ref) {
        aborts.add(ref);
        for (Build b : running.values()) {
            if (b.request.jobName().equals(ref.jobName()) && b.number == ref.number()) {
                b.finish("ABORTED");
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean setDescription(BuildRef ref, String html) {
        for (Build b : all) {
            if (b.request.jobName().equals(ref.jobName()) && b.number == ref.number()) {
                descriptions.put(ref, html);
                return true;
            }
        }
        return false;
    }
}
