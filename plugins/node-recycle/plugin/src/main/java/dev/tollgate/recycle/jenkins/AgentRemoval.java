package dev.tollgate.recycle.jenkins;

import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.Extension;
import hudson.model.Node;
import jenkins.model.NodeListener;

/** An agent removed from Jenkins is forgotten by the recycler (a new agent of the same name starts afresh). */
@Extension
public final class AgentRemoval extends NodeListener {
    @Override
    protected void onDeleted(@NonNull Node node) {
        RecycleRuntime.get().forget(node.getNodeName());
    }
}
