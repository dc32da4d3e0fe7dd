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

    /** The build carrying the mark, searching the newest builds of every job first. */
    static Run<?, ?> findRun(String server, String buildId) {
        return index(server, RECENT).get(buildId); // a build the engine still waits for is among the newest
    }

    /** Marked builds of one server by engine build id: the last {@code perJob} builds of each job. */
    static Map<String, Run<?, ?>> index(String server, int perJob) {
        Map<String, Run<?, ?>> out = new HashMap<>();
        for (Job<?, ?> job : Jenkins.get().getAllItems(Job.class)) {
            int seen = 0;
            for (Run<?, ?> run : job.getBuilds()) {
                if (seen++ >= perJob) {
                    break;
                }
                TollgateBuildAction a = run.getAction(TollgateBuildAction.class);
                if (a != null && a.getServer().equals(server)) {
                    out.putIfAbsent(a.getBuildId(), run);
                }
            }
        }
        return out;
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
