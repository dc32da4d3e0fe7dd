package dev.tollgate.pipeline.jenkins;

import dev.tollgate.common.BuildResult;
import dev.tollgate.pipeline.gerrit.PipelineServer;
import dev.tollgate.pipeline.jenkins.config.GerritPipelineConfiguration;
import dev.tollgate.pipeline.layout.ConfigError;
import dev.tollgate.pipeline.layout.ConfigException;
import dev.tollgate.pipeline.layout.GerritServerConfig;
import dev.tollgate.pipeline.layout.PipelineSettings;
import hudson.Extension;
import hudson.ExtensionList;
import hudson.init.Terminator;
import hudson.model.listeners.ItemListener;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import jenkins.model.Jenkins;

/**
 * The running engines, one {@link PipelineServer} per configured Gerrit server, started with
 * Jenkins and stopped with it. Every save of the configuration is applied here: a valid one
 * reconfigures the servers in place (their queues are kept, as a Zuul reload keeps them), a server
 * whose connection settings changed is restarted from its saved queue, and an invalid one is
 * logged and leaves the running configuration alone. With the merger on, each server has its
 * merger; {@link MergerServing} serves them (git daemon, {@code /tollgate/git}). Applying happens on one thread, one
 * configuration at a time, newest last.
 */
@Extension
public final class PipelineRuntime {
    private static final Logger LOG = Logger.getLogger(PipelineRuntime.class.getName());

    /** Guarded by this. */
    private final Map<String, PipelineServer> servers = new LinkedHashMap<>();
    private final ExecutorService applier = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "Tollgate gerrit-pipeline configuration");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean applyPending = new AtomicBoolean();
    private final MetricsBinding metrics = new MetricsBinding();
    /** The mergers' git daemon and HTTP endpoint; guarded by this (configure), read from any thread. */
    final MergerServing merging = new MergerServing();
    private volatile boolean started;

    public static PipelineRuntime get() {
        return ExtensionList.lookupSingleton(PipelineRuntime.class);
    }

    /**
     * Starts the servers once Jenkins has loaded its jobs, its queue and its computers: a restored
     * queue asks which of its builds are still queued or running. {@code ItemListener.onLoaded} is
     * called after Jenkins' whole initialization (the queue loads in an initializer of its own), on
     * the start-up thread, so the start itself goes to the configuration thread.
     */
    @Extension
    public static final class StartWhenLoaded extends ItemListener {
        @Override
        public void onLoaded() {
            PipelineRuntime r = get();
            r.started = true;
            r.applier.execute(r::apply);
        }
    }

    @Terminator
    public static void stopWithJenkins() {
        get().stop();
    }

    /** A save of the configuration; applied soon on the configuration thread (several saves in a row coalesce). */
    public void configurationSaved(GerritPipelineConfiguration config) {
        if (started && applyPending.compareAndSet(false, true)) {
            applier.execute(() -> {
                applyPending.set(false);
                apply();
            });
        }
    }

    /** Applies the current configuration now. */
    public synchronized void apply() {
        GerritPipelineConfiguration config = GerritPipelineConfiguration.get();
        if (config.isEmpty()) {
            closeAll(new ArrayList<>(servers.keySet()));
            merging.close();
            return;
        }
        PipelineSettings settings;
        try {
            settings = config.toSettings();
        } catch (ConfigException e) {
            for (ConfigError error : e.errors()) {
                LOG.warning("Gerrit pipeline configuration not applied: " + error);
            }
            return;
        }
        PipelineServer.MergerHome home = merging.configure(settings);
        List<String> gone = new ArrayList<>(servers.keySet());
        for (GerritServerConfig s : settings.servers()) {
            gone.remove(s.name());
            PipelineServer running = servers.get(s.name());
            if (running != null && running.sameConnection(s, settings, home)) {
                running.reconfigure(settings);
                continue;
            }
            if (running != null) {
                close(running);
            }
            PipelineServer fresh = null;
            try {
                fresh = new PipelineServer(s, settings, ports(s), Clock.systemUTC(), home);
                fresh.start();
                servers.put(s.name(), fresh); // only a started server takes build ends and shows on the page
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Gerrit server " + s.name() + " did not start: " + e.getMessage(), e);
                if (fresh != null) {
                    close(fresh);
                }
            }
        }
        closeAll(gone);
        merging.serve(List.copyOf(servers.values()));
        listenToGerritTrigger(settings);
    }

    /** One listener on the Gerrit Trigger plugin's handler, while any server takes its events from there. */
    private void listenToGerritTrigger(PipelineSettings settings) {
        boolean wanted = settings.servers().stream().anyMatch(GerritServerConfig::viaGerritTrigger);
        try {
            if (wanted) {
                GerritTriggerServers.listen(this::bridged);
            } else if (GerritTriggerServers.installed()) {
                GerritTriggerServers.stopListening();
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot take events from the Gerrit Trigger plugin: " + e.getMessage(), e);
        }
    }

    /** An event of a Gerrit Trigger server goes to the suite's server that names it. */
    private void bridged(dev.tollgate.pipeline.bridge.BridgedEvent e) {
        for (PipelineServer s : servers()) {
            if (s.takesEventsOf(e.serverName())) {
                s.accept(e.event());
            }
        }
    }

    private PipelineServer.Ports ports(GerritServerConfig s) {
        Path state = Jenkins.get().getRootDir().toPath().resolve("tollgate-gerrit-pipeline").resolve(s.name() + ".json");
        String restUrl = s.restUrl() != null || !s.viaGerritTrigger() ? s.restUrl()
                : GerritTriggerServers.restUrl(s.gerritTriggerServer());
        return new PipelineServer.Ports(new JenkinsJobLauncher(s.name()), ServerCredentials.ssh(s), restUrl,
                ServerCredentials.http(s), new JenkinsBuildLookup(s.name()), state);
    }

    private void closeAll(List<String> names) {
        for (String name : names) {
            PipelineServer s = servers.remove(name);
            if (s != null) {
                close(s);
            }
        }
    }

    private void close(PipelineServer s) {
        merging.unserve(s);
        try {
            s.close(); // saves its queue
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "closing Gerrit server " + s.name(), e);
        }
    }

    synchronized void stop() {
        started = false;
        if (GerritTriggerServers.installed()) {
            GerritTriggerServers.stopListening();
        }
        closeAll(new ArrayList<>(servers.keySet()));
        merging.close();
        applier.shutdown();
    }

    /** The running server of this name, or null. */
    public synchronized PipelineServer server(String name) {
        return servers.get(name);
    }

    public synchronized List<PipelineServer> servers() {
        return List.copyOf(servers.values());
    }

    void jobStarted(TollgateBuildAction mark, String url) {
        PipelineServer s = server(mark.getServer());
        if (s != null) {
            s.scheduler().onJobStarted(mark.getBuildId(), url);
        }
    }

    void jobCompleted(TollgateBuildAction mark, BuildResult result, String url) {
        PipelineServer s = server(mark.getServer());
        if (s != null) {
            s.scheduler().onJobCompleted(mark.getBuildId(), result, url);
        } else {
            // the server is gone or not started yet: its saved queue learns the result at the next start
            LOG.fine(() -> "result of " + mark.getBuildId() + " for stopped server " + mark.getServer() + " left to restore");
        }
    }

    /** Saves every server's queue that changed since its last save, and refreshes the metrics (every few seconds). */
    void saveChanged() {
        try {
            metrics.sync(servers());
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "metrics not refreshed", e);
        }
        for (PipelineServer s : servers()) {
            try {
                s.saveIfChanged();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cannot save the queue of Gerrit server " + s.name(), e);
            }
        }
    }
}
