package dev.tollgate.gearman;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code stop:<manager>}: abort a build. Zuul v2's {@code cancelRunningBuild} sends
 * {@code {"name": job, "number": n}}; the older gearman-plugin convention of naming the build by
 * its unique id is accepted too, as {@code {"uuid": id}} / {@code {"ZUUL_UUID": id}} or as the stop
 * job's own unique id. A build that is queued but not started is aborted as soon as it starts.
 *
 * <p>Threading: decide under the worker's lock (which build, or mark it for abort), call
 * {@link BuildLauncher#abort} outside it.
 */
final class StopFunction implements ManagementFunction {
    private final String name;
    private final Object lock;
    private final BuildRuns runs;
    private final BuildLauncher launcher;

    StopFunction(String managerName, Object lock, BuildRuns runs, BuildLauncher launcher) {
        this.name = "stop:" + managerName;
        this.lock = lock;
        this.runs = runs;
        this.launcher = launcher;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String answer(String stopUnique, byte[] data) {
        JsonNode req = JobArguments.object(data);
        String job = JobArguments.text(req, "name");
        Integer number = JobArguments.number(req.get("number"));
        BuildRef ref;
        if (job != null && number != null) {
            ref = new BuildRef(job, number);
        } else {
            String uuid = JobArguments.text(req, "uuid") != null ? JobArguments.text(req, "uuid")
                    : JobArguments.text(req, "ZUUL_UUID");
            String id = uuid != null ? uuid : stopUnique;
            if (id.isEmpty()) {
                throw new IllegalArgumentException("stop needs {\"name\", \"number\"} or the build's unique id");
            }
            synchronized (lock) {
                BuildRun run = runs.running(id);
                if (run == null) {
                    return ManagementFunction.reply(false, "no running build has unique id " + id);
                }
                if (run.number == null) {
                    // queued but not started: abort as soon as the build system reports it running
                    run.abortRequested = true;
                    return ManagementFunction.reply(true, "abort requested for " + run.jobName + " unique " + id);
                }
                ref = new BuildRef(run.jobName, run.number);
            }
        }
        boolean ok = launcher.abort(ref);
        return ManagementFunction.reply(ok, (ok ? "aborted " : "no running build ") + ref);
    }
}
