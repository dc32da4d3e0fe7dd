package dev.tollgate.pipeline.jenkins;

import hudson.model.Job;
import hudson.model.Queue;
import hudson.model.Run;
import java.util.HashMap;
import java.util.Map;
import jenkins.model.Jenkins;

/** Finding queue items and builds by their {@link TollgateBuildAction}. Callers hold SYSTEM rights. */
final class BuildMarks {
    /** How many of each job's newest builds are searched: running and recently ended ones. */
    static final int RECENT = 50;

    private BuildMarks() {}

    static boolean isMarked(TollgateBuildAction a, String server, String buildId) {
        return a != null && a.getServer().equals(server) && a.getBuildId().equals(buildId);
    }

    /**
     * The build of {@code jobName} carrying the mark, or null. Only the job's newest builds are
     * searched: a build the engine still waits for is among them.
     */
    static Run<?, ?> findRun(String server, String buildId, String jobName) {
        Job<?, ?> job = Jenkins.get().getItemByFullName(jobName, Job.class);
        if (job == null) {
            return null;
        }
        int seen = 0;
        for (Run<?, ?> run : job.getBuilds()) {
            if (seen++ >= RECENT) {
                break;
            }
            if (isMarked(run.getAction(TollgateBuildAction.class), server, buildId)) {
                return run;
            }
        }
        return null;
    }

    /** The build carrying the mark in any job (its newest builds), or null: for a cancel, which knows no job. */
    static Run<?, ?> findRun(String server, String buildId) {
        for (Job<?, ?> job : Jenkins.get().getAllItems(Job.class)) {
            Run<?, ?> run = findRun(server, buildId, job.getFullName());
            if (run != null) {
                return run;
            }
        }
        return null;
    }

    /** Queued items of one server by engine build id. */
    static Map<String, Queue.Item> queued(String server) {
        Map<String, Queue.Item> out = new HashMap<>();
        for (Queue.Item item : Queue.getInstance().getItems()) {
            TollgateBuildAction a = item.getAction(TollgateBuildAction.class);
            if (a != null && a.getServer().equals(server)) {
                out.put(a.getBuildId(), item);
            }
        }
        return out;
    }
}
