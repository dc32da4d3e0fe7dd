package dev.tollgate.gearman;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gearman.BuildRun.Target;
import dev.tollgate.gearman.protocol.Packet;
import dev.tollgate.gearman.protocol.PacketType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The {@code build:<job>[:<label>]} functions: a job assigned to an executor becomes a build in the
 * build system, and the build's start and result go back as {@code WORK_DATA}, {@code WORK_STATUS}
 * and {@code WORK_COMPLETE} (or {@code WORK_FAIL} when it cannot start). A job gearmand assigns
 * here again under the same unique id is answered from its build, never built twice.
 *
 * <p>Threading: decide under the worker's lock, call ports outside it. {@link #onAssign} runs on
 * the connection's reader thread; it settles the job under the lock (known build, refusal, new
 * run), calls {@link BuildLauncher#start} without it, then settles the outcome under it again.
 * The {@link BuildListener} callbacks come from the build system's threads and follow the same
 * rule ({@link NodeRecycler} is called between two locked steps). A port that throws, an Error
 * too (but {@link Faults#fatal}), fails that build's job and frees the executor.
 */
final class BuildFunction {
    private static final System.Logger LOG = System.getLogger(BuildFunction.class.getName());

    private final GearmanWorker engine;
    private final FunctionRegistry registry;
    private final BuildRuns runs;
    private final BuildLauncher launcher;
    private final NodeRecycler recycler;

    BuildFunction(GearmanWorker engine, FunctionRegistry registry, BuildRuns runs, BuildLauncher launcher,
            NodeRecycler recycler) {
        this.engine = engine;
        this.registry = registry;
        this.runs = runs;
        this.launcher = launcher;
        this.recycler = recycler;
    }

    /** A job assigned on an executor's connection (its GRAB already answered; the node's token still held). */
    void onAssign(ServerConnection c, Session s, String handle, String function, String unique, byte[] data) {
        ExecutorState ex = c.executor();
        BuildRun run;
        synchronized (engine.lock) {
            runs.purgeFinished(engine.now(), engine.config().resultRetention());
            BuildRun known = runs.find(function, unique);
            if (known != null) {
                // gearmand re-queued a job we already run or ran (our connection dropped, or the
                // client resubmitted after a gearmand restart): never build it twice, answer it.
                LOG.log(System.Logger.Level.INFO, "job {0} unique {1} is already {2} here; answering handle {3}"
                        + " from that build", function, unique, known.finished ? "finished" : "running", handle);
                // the new assignment is where the answer goes; dead sessions can never deliver
                known.targets.removeIf(t -> !t.session().alive());
                known.targets.add(new Target(s, handle));
                if (known.finished) {
                    sendFinal(known);
                } else if (known.number != null) {
                    sendStarted(known);
                }
                c.releaseToken();
                return;
            }
            String refusal = null;
            if (ex.current != null || ex.retired || !ex.node.availability.accepting()) {
                refusal = "executor " + ex.id + " cannot take a job now";
            } else if (!registry.desired(c).contains(function)) {
                refusal = "function " + function + " is no longer registered on " + ex.id;
            }
            if (refusal != null) {
                LOG.log(System.Logger.Level.WARNING, "refusing job {0}: {1}", handle, Faults.forPeer(refusal));
                sendFailure(s, handle, refusal);
                c.releaseToken();
                return;
            }
            Map<String, String> params;
            try {
                params = JobArguments.parameters(data);
            } catch (IllegalArgumentException bad) {
                LOG.log(System.Logger.Level.WARNING, "job {0} ({1}) has bad arguments: {2}", handle, function,
                        Faults.forPeer(bad.getMessage()));
                s.send(Packet.request(PacketType.WORK_EXCEPTION, handle,
                        Faults.forPeer("invalid job arguments: " + bad.getMessage()).getBytes(StandardCharsets.UTF_8)));
                c.releaseToken();
                return;
            }
            boolean offline = JobArguments.isTrue(params.get("OFFLINE_NODE_WHEN_COMPLETE"));
            run = new BuildRun(function, unique, FunctionRegistry.jobNameOf(function), params, ex, ex.node.spec.name(),
                    offline, engine.now());
            run.targets.add(new Target(s, handle));
            ex.current = run;
            if (offline) {
                // a single-use node: nothing else may start on it, on any executor
                ex.node.availability.setAccepting(false);
            }
            runs.add(run);
        }
        BuildRequest request = new BuildRequest(run.jobName, run.parameters, unique, run.nodeName, ex.id,
                run.offlineWhenComplete);
        String failure = null;
        try {
            launcher.start(request, new RunListener(run));
        } catch (BuildNotStartedException e) {
            failure = e.getMessage();
        } catch (RuntimeException | Error e) {
            if (Faults.fatal(e)) {
                throw e;
            }
            failure = "build system error: " + e;
            LOG.log(System.Logger.Level.ERROR, "launcher failed for " + request, e);
        }
        boolean abortNow = false;
        synchronized (engine.lock) {
            if (failure != null) {
                runs.forget(run);
                if (ex.current == run) {
                    ex.current = null;
                }
                if (run.offlineWhenComplete && !ex.node.runsSingleUseBuild()) {
                    ex.node.availability.setAccepting(true);
                }
                for (Target t : run.targets) {
                    sendFailure(t.session(), t.handle(), failure);
                }
            } else {
                run.queued = true;
                abortNow = run.abortRequested && run.number != null;
            }
            c.releaseToken();
        }
        if (abortNow) {
            abort(new BuildRef(run.jobName, run.number));
        }
    }

    /** An abort the worker decided on by itself (a stop that came before the build started). */
    private void abort(BuildRef ref) {
        try {
            launcher.abort(ref);
        } catch (RuntimeException | Error e) {
            if (Faults.fatal(e)) {
                throw e;
            }
            LOG.log(System.Logger.Level.ERROR, "aborting " + ref + " failed", e);
        }
    }

    /** The build system's callbacks for one build. */
    private final class RunListener implements BuildListener {
        private final BuildRun run;

        RunListener(BuildRun run) {
            this.run = run;
        }

        @Override
        public void started(int number, String url, Duration estimatedDuration) {
            boolean abort;
            synchronized (engine.lock) {
                if (run.finished) {
                    return;
                }
                run.number = number;
                run.url = url;
                run.estimate = estimatedDuration == null ? Duration.ZERO : estimatedDuration;
                sendStarted(run);
                abort = run.abortRequested && run.queued;
            }
            if (abort) {
                abort(new BuildRef(run.jobName, number));
            }
        }

        @Override
        public void completed(String result) {
            synchronized (engine.lock) {
                if (run.finished || run.completing) {
                    return;
                }
                run.completing = true;
            }
            if (run.offlineWhenComplete) {
                try {
                    recycler.offlineWhenComplete(run.nodeName,
                            new BuildRef(run.jobName, run.number == null ? 0 : run.number));
                } catch (RuntimeException | Error e) {
                    if (Faults.fatal(e)) {
                        throw e;
                    }
                    // the result is reported all the same: the build is over
                    LOG.log(System.Logger.Level.ERROR, "node recycling hook failed for node " + run.nodeName, e);
                }
            }
            List<ServerConnection> toClose = new ArrayList<>();
            synchronized (engine.lock) {
                run.finished = true;
                run.result = result == null ? "NOT_BUILT" : result;
                run.finishedAt = engine.now();
                sendFinal(run);
                if (!run.delivered) {
                    LOG.log(System.Logger.Level.WARNING, "result {0} of build {1} #{2} (unique {3}) could not be"
                            + " reported: its Gearman connection is gone; kept for {4} in case the job is"
                            + " assigned here again", run.result, run.jobName, run.number, run.unique,
                            engine.config().resultRetention());
                }
                ExecutorState ex = run.executor;
                if (ex.current == run) {
                    ex.current = null;
                }
                if (ex.retired) {
                    toClose.addAll(ex.connections);
                } else {
                    ex.node.kick();
                }
            }
            toClose.forEach(ServerConnection::close);
        }
    }

    /** Under the lock: start data and progress to every live assignment of the build. */
    private void sendStarted(BuildRun run) {
        long elapsed = Math.max(0, Duration.between(run.assignedAt, engine.now()).toMillis());
        byte[] data = JobArguments.bytes(buildData(run));
        for (Target t : run.targets) {
            t.session().send(Packet.request(PacketType.WORK_DATA, t.handle(), data));
            t.session().send(Packet.request(PacketType.WORK_STATUS, t.handle(), Long.toString(elapsed),
                    Long.toString(run.estimate.toMillis())));
        }
    }

    /** Under the lock: the result to every live assignment; it counts as delivered once one took it. */
    private void sendFinal(BuildRun run) {
        byte[] data = JobArguments.bytes(buildData(run));
        for (Iterator<Target> it = run.targets.iterator(); it.hasNext();) {
            Target t = it.next();
            t.session().send(Packet.request(PacketType.WORK_DATA, t.handle(), data));
            if (t.session().send(Packet.request(PacketType.WORK_COMPLETE, t.handle(), data))) {
                // handed to the socket; should the connection die now, gearmand re-queues the job
                // and the kept result answers it again
                run.delivered = true;
            }
            it.remove(); // a handle is finished once WORK_COMPLETE went out (or its session is dead)
        }
    }

    private static void sendFailure(Session s, String handle, String message) {
        ObjectNode o = JobArguments.JSON.createObjectNode();
        o.put("error", Faults.forPeer(message));
        s.send(Packet.request(PacketType.WORK_DATA, handle, JobArguments.bytes(o)));
        s.send(Packet.request(PacketType.WORK_FAIL, handle));
    }

    private ObjectNode buildData(BuildRun run) {
        ObjectNode o = JobArguments.JSON.createObjectNode();
        o.put("name", run.jobName);
        if (run.number == null) {
            o.putNull("number");
        } else {
            o.put("number", run.number);
        }
        o.put("manager", engine.config().managerName());
        o.put("worker", run.executor.id);
        if (run.url != null) {
            o.put("url", run.url);
        }
        o.put("node_name", run.executor.node.spec.name());
        run.executor.node.spec.labels().forEach(o.putArray("node_labels")::add);
        if (run.result != null) {
            o.put("result", run.result);
        }
        return o;
    }
}
