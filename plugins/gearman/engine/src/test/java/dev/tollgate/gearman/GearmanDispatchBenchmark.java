package dev.tollgate.gearman;

import dev.tollgate.common.Sleeper;
import dev.tollgate.testing.GearmandServer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Jobs per second dispatched and completed through a real gearmand by N executors with an instant
 * build, and the time from SUBMIT_JOB to the build being handed to the build system.
 *
 * <p>Closed loop: N client connections (Zuul-like) each submit a job and wait for WORK_COMPLETE
 * before submitting the next, so every executor can be busy and nothing queues up; latency is
 * then pure dispatch cost (gearmand wakes a sleeping worker with NOOP, it grabs the job).
 *
 * <p>Run: {@code scripts/bench plugins/gearman/engine dev.tollgate.gearman.GearmanDispatchBenchmark [seconds] [executors...]}
 */
public final class GearmanDispatchBenchmark {
    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3.0;
        int[] counts = args.length > 1
                ? Arrays.stream(args).skip(1).mapToInt(Integer::parseInt).toArray()
                : new int[] {1, 4, 16};
        System.out.printf("gearman dispatch benchmark, %.1f s per run, %d cores%n", seconds,
                Runtime.getRuntime().availableProcessors());
        System.out.printf("%-26s %10s %10s %12s %12s %12s%n", "layout", "executors", "jobs", "jobs/s",
                "start p50 ms", "start p99 ms");
        try (GearmandServer gearmand = GearmandServer.start()) {
            for (int n : counts) {
                run(gearmand, n, false, seconds);
                if (n > 1) {
                    run(gearmand, n, true, seconds);
                }
            }
        }
    }

    private static void run(GearmandServer gearmand, int executors, boolean oneNode, double seconds)
            throws Exception {
        String job = "bench-" + executors + (oneNode ? "-one" : "-many");
        Map<String, Long> startedAt = new ConcurrentHashMap<>();
        BuildLauncher instant = new BuildLauncher() {
            private final AtomicInteger numbers = new AtomicInteger();

            @Override
            public void start(BuildRequest r, BuildListener l) {
                startedAt.put(r.uniqueId(), System.nanoTime());
                int n = numbers.incrementAndGet();
                l.started(n, null, Duration.ZERO);
                l.completed("SUCCESS");
            }

            @Override
            public boolean abort(BuildRef b) {
                return false;
            }

            @Override
            public boolean setDescription(BuildRef b, String d) {
                return false;
            }
        };
        GearmanWorkerConfig cfg = GearmanWorkerConfig.of("bench",
                List.of(new GearmanServerAddress(gearmand.host(), gearmand.port())));
        try (GearmanWorker worker = new GearmanWorker(cfg, instant, NodeRecycler.NONE, Clock.systemUTC(),
                Sleeper.REAL, new Random())) {
            worker.setJobs(List.of(JobDefinition.anyNode(job)));
            if (oneNode) {
                worker.putNode(new NodeSpec("node", Set.of("bench"), executors));
            } else {
                for (int i = 0; i < executors; i++) {
                    worker.putNode(new NodeSpec("node-" + i, Set.of("bench"), 1));
                }
            }
            worker.start();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (true) {
                int[] s = gearmand.status().get("build:" + job);
                if (s != null && s[2] == executors) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("worker did not register");
                }
                Thread.sleep(10);
            }

            AtomicBoolean measuring = new AtomicBoolean(false);
            AtomicBoolean stop = new AtomicBoolean(false);
            List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
            AtomicInteger done = new AtomicInteger();
            CountDownLatch finished = new CountDownLatch(executors);
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < executors; c++) {
                int client = c;
                Thread t = new Thread(() -> {
                    try (ZuulLikeClient zuul = new ZuulLikeClient(gearmand.host(), gearmand.port())) {
                        for (int i = 0; !stop.get(); i++) {
                            String unique = job + "-" + client + "-" + i;
                            ZuulLikeClient.Job j = zuul.submit("build:" + job, unique,
                                    "{\"ZUUL_UUID\":\"" + unique + "\"}");
                            ZuulLikeClient.Outcome o = j.await();
                            if (o.kind() != ZuulLikeClient.Kind.COMPLETE) {
                                throw new IllegalStateException("job ended " + o.kind());
                            }
                            if (measuring.get()) {
                                latencies.add(startedAt.remove(unique) - j.submittedNanos);
                                done.incrementAndGet();
                            } else {
                                startedAt.remove(unique);
                            }
                        }
                    } catch (Exception e) {
                        e.printStackTrace();
                    } finally {
                        finished.countDown();
                    }
                });
                t.start();
                threads.add(t);
            }
            Thread.sleep(500); // warm-up: JIT and connections
            measuring.set(true);
            long t0 = System.nanoTime();
            Thread.sleep((long) (seconds * 1000));
            measuring.set(false);
            long elapsed = System.nanoTime() - t0;
            stop.set(true);
            finished.await();
            long[] l = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            System.out.printf("%-26s %10d %10d %12.0f %12.2f %12.2f%n",
                    oneNode ? "1 node x " + executors + " executors" : executors + (executors == 1 ? " node" : " nodes") + " x 1 executor",
                    executors, done.get(), done.get() / (elapsed / 1e9), pct(l, 0.50), pct(l, 0.99));
        }
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }
}
