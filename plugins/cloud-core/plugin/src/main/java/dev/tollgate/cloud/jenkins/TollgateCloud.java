package dev.tollgate.cloud.jenkins;

import dev.tollgate.cloud.AgentRecord;
import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.CloudEngine;
import dev.tollgate.cloud.CloudSettings;
import dev.tollgate.cloud.DriverOptions;
import dev.tollgate.cloud.PlannedAgent;
import dev.tollgate.cloud.ProvisionResult;
import dev.tollgate.cloud.ReaperReport;
import dev.tollgate.cloud.port.AgentSpec;
import dev.tollgate.cloud.port.CloudDriver;
import hudson.model.Descriptor;
import hudson.model.Label;
import hudson.model.Node;
import hudson.model.labels.LabelAtom;
import hudson.slaves.Cloud;
import hudson.slaves.ComputerLauncher;
import hudson.slaves.JNLPLauncher;
import hudson.slaves.NodeProvisioner.PlannedNode;
import hudson.util.FormValidation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.logging.Logger;
import jenkins.model.Jenkins;
import org.kohsuke.accmod.Restricted;
import org.kohsuke.accmod.restrictions.NoExternalUse;
import org.kohsuke.stapler.QueryParameter;

/**
 * The base of every Tollgate cloud (EC2 spot, OpenStack, libvirt, LXD): Jenkins' cloud API handled
 * once, over the cloud-core engine. A subclass gives its templates (engine fields and its driver's
 * options in one {@link AgentTemplate}) and its {@link CloudDriver}; everything else, planning,
 * retention, records, reaping and the cloud page, is here and in the engine.
 *
 * <p>Jenkins makes a new instance of this object on every save of the configuration, so the object
 * holds configuration only. The running engine belongs to {@link CloudRuntime}, keyed by
 * {@link #engineName()}, and is rebuilt from the lifecycle file when the settings change. Called by
 * {@code NodeProvisioner} on its own thread, never under the queue lock; the engine never blocks.
 *
 * @param <O> the driver's options of one template
 */
public abstract class TollgateCloud<O extends DriverOptions> extends Cloud {
    private static final Logger LOG = Logger.getLogger(TollgateCloud.class.getName());

    /** Tests launch every cloud's agents as local processes; null (always, in a controller): inbound agents. */
    @Restricted(NoExternalUse.class)
    public static volatile Supplier<ComputerLauncher> launchersForTests;

    protected TollgateCloud(String name) {
        super(name);
    }

    /** Every template of this cloud, built and validated by the engine's records. */
    public abstract List<AgentTemplate<O>> agentTemplates();

    /**
     * The driver, given the same templates as the engine's settings, so the two never disagree on what
     * a template is. Called when the engine is (re)built, not per call.
     */
    protected abstract CloudDriver createDriver(List<AgentTemplate<O>> templates);

    /** Cloud-wide engine settings (caps, request rate, intervals); the default keeps the engine's defaults. */
    protected CloudSettings.Builder configure(CloudSettings.Builder settings) {
        return settings;
    }

    /**
     * How Jenkins connects an agent of this cloud. Inbound by default: the instance runs the agent
     * with the controller URL and secret from {@link JenkinsAgentRegistry#connectionEnv}.
     */
    protected ComputerLauncher launcher(AgentSpec agent) {
        Supplier<ComputerLauncher> test = launchersForTests;
        return test != null ? test.get() : new JNLPLauncher();
    }

    /** The agent's working directory on its instance. */
    protected String remoteFs(AgentSpec agent) {
        return "/home/jenkins/agent";
    }

    /**
     * The cloud's name as the engine, the fingerprints and the agent names carry it: Jenkins allows
     * '/' and spaces in a cloud's name, node names do not, so each is mapped to '-'.
     */
    public final String engineName() {
        return AgentNames.nodeSafe(name);
    }

    /** The engine's settings for this configuration; IllegalArgumentException lists every problem. */
    public final CloudSettings toSettings(String controllerId) {
        CloudSettings.Builder b = CloudSettings.builder(engineName(), controllerId);
        b.templates(agentTemplates());
        return configure(b).build();
    }

    /** The running engine of this cloud, if Jenkins has finished loading and the settings are valid. */
    public final Optional<CloudEngine> engine() {
        return CloudRuntime.get().engineFor(this);
    }

    @Override
    public boolean canProvision(CloudState state) {
        Label label = state.getLabel();
        List<AgentTemplate<O>> templates;
        try {
            templates = agentTemplates();
        } catch (IllegalArgumentException e) {
            return false; // an invalid template: logged when the configuration is applied
        }
        for (AgentTemplate<O> t : templates) {
            if (serves(t, label)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Collection<PlannedNode> provision(CloudState state, int excessWorkload) {
        Optional<CloudEngine> engine = engine();
        if (engine.isEmpty()) {
            return List.of(); // not started yet, or an invalid configuration (logged when applied)
        }
        Label label = state.getLabel();
        ProvisionResult r = engine.get().provision(t -> serves(t, label), excessWorkload);
        if (r.capped() > 0 || r.deferred() > 0) {
            LOG.fine(() -> "cloud " + name + " label " + label + ": wanted " + r.wanted() + ", capped " + r.capped()
                    + ", deferred " + r.deferred());
        }
        List<PlannedNode> planned = new ArrayList<>();
        for (PlannedAgent p : r.planned()) {
            CompletableFuture<Node> node = p.future().thenApply(record -> {
                // the registry added the node before the engine completed the future
                Node n = Jenkins.get().getNode(record.agentName());
                if (n == null) {
                    throw new IllegalStateException("agent " + record.agentName() + " was removed before it connected");
                }
                return n;
            });
            planned.add(new PlannedNode(p.agentName(), node, p.executors()));
        }
        return planned;
    }

    /** Jenkins' label semantics: a template serves a label when its atoms satisfy the expression. */
    static boolean serves(AgentTemplate<?> t, Label label) {
        if (label == null) {
            return true; // unlabeled work: like a node in NORMAL mode
        }
        Set<LabelAtom> atoms = Label.parse(String.join(" ", t.labels()));
        return label.matches(atoms);
    }

    /**
     * What an instance of this record costs per hour in USD, for the cloud page; NaN when unknown
     * (the default). A cloud with prices (EC2: the spot bid or on-demand price) overrides it.
     */
    protected double hourlyPrice(AgentRecord record) {
        return Double.NaN;
    }

    // ---- the cloud page (main.jelly, included by core's Cloud/index.jelly)

    /** Every record the engine keeps, ended ones for a while too (the engine's record retention). */
    public final List<AgentRow> getAgentRows() {
        Instant now = Instant.now();
        List<AgentRow> rows = new ArrayList<>();
        engine().ifPresent(e -> {
            for (AgentRecord r : e.records()) {
                rows.add(new AgentRow(r, now, hourlyPrice(r)));
            }
        });
        return rows;
    }

    /** The reaper's last report, or why there is none. */
    public final String getReaperReport() {
        Optional<CloudRuntime.Running> r = CloudRuntime.get().running(engineName());
        if (r.isEmpty()) {
            return "The cloud is not running (Jenkins is starting, or its configuration is invalid: see the log).";
        }
        ReaperReport report = r.get().lastReport;
        if (report == null) {
            return "No reaper cycle yet; the first runs " + r.get().settings.reaperInterval().toMinutes()
                    + " min after the cloud started.";
        }
        return AgentRow.format(Duration.between(r.get().lastReportAt, Instant.now())) + " ago: "
                + CloudReaper.describe(report);
    }

    /** The engine's counters (requests, failures, time to connect, terminations, orphans, throttling). */
    public final String getCounters() {
        return CloudRuntime.get().running(engineName()).map(r -> CloudRuntime.metricsOf(r).toString()).orElse("");
    }

    /**
     * The base of every Tollgate cloud's descriptor: checks the cloud's name as Jenkins and the engine
     * will use it (after mapping '/' to '-').
     */
    public abstract static class TollgateCloudDescriptor extends Descriptor<Cloud> {
        public FormValidation doCheckName(@QueryParameter String value) {
            String problem = AgentNames.problem(value);
            if (problem != null) {
                return FormValidation.error(problem);
            }
            String mapped = AgentNames.nodeSafe(value);
            return mapped.equals(value) ? FormValidation.ok() : FormValidation.ok("Agents will be named " + mapped + "-...");
        }
    }

    /** The agents of this cloud now in Jenkins. */
    public final List<TollgateAgent> agents() {
        List<TollgateAgent> own = new ArrayList<>();
        for (Node n : Jenkins.get().getNodes()) {
            if (n instanceof TollgateAgent a && a.getCloudName().equals(engineName())) {
                own.add(a);
            }
        }
        return own;
    }
}
