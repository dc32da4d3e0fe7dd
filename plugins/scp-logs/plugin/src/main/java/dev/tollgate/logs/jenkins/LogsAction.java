package dev.tollgate.logs.jenkins;

import hudson.EnvVars;
import hudson.model.EnvironmentContributingAction;
import hudson.model.Run;
import java.util.Objects;

/**
 * Where a build's logs were published: a link on the build's page (its sidebar and its summary) and
 * {@code LOG_URL} in the build's environment, for later steps and for other plugins. The
 * gerrit-pipeline plugin reports this {@code LOG_URL} to Gerrit instead of the build's own URL; it
 * reads it through Jenkins' {@link EnvironmentContributingAction}, so neither plugin needs the other's
 * classes. A build that publishes twice has two; the later one's URL is the build's LOG_URL.
 * Immutable; saved with the build.
 */
public final class LogsAction implements EnvironmentContributingAction {
    /** The build variable that holds the URL of the published logs. */
    public static final String LOG_URL = "LOG_URL";

    private final String hostName;
    private final String url;

    public LogsAction(String hostName, String url) {
        this.hostName = Objects.requireNonNull(hostName, "hostName");
        this.url = Objects.requireNonNull(url, "url");
    }

    public String getHostName() {
        return hostName;
    }

    public String getUrl() {
        return url;
    }

    @Override
    public String getIconFileName() {
        return "symbol-logs";
    }

    @Override
    public String getDisplayName() {
        return "Logs on " + hostName;
    }

    /** An absolute URL: the sidebar links to the log server itself. */
    @Override
    public String getUrlName() {
        return url;
    }

    @Override
    public void buildEnvironment(Run<?, ?> run, EnvVars env) {
        env.put(LOG_URL, url);
    }
}
