package dev.tollgate.cloud.jenkins;

import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.DriverOptions;
import dev.tollgate.cloud.port.AgentSpec;
import dev.tollgate.cloud.port.CloudDriver;
import hudson.slaves.ComputerLauncher;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.jvnet.hudson.test.TestExtension;
import org.kohsuke.stapler.DataBoundConstructor;

/**
 * The test cloud: one template of local agents, the cloud-core binding unchanged. Its settings are
 * saved with Jenkins' configuration, so it survives a restart. Agents are launched by the supplier
 * the test sets (JenkinsRule's local command launcher).
 */
public final class LocalCloud extends TollgateCloud<DriverOptions.None> {
    /** Set by each test (and again after a restart, from the new JenkinsRule). */
    static volatile Supplier<ComputerLauncher> launchers;

    private final String label;
    private final int buildWaitSeconds;
    private final int maxUses;

    @DataBoundConstructor
    public LocalCloud(String name, String label, int buildWaitSeconds, int maxUses) {
        super(name);
        this.label = label;
        this.buildWaitSeconds = buildWaitSeconds;
        this.maxUses = maxUses;
    }

    public String getLabel() {
        return label;
    }

    public int getBuildWaitSeconds() {
        return buildWaitSeconds;
    }

    public int getMaxUses() {
        return maxUses;
    }

    @Override
    public List<AgentTemplate<DriverOptions.None>> agentTemplates() {
        return List.of(AgentTemplate.builder("local")
                .labels(label)
                .buildWaitTimeout(Duration.ofSeconds(buildWaitSeconds))
                .missingTimeout(Duration.ofMinutes(5))
                .maxUses(maxUses)
                .build());
    }

    @Override
    protected CloudDriver createDriver(List<AgentTemplate<DriverOptions.None>> templates) {
        return new LocalDriver();
    }

    @Override
    protected ComputerLauncher launcher(AgentSpec agent) {
        return launchers.get();
    }

    @Override
    protected String remoteFs(AgentSpec agent) {
        return System.getProperty("java.io.tmpdir") + "/tollgate-" + agent.agentName();
    }

    @TestExtension
    public static final class DescriptorImpl extends TollgateCloudDescriptor {
        @Override
        public String getDisplayName() {
            return "Local test cloud";
        }
    }
}
