package dev.tollgate.gearman.jenkins.config;

import dev.tollgate.gearman.config.GearmanSettings;
import dev.tollgate.gearman.jenkins.GearmanRuntime;
import hudson.Extension;
import hudson.ExtensionList;
import java.util.ArrayList;
import java.util.List;
import jenkins.model.GlobalConfiguration;
import net.sf.json.JSONObject;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.StaplerRequest2;

/**
 * The plugin's global configuration: whether Jenkins takes builds from Gearman, and the Gearman
 * servers, as JCasC {@code unclassified: tollgateGearman:} and as the "Gearman (Zuul v2)" section of
 * the system configuration page. Mirrors the engine's {@link GearmanSettings} key for key; the
 * engine's rules decide what is valid. Every save goes to {@link GearmanRuntime}, which starts,
 * reconnects or stops the worker.
 *
 * <p>Threading: Jenkins' configuration binding; the fields are replaced whole, never changed in place.
 */
@Extension
@Symbol("tollgateGearman")
public class GearmanConfiguration extends GlobalConfiguration {
    private boolean enabled;
    private List<GearmanServer> servers = new ArrayList<>();

    /** Set while a form submission binds: its setters do not save one by one. */
    private transient boolean bulk;

    public GearmanConfiguration() {
        load();
    }

    public static GearmanConfiguration get() {
        return ExtensionList.lookupSingleton(GearmanConfiguration.class);
    }

    @Override
    public String getDisplayName() {
        return "Gearman (Zuul v2)";
    }

    public boolean isEnabled() {
        return enabled;
    }

    @DataBoundSetter
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
        save();
    }

    public List<GearmanServer> getServers() {
        return servers;
    }

    @DataBoundSetter
    public void setServers(List<GearmanServer> servers) {
        this.servers = servers == null ? new ArrayList<>() : new ArrayList<>(servers); // XStream: no List.of()
        save();
    }

    /** The configuration as the engine's record; {@link GearmanSettings#problems()} says whether it is valid. */
    public GearmanSettings toSettings() {
        return new GearmanSettings(enabled, servers.stream().map(GearmanServer::toRecord).toList());
    }

    /** The form: bound like JCasC, then checked by the engine's rules; an invalid form is refused whole. */
    @Override
    public boolean configure(StaplerRequest2 req, JSONObject json) throws FormException {
        boolean oldEnabled = enabled;
        List<GearmanServer> oldServers = servers;
        synchronized (this) {
            bulk = true;
            boolean bound = false;
            try {
                enabled = false; // a checkbox left unticked and an empty list are absent from the form
                servers = new ArrayList<>();
                req.bindJSON(this, json);
                List<String> problems = toSettings().problems();
                if (!problems.isEmpty()) {
                    throw new FormException(String.join("; ", problems), "servers");
                }
                bound = true;
            } finally {
                bulk = false;
                if (!bound) {
                    enabled = oldEnabled;
                    servers = oldServers;
                }
            }
        }
        save();
        return true;
    }

    @Override
    public synchronized void save() {
        if (bulk) {
            return;
        }
        super.save();
        GearmanRuntime.get().configurationSaved();
    }
}
