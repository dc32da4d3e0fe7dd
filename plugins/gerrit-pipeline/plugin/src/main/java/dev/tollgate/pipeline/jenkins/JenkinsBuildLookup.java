package dev.tollgate.pipeline.jenkins;

import dev.tollgate.pipeline.port.BuildLookup;
import dev.tollgate.pipeline.port.BuildStatus;
import hudson.model.Queue;
import hudson.model.Run;
import hudson.security.ACL;
import hudson.security.ACLContext;
import java.util.Map;

/**
 * What Jenkins holds of the builds a server's engine launched before a restart: a marked queue item
 * (Jenkins saves its queue) is running, a marked build of the job has ended or is still building.
 * Asked during a restore, after Jenkins loaded its jobs and queue; the queue is read once.
 */
final class JenkinsBuildLookup implements BuildLookup {
    private final String server;
    private Map<String, Queue.Item> queued;

    JenkinsBuildLookup(String server) {
        this.server = server;
    }

    @Override
    public synchronized BuildStatus status(String buildId, String job) {
        try (ACLContext ignored = ACL.as2(ACL.SYSTEM2)) {
            if (queued == null) {
                queued = BuildMarks.queued(server);
            }
            if (queued.containsKey(buildId)) {
                return BuildStatus.running(null);
            }
            Run<?, ?> run = BuildMarks.findRun(server, buildId, job);
            if (run == null) {
                return BuildStatus.unknown();
            }
            if (run.isBuilding()) {
                return BuildStatus.running(BuildEvents.url(run));
            }
            return run.getResult() == null ? BuildStatus.endedWithoutResult("build " + run.getFullDisplayName()
                    + " ended without a result") : BuildStatus.ended(BuildEvents.result(run.getResult()), BuildEvents.url(run));
        }
    }
}
