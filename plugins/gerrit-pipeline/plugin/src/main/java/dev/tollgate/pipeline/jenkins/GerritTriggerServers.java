package dev.tollgate.pipeline.jenkins;

import com.sonyericsson.hudson.plugins.gerrit.trigger.GerritServer;
import com.sonyericsson.hudson.plugins.gerrit.trigger.PluginImpl;
import com.sonyericsson.hudson.plugins.gerrit.trigger.config.IGerritHudsonTriggerConfig;
import dev.tollgate.pipeline.bridge.BridgedEvent;
import dev.tollgate.pipeline.bridge.GerritEventsListenerAdapter;
import dev.tollgate.pipeline.gerrit.HttpCredentials;
import hudson.util.Secret;
import java.util.function.Consumer;
import java.util.function.Supplier;
import jenkins.model.Jenkins;

/**
 * What the suite takes from the Gerrit Trigger plugin, when a server names one of its servers: its
 * events (through the bridge, on the plugin's shared handler) and, when the suite's server has no
 * REST settings of its own, its front-end URL and HTTP credentials. The Gerrit Trigger plugin is an
 * optional dependency: every use of its classes stays behind {@link #installed()}.
 */
final class GerritTriggerServers {
    /** The one listener on the Gerrit Trigger plugin's handler; events are routed by their server's name. */
    static final String LISTENER_NAME = "tollgate-gerrit-pipeline";

    private GerritTriggerServers() {}

    static boolean installed() {
        return Jenkins.get().getPlugin("gerrit-trigger") != null;
    }

    /** Registers the one listener (registering again is a no-op: the handler keeps a set). */
    static void listen(Consumer<BridgedEvent> sink) {
        require();
        PluginImpl plugin = PluginImpl.getInstance();
        if (plugin == null || PluginImpl.getHandler_() == null) {
            throw new IllegalStateException("the Gerrit Trigger plugin has not started its event handler");
        }
        PluginImpl.getHandler_().addListener(new GerritEventsListenerAdapter(LISTENER_NAME, sink));
    }

    static void stopListening() {
        if (installed() && PluginImpl.getHandler_() != null) {
            PluginImpl.getHandler_().removeListener(new GerritEventsListenerAdapter(LISTENER_NAME, e -> { }));
        }
    }

    /** The Gerrit Trigger server's front-end URL (its REST base), or null. */
    static String restUrl(String server) {
        return config(server).getGerritFrontEndUrl();
    }

    static Supplier<HttpCredentials> httpCredentials(String server) {
        return () -> {
            IGerritHudsonTriggerConfig c = config(server);
            String user = c.getGerritHttpUserName();
            if (user == null || user.isEmpty()) {
                throw new IllegalStateException("Gerrit Trigger server " + server + " has no HTTP user name for reviews");
            }
            return new HttpCredentials(user, Secret.toString(c.getGerritHttpSecretPassword()));
        };
    }

    private static IGerritHudsonTriggerConfig config(String server) {
        require();
        GerritServer s = PluginImpl.getServer_(server);
        if (s == null) {
            throw new IllegalStateException("the Gerrit Trigger plugin has no server named " + server);
        }
        return s.getConfig();
    }

    private static void require() {
        if (!installed()) {
            throw new IllegalStateException("a Gerrit server names a Gerrit Trigger server, but the Gerrit Trigger "
                    + "plugin is not installed");
        }
    }
}
