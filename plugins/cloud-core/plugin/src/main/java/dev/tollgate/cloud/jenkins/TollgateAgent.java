package dev.tollgate.cloud.jenkins;

import dev.tollgate.cloud.port.AgentSpec;
import hudson.Extension;
import hudson.model.Descriptor;
import hudson.model.Node;
import hudson.model.TaskListener;
import hudson.slaves.AbstractCloudComputer;
import hudson.slaves.AbstractCloudSlave;
import hudson.slaves.ComputerLauncher;
import java.io.IOException;

/**
 * A Jenkins agent backed by an instance of one of the suite's clouds. It is made by
 * {@link JenkinsAgentRegistry#add} when the engine has its instance, and saved with the other nodes,
 * so it outlives a restart; the engine's lifecycle file says what its instance is doing. Immutable
 * apart from what {@code Slave} holds.
 */
public final class TollgateAgent extends AbstractCloudSlave {
    private static final long serialVersionUID = 1L;

    private final String cloudName;
    private final String templateName;
    private final String instanceId;

    TollgateAgent(String cloudName, AgentSpec spec, String remoteFs, ComputerLauncher launcher)
            throws Descriptor.FormException, IOException {
        super(spec.agentName(), remoteFs, launcher);
        this.cloudName = cloudName;
        this.templateName = spec.template();
        this.instanceId = spec.instanceId();
        setNumExecutors(spec.executors());
        setLabelString(String.join(" ", spec.labels()));
        setMode(Node.Mode.EXCLUSIVE); // only work for its labels, as the planner started it for them
        setRetentionStrategy(new TollgateRetention());
        setNodeDescription("Tollgate cloud " + cloudName + ", template " + templateName);
    }

    public String getCloudName() {
        return cloudName;
    }

    public String getTemplateName() {
        return templateName;
    }

    /** The instance (or spot request) id when the agent was registered; the engine's record has the current one. */
    public String getInstanceId() {
        return instanceId;
    }

    @Override
    public AbstractCloudComputer<TollgateAgent> createComputer() {
        return new TollgateComputer(this);
    }

    /**
     * Someone deleted the agent (its page's "Delete agent", or a node-removal API): the engine ends
     * its instance. Removals the engine makes itself go through {@code Jenkins.removeNode}, not here.
     */
    @Override
    protected void _terminate(TaskListener listener) {
        CloudRuntime.get().engine(cloudName).ifPresent(e -> e.release(getNodeName(), "agent deleted in Jenkins"));
    }

    @Extension
    public static final class DescriptorImpl extends SlaveDescriptor {
        @Override
        public String getDisplayName() {
            return "Tollgate cloud agent";
        }

        /** Made by its cloud only, never from the "New node" page. */
        @Override
        public boolean isInstantiable() {
            return false;
        }
    }
}
