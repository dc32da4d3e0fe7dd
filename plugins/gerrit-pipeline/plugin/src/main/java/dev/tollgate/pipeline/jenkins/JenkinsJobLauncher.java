package dev.tollgate.pipeline.jenkins;

import dev.tollgate.pipeline.port.JobLauncher;
import dev.tollgate.pipeline.port.LaunchRequest;
import hudson.model.Action;
import hudson.model.CauseAction;
import hudson.model.Executor;
import hudson.model.Job;
import hudson.model.ParameterValue;
import hudson.model.ParametersAction;
import hudson.model.Queue;
import hudson.model.Result;
import hudson.model.Run;
import hudson.model.StringParameterValue;
import hudson.security.ACL;
import hudson.security.ACLContext;
import java.util.ArrayList;
import java.util.List;
import jenkins.model.CauseOfInterruption;
import jenkins.model.Jenkins;
import jenkins.model.ParameterizedJobMixIn;

/**
 * The engine's {@link JobLauncher} on Jenkins' queue, for freestyle and Pipeline jobs alike: a
 * launch schedules the job with the ZUUL_* and GERRIT_* parameters (declared safe, so a job need
 * not define them) and the engine's build id; a cancel takes the item off the queue or interrupts
 * the running build. Runs as SYSTEM: the engine, not a user, decides what to build.
 */
final class JenkinsJobLauncher implements JobLauncher {
    private final String server;

    JenkinsJobLauncher(String server) {
        this.server = server;
    }

    @Override
    public void launch(LaunchRequest request) throws LaunchException {
        try (ACLContext ignored = ACL.as2(ACL.SYSTEM2)) {
            Job<?, ?> job = Jenkins.get().getItemByFullName(request.job(), Job.class);
            if (job == null) {
                throw new LaunchException("no job named `" + request.job() + "` in Jenkins");
            }
            List<ParameterValue> values = new ArrayList<>();
            request.parameters().forEach((k, v) -> values.add(new StringParameterValue(k, v == null ? "" : v)));
            String subject = request.project() + " " + request.parameters().getOrDefault("ZUUL_CHANGE_IDS",
                    request.parameters().getOrDefault("ZUUL_REF", ""));
            Action[] actions = {
                new CauseAction(new TollgateCause(request.pipeline(), subject.strip(),
                        request.parameters().get("GERRIT_CHANGE_URL"))),
                new ParametersAction(values, request.parameters().keySet()),
                new TollgateBuildAction(server, request.buildId()),
            };
            Queue.Item item = ParameterizedJobMixIn.scheduleBuild2(job, 0, actions);
            if (item == null) {
                throw new LaunchException("Jenkins did not queue `" + request.job()
                        + "` (disabled, or not a buildable job)");
            }
        }
    }

    @Override
    public void cancel(String buildId) {
        try (ACLContext ignored = ACL.as2(ACL.SYSTEM2)) {
            Queue queue = Queue.getInstance();
            for (Queue.Item item : queue.getItems()) {
                if (BuildMarks.isMarked(item.getAction(TollgateBuildAction.class), server, buildId)) {
                    queue.cancel(item);
                    return;
                }
            }
            Run<?, ?> run = BuildMarks.findRun(server, buildId);
            Executor executor = run == null ? null : run.getExecutor();
            if (executor != null) {
                executor.interrupt(Result.ABORTED, new Dequeued());
            }
        }
    }

    /** Shown on an interrupted build: the engine took its change out of the pipeline. */
    static final class Dequeued extends CauseOfInterruption {
        private static final long serialVersionUID = 1L;

        @Override
        public String getShortDescription() {
            return "Cancelled by the Gerrit pipeline: the change left the queue (new patchset, abandoned)";
        }
    }
}
