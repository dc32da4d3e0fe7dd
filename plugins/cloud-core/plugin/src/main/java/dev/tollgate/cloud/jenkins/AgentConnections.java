package dev.tollgate.cloud.jenkins;

import dev.tollgate.cloud.CloudEngine;
import dev.tollgate.cloud.ConnectDecision;
import hudson.AbortException;
import hudson.Extension;
import hudson.FilePath;
import hudson.model.Computer;
import hudson.model.TaskListener;
import hudson.remoting.Channel;
import hudson.slaves.ComputerListener;
import hudson.slaves.OfflineCause;
import java.util.Optional;

/**
 * Connections of the clouds' agents, told to the engine. {@code preOnline} refuses a connection the
 * engine does not accept (a second instance under the same name, an agent being ended, a name no
 * record asked for): Jenkins then closes the channel, and the reaper ends the twin instance.
 * Called on the connecting agent's thread; the engine never blocks.
 */
@Extension
public final class AgentConnections extends ComputerListener {

    @Override
    public void preOnline(Computer c, Channel channel, FilePath root, TaskListener listener) throws AbortException {
        if (!(c instanceof TollgateComputer tc) || tc.getNode() == null) {
            return;
        }
        TollgateAgent agent = tc.getNode();
        Optional<CloudEngine> engine = CloudRuntime.get().engine(agent.getCloudName());
        if (engine.isEmpty()) {
            // the engine starts after Jenkins has loaded; an agent this quick is told to come back
            throw new AbortException("cloud " + agent.getCloudName() + " is not running yet; the agent may retry");
        }
        // the instance id on the connection is not known to Jenkins: the record's id is the reference
        ConnectDecision d = engine.get().agentConnected(agent.getNodeName(), null);
        if (d != ConnectDecision.ACCEPTED) {
            throw new AbortException("agent " + agent.getNodeName() + " refused by cloud " + agent.getCloudName() + ": " + d);
        }
    }

    @Override
    public void onOffline(Computer c, OfflineCause cause) {
        if (c instanceof TollgateComputer tc && tc.getNode() != null) {
            TollgateAgent agent = tc.getNode();
            CloudRuntime.get().engine(agent.getCloudName()).ifPresent(e -> e.agentDisconnected(agent.getNodeName()));
        }
    }
}
