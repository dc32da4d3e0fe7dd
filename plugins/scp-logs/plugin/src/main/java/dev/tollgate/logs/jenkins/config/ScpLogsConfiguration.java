package dev.tollgate.logs.jenkins.config;

import dev.tollgate.common.Sleeper;
import dev.tollgate.logs.LogHost;
import dev.tollgate.logs.LogPublisher;
import dev.tollgate.logs.PublisherSettings;
import dev.tollgate.logs.config.ScpLogsSettings;
import dev.tollgate.logs.jenkins.JenkinsCredentialSource;
import hudson.Extension;
import hudson.ExtensionList;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import jenkins.model.GlobalConfiguration;
import net.sf.json.JSONObject;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.StaplerRequest2;

/**
 * The plugin's global configuration, the log host registry: JCasC {@code unclassified:
 * tollgateScpLogs:} and the "Log hosts (SCP)" section of the system configuration page. Mirrors the
 * engine's {@link ScpLogsSettings} key for key; the engine decides what is valid, and an invalid
 * registry is refused whole (by the form, and by JCasC). Also holds the one {@link LogPublisher} every
 * build publishes through, which remembers which hosts take the tar stream.
 */
@Extension
@Symbol("tollgateScpLogs")
public class ScpLogsConfiguration extends GlobalConfiguration {
    private List<LogHostSpec> hosts = new ArrayList<>();

    /** Set while a form submission binds: the setter neither checks nor saves until the whole form is bound. */
    private transient boolean binding;
    private transient volatile LogPublisher publisher;

    public ScpLogsConfiguration() {
        load();
    }

    public static ScpLogsConfiguration get() {
        return ExtensionList.lookupSingleton(ScpLogsConfiguration.class);
    }

    @Override
    public String getDisplayName() {
        return "Log hosts (SCP)";
    }

    public List<LogHostSpec> getHosts() {
        return hosts;
    }

    /** JCasC and scripts: an invalid registry is refused with every problem, and nothing of it is kept. */
    @DataBoundSetter
    public void setHosts(List<LogHostSpec> hosts) {
        List<LogHostSpec> list = new ArrayList<>(); // an ArrayList: XStream cannot persist List.of() on Java 17
        if (hosts != null) {
            hosts.stream().filter(h -> h != null).forEach(list::add);
        }
        synchronized (this) {
            if (!binding) {
                settingsOf(list).registry(); // throws, naming each problem
            }
            this.hosts = list;
            if (!binding) {
                save();
            }
        }
    }

    private static ScpLogsSettings settingsOf(List<LogHostSpec> hosts) {
        List<dev.tollgate.logs.config.LogHostConfig> records = new ArrayList<>();
        for (LogHostSpec h : hosts) {
            records.add(h.toRecord());
        }
        return new ScpLogsSettings(records);
    }

    /** The configuration as the engine's records. */
    public ScpLogsSettings toSettings() {
        return settingsOf(hosts);
    }

    /**
     * The log host of this name, checked.
     *
     * @throws IllegalArgumentException no such host (the message lists the known ones), or its values
     *                                  are invalid
     */
    public LogHost logHost(String name) {
        for (LogHostSpec h : hosts) {
            if (h.getName() != null && h.getName().equals(name)) {
                return h.toRecord().toLogHost();
            }
        }
        List<String> names = new ArrayList<>();
        hosts.forEach(h -> names.add(h.getName()));
        throw new IllegalArgumentException("no log host named '" + name + "' in Manage Jenkins > System > "
                + getDisplayName() + " (known: " + (names.isEmpty() ? "none" : String.join(", ", names)) + ")");
    }

    /** The publisher every build and "Test connection" use; credentials are looked up in Jenkins at each use. */
    public LogPublisher publisher() {
        LogPublisher p = publisher;
        if (p == null) {
            synchronized (this) {
                if (publisher == null) {
                    publisher = new LogPublisher(new JenkinsCredentialSource(), PublisherSettings.defaults(),
                            Clock.systemUTC(), Sleeper.REAL);
                }
                p = publisher;
            }
        }
        return p;
    }

    /** The form: bound like JCasC, then checked by the engine; an invalid form is refused whole. */
    @Override
    public synchronized boolean configure(StaplerRequest2 req, JSONObject json) throws FormException {
        List<LogHostSpec> old = hosts;
        binding = true;
        try {
            hosts = new ArrayList<>(); // a repeatable section left empty is absent from the form
            req.bindJSON(this, json);
        } finally {
            binding = false;
        }
        List<ScpLogsSettings.Problem> problems = toSettings().problems();
        if (!problems.isEmpty()) {
            hosts = old;
            ScpLogsSettings.Problem first = problems.get(0);
            throw new FormException("log host '" + (first.host().name() == null ? "" : first.host().name()) + "': "
                    + first.key() + ": " + first.message() + (problems.size() > 1 ? " (and " + (problems.size() - 1)
                    + " more)" : ""), "hosts");
        }
        save();
        return true;
    }
}
