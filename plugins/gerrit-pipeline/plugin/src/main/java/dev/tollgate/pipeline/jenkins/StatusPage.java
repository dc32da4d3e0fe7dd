package dev.tollgate.pipeline.jenkins;

import dev.tollgate.pipeline.gerrit.PipelineServer;
import dev.tollgate.pipeline.scheduler.SchedulerStatus;
import hudson.Extension;
import hudson.model.RootAction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import jenkins.model.Jenkins;
import org.kohsuke.stapler.StaplerRequest2;
import org.kohsuke.stapler.StaplerResponse2;

/**
 * The status page at {@code /tollgate/}: per Gerrit server, its pipelines, the changes queued and
 * their jobs. Its JSON, in the shape of Zuul v2's {@code status.json} so Zuul status dashboards can
 * read it, is at {@code /tollgate/status.json} (the first server) and
 * {@code /tollgate/status.json?server=NAME}. Readable by anyone with Overall/Read, as Zuul's page was.
 * The mergers' repositories are below it, at {@code /tollgate/git/} ({@link GitEndpoint}).
 */
@Extension
public final class StatusPage implements RootAction {
    @Override
    public String getIconFileName() {
        return Jenkins.get().hasPermission(Jenkins.READ) ? "symbol-list" : null;
    }

    @Override
    public String getDisplayName() {
        return "Gerrit pipelines";
    }

    @Override
    public String getUrlName() {
        return "tollgate";
    }

    /** For the page: each running server and its status. */
    public List<ServerView> getServers() {
        Jenkins.get().checkPermission(Jenkins.READ);
        return PipelineRuntime.get().servers().stream()
                .map(s -> new ServerView(s.name(), s.scheduler().status(), s.streamMetrics() == null ? "Gerrit Trigger plugin"
                        : s.streamMetrics().state()))
                .toList();
    }

    /** One server on the page. */
    public record ServerView(String name, SchedulerStatus status, String stream) {
        public String getName() {
            return name;
        }

        public SchedulerStatus getStatus() {
            return status;
        }

        public String getStream() {
            return stream;
        }
    }

    /**
     * {@code /tollgate/git/}: the mergers' repositories over smart HTTP (read-only). Stapler tries
     * this getter before {@link #doDynamic}.
     */
    public GitEndpoint getGit() {
        return new GitEndpoint(PipelineRuntime.get().merging);
    }

    /** {@code status.json}: Stapler maps the URL {@code status.json} to this method. */
    public void doDynamic(StaplerRequest2 req, StaplerResponse2 rsp) throws IOException {
        Jenkins.get().checkPermission(Jenkins.READ);
        if (!"/status.json".equals(req.getRestOfPath())) {
            rsp.sendError(404);
            return;
        }
        String wanted = req.getParameter("server");
        PipelineServer server = null;
        for (PipelineServer s : PipelineRuntime.get().servers()) {
            if (wanted == null ? server == null : s.name().equals(wanted)) {
                server = s;
            }
        }
        if (server == null) {
            rsp.sendError(404, wanted == null ? "no Gerrit server is running" : "no running Gerrit server " + wanted);
            return;
        }
        rsp.setContentType("application/json;charset=UTF-8");
        rsp.setHeader("Access-Control-Allow-Origin", "*"); // dashboards on other hosts read it, as Zuul's
        rsp.getOutputStream().write(server.statusJson().getBytes(StandardCharsets.UTF_8));
    }
}
