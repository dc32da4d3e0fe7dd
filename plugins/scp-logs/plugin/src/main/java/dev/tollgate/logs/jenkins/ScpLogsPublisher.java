package dev.tollgate.logs.jenkins;

import dev.tollgate.common.BuildResult;
import dev.tollgate.logs.ConsoleHtml;
import dev.tollgate.logs.ConsoleLog;
import dev.tollgate.logs.DestinationPattern;
import dev.tollgate.logs.LogHost;
import dev.tollgate.logs.LogPublishException;
import dev.tollgate.logs.PublishRequest;
import dev.tollgate.logs.PublishResult;
import dev.tollgate.logs.config.PublishStepConfig;
import dev.tollgate.logs.jenkins.config.LogHostSpec;
import dev.tollgate.logs.jenkins.config.ScpLogsConfiguration;
import hudson.AbortException;
import hudson.EnvVars;
import hudson.Extension;
import hudson.FilePath;
import hudson.Launcher;
import hudson.model.AbstractProject;
import hudson.model.Item;
import hudson.model.Result;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.security.ACL;
import hudson.security.ACLContext;
import hudson.tasks.BuildStepDescriptor;
import hudson.tasks.BuildStepMonitor;
import hudson.tasks.Publisher;
import hudson.tasks.Recorder;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import jenkins.model.Jenkins;
import jenkins.tasks.SimpleBuildStep;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.AncestorInPath;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.verb.POST;

/**
 * Publishes a build's logs to a log host of the registry: a freestyle post-build action, and the
 * Pipeline step {@code scpLogs(logHost: ..., includes: ...)}. Mirrors the engine's
 * {@link PublishStepConfig} key for key.
 *
 * <p>Everything runs on the controller (a SimpleBuildStep's perform does, in a freestyle build and in
 * Pipeline): the workspace's files are listed and read on the agent through {@link WorkspaceLogSource},
 * whose calls carry patterns and listing entries only, and the controller uploads them with the log
 * host's credential, which never leaves it. Agents run untrusted patches: whatever runs there can
 * change the files, never learn how to log in to the log server. The published folder's URL goes to
 * the build ({@link LogsAction}, shown on its page and as {@code LOG_URL}) and to its description.
 */
public final class ScpLogsPublisher extends Recorder implements SimpleBuildStep {
    private final String logHost;
    private String includes = "";
    private String excludes = "";
    private boolean flatten;
    private boolean gzip;
    private boolean consoleLog;
    private String destination = DestinationPattern.DEFAULT;
    private boolean copyAfterFailure = true;
    private boolean failBuild;

    @DataBoundConstructor
    public ScpLogsPublisher(String logHost) {
        this.logHost = logHost == null ? null : logHost.strip();
    }

    public String getLogHost() {
        return logHost;
    }

    public String getIncludes() {
        return includes;
    }

    @DataBoundSetter
    public void setIncludes(String includes) {
        this.includes = includes == null ? "" : includes.strip();
    }

    public String getExcludes() {
        return excludes;
    }

    @DataBoundSetter
    public void setExcludes(String excludes) {
        this.excludes = excludes == null ? "" : excludes.strip();
    }

    public boolean isFlatten() {
        return flatten;
    }

    @DataBoundSetter
    public void setFlatten(boolean flatten) {
        this.flatten = flatten;
    }

    public boolean isGzip() {
        return gzip;
    }

    @DataBoundSetter
    public void setGzip(boolean gzip) {
        this.gzip = gzip;
    }

    public boolean isConsoleLog() {
        return consoleLog;
    }

    @DataBoundSetter
    public void setConsoleLog(boolean consoleLog) {
        this.consoleLog = consoleLog;
    }

    public String getDestination() {
        return destination;
    }

    @DataBoundSetter
    public void setDestination(String destination) {
        this.destination = destination == null || destination.isBlank() ? DestinationPattern.DEFAULT
                : destination.strip();
    }

    public boolean isCopyAfterFailure() {
        return copyAfterFailure;
    }

    @DataBoundSetter
    public void setCopyAfterFailure(boolean copyAfterFailure) {
        this.copyAfterFailure = copyAfterFailure;
    }

    public boolean isFailBuild() {
        return failBuild;
    }

    @DataBoundSetter
    public void setFailBuild(boolean failBuild) {
        this.failBuild = failBuild;
    }

    public PublishStepConfig toRecord() {
        return new PublishStepConfig(logHost, includes, excludes, flatten, gzip, consoleLog, destination,
                copyAfterFailure, failBuild);
    }

    /** Its own descriptor, typed (Recorder's is a raw BuildStepDescriptor). */
    @Override
    public DescriptorImpl getDescriptor() {
        return (DescriptorImpl) super.getDescriptor();
    }

    /** Nothing waits on the previous build: each build publishes its own folder. */
    @Override
    public BuildStepMonitor getRequiredMonitorService() {
        return BuildStepMonitor.NONE;
    }

    @Override
    public void perform(Run<?, ?> run, FilePath workspace, EnvVars env, Launcher launcher, TaskListener listener)
            throws InterruptedException, IOException {
        PrintStream log = listener.getLogger();
        PublishStepConfig options = toRecord();
        Path console = null;
        try {
            LogHost host = ScpLogsConfiguration.get().logHost(logHost);
            ConsoleLog consoleFile = null;
            if (consoleLog) {
                console = consoleSnapshot(run);
                consoleFile = ConsoleLog.of(PublishStepConfig.CONSOLE_LOG_NAME, console);
            }
            PublishRequest request = options.request(new WorkspaceLogSource(workspace), consoleFile, env,
                    result(run.getResult()));
            PublishResult r = ScpLogsConfiguration.get().publisher().publish(host, request,
                    new BuildLogListener(listener));
            if (r.outcome() == PublishResult.Outcome.SKIPPED) {
                return;
            }
            run.addAction(new LogsAction(host.name(), r.url()));
            describe(run, r.url());
            log.println("[scp-logs] logs: " + r.url());
            if (r.outcome() == PublishResult.Outcome.PARTIAL) {
                notPublished(r.failures().size() + " file(s) could not be published (listed above)", log);
            }
        } catch (LogPublishException | IllegalArgumentException e) {
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while publishing the logs: " + e.getMessage());
            }
            notPublished(e.getMessage(), log);
        } finally {
            if (console != null) {
                Files.deleteIfExists(console);
            }
        }
    }

    /** Fails the build when asked to, otherwise says so in its log and goes on. */
    private void notPublished(String why, PrintStream log) throws AbortException {
        String message = "logs not published to log host '" + logHost + "': " + BuildLogListener.printable(why);
        if (failBuild) {
            throw new AbortException(message);
        }
        log.println("[scp-logs] " + message + " (the build goes on: failBuild is off)");
    }

    /** The engine's result for Jenkins' result so far; a running build without one has not failed. */
    static BuildResult result(Result r) {
        return r == null ? BuildResult.SUCCESS : BuildResult.valueOf(r.toString());
    }

    /**
     * The console log as it is now, as a page for the log server, in a temporary file only this user
     * can read: its size is then known (the upload streams it instead of spooling it), and later lines
     * of a running build do not change it while it is sent.
     */
    private static Path consoleSnapshot(Run<?, ?> run) throws IOException {
        Path file = Files.createTempFile("tollgate-console-", ".html");
        try (OutputStream out = ConsoleHtml.open(Files.newOutputStream(file), run.getFullDisplayName())) {
            long written = run.getLogText().writeLogTo(0, out); // console annotations stripped
            if (written < 0) {
                throw new IOException("the console log of " + run.getFullDisplayName() + " could not be read");
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        return file;
    }

    /**
     * Adds the log URL to the build's description, after what is there (e.g. a description that
     * Gearman's set_description gave). As the system: the build's own authentication may not be
     * allowed to update the build, and the line is the plugin's, not the job's.
     */
    private static void describe(Run<?, ?> run, String url) throws IOException {
        String line = "Logs: " + url;
        String old = run.getDescription();
        if (old != null && old.contains(line)) {
            return;
        }
        try (ACLContext ignored = ACL.as2(ACL.SYSTEM2)) {
            run.setDescription(old == null || old.isBlank() ? line : old + "\n" + line);
        }
    }

    @Extension
    @Symbol("scpLogs")
    public static final class DescriptorImpl extends BuildStepDescriptor<Publisher> {
        @Override
        public String getDisplayName() {
            return "Publish logs to a log host (SCP)";
        }

        @Override
        public boolean isApplicable(Class<? extends AbstractProject> jobType) {
            return true;
        }

        public String getDefaultDestination() {
            return DestinationPattern.DEFAULT;
        }

        /** The registry's host names, for whoever may configure the job. */
        @POST
        public ListBoxModel doFillLogHostItems(@AncestorInPath Item item, @QueryParameter String logHost) {
            if (item == null) {
                Jenkins.get().checkPermission(Jenkins.ADMINISTER);
            } else {
                item.checkPermission(Item.CONFIGURE);
            }
            ListBoxModel m = new ListBoxModel();
            for (LogHostSpec h : ScpLogsConfiguration.get().getHosts()) {
                m.add(h.getName());
            }
            if (logHost != null && !logHost.isBlank() && m.stream().noneMatch(o -> o.value.equals(logHost))) {
                m.add(logHost + " (not in the registry)", logHost);
            }
            return m;
        }

        private static FormValidation check(String key, PublishStepConfig options) {
            String problem = options.problems().get(key);
            return problem == null ? FormValidation.ok() : FormValidation.error(problem);
        }

        public FormValidation doCheckIncludes(@QueryParameter String value, @QueryParameter boolean consoleLog) {
            return check("includes", new PublishStepConfig("x", value, "", false, false, consoleLog,
                    DestinationPattern.DEFAULT, true, false));
        }

        public FormValidation doCheckExcludes(@QueryParameter String value) {
            return check("excludes", new PublishStepConfig("x", "**", value, false, false, false,
                    DestinationPattern.DEFAULT, true, false));
        }

        public FormValidation doCheckDestination(@QueryParameter String value) {
            return check("destination", new PublishStepConfig("x", "**", "", false, false, false, value, true,
                    false));
        }
    }

    /** The options as the engine has them, for messages and tests. */
    @Override
    public String toString() {
        return "ScpLogsPublisher" + toRecord();
    }
}
