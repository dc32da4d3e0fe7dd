package dev.tollgate.gearman.jenkins;

import hudson.model.InvisibleAction;
import hudson.model.Label;
import hudson.model.labels.LabelAssignmentAction;
import hudson.model.queue.SubTask;
import jenkins.model.Jenkins;

/**
 * Pins a Gearman build to the node whose executor took the job: its label is that node's self
 * label, whatever the job's own label says (Zuul chose the node by the function it submitted).
 * Immutable.
 */
public final class NodeAssignment extends InvisibleAction implements LabelAssignmentAction {
    private final String node;

    /** @param node the engine's name of the node, its self label */
    public NodeAssignment(String node) {
        this.node = node;
    }

    public String getNode() {
        return node;
    }

    @Override
    public Label getAssignedLabel(SubTask task) {
        return Jenkins.get().getLabelAtom(node);
    }
}
