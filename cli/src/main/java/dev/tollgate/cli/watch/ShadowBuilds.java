package dev.tollgate.cli.watch;

import dev.tollgate.common.BuildResult;
import dev.tollgate.pipeline.port.JobLauncher;
import dev.tollgate.pipeline.port.LaunchRequest;
import dev.tollgate.pipeline.scheduler.Scheduler;
import dev.tollgate.pipeline.simulate.Outcomes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The shadow's job launcher: it starts nothing. A launched build is only remembered; with
 * {@link Outcomes#HOLD} (the default) it stays running until the scheduler cancels it (a new
 * patchset, an abandon), so the queue shows what would be running. With another outcome
 * ({@code --assume}) {@link #endLaunched} ends every remembered build that way once the event that
 * launched it has been handled, in launch order, as {@code simulate} does: the reports that would
 * follow can be seen at once.
 *
 * <p>Thread-safe: the scheduler launches on the stream's thread, which also calls
 * {@link #endLaunched}; the lock only guards the list.
 */
final class ShadowBuilds implements JobLauncher {
    private final Outcomes outcomes;
    private final Deque<LaunchRequest> running = new ArrayDeque<>();
    private final AtomicLong launched = new AtomicLong();

    ShadowBuilds(String assume) {
        this.outcomes = Outcomes.all(assume);
    }

    @Override
    public void launch(LaunchRequest request) {
        launched.incrementAndGet();
        synchronized (running) {
            running.add(request);
        }
    }

    @Override
    public void cancel(String buildId) {
        synchronized (running) {
            running.removeIf(r -> r.buildId().equals(buildId));
        }
    }

    /** Ends the remembered builds as {@code --assume} says; a relaunch joins the end of the line. */
    void endLaunched(Scheduler scheduler) {
        Deque<LaunchRequest> held = new ArrayDeque<>();
        while (true) {
            LaunchRequest r;
            synchronized (running) {
                r = running.poll();
            }
            if (r == null) {
                break;
            }
            String o = outcomes.outcome(r.job(), r.attempt());
            if (o.equals(Outcomes.HOLD)) {
                held.add(r);
            } else if (o.equals(Outcomes.NONE)) {
                scheduler.onJobEndedWithoutResult(r.buildId(), "shadow build: assumed to end without a result");
            } else {
                scheduler.onJobCompleted(r.buildId(), BuildResult.valueOf(o), null);
            }
        }
        synchronized (running) {
            running.addAll(held);
        }
    }

    long launched() {
        return launched.get();
    }

    int running() {
        synchronized (running) {
            return running.size();
        }
    }
}
