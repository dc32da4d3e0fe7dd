package dev.tollgate.gearman.jenkins;

import dev.tollgate.gearman.JobDefinition;
import dev.tollgate.gearman.NodeSpec;
import hudson.model.AbstractProject;
import hudson.model.Computer;
import hudson.model.Job;
import hudson.model.Label;
import hudson.model.Node;
import hudson.model.labels.LabelAtom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Level;
import java.util.logging.Logger;
import jenkins.model.Jenkins;

/**
 * Jenkins' nodes and jobs as the engine sees them. A node is named by its self label (the built-in
 * node's is {@code built-in}), which is also how a build is pinned to it. A job is a freestyle-like
 * project ({@link AbstractProject}), named by its full name, which the nodes that Jenkins would let
 * run it may register: those its label expression matches, or, without a label, those not reserved
 * for tied jobs. Callers hold SYSTEM rights; stateless.
 */
final class JenkinsInventory {
    private static final Logger LOG = Logger.getLogger(JenkinsInventory.class.getName());

    private JenkinsInventory() {}

    /** The engine's name of a node. */
    static String name(Node node) {
        return node.getSelfLabel().getName();
    }

    /** The node of that engine name, or null. */
    static Node node(String name) {
        Jenkins j = Jenkins.get();
        return j.getSelfLabel().getName().equals(name) ? j : j.getNode(name);
    }

    /** Every node, the built-in one first, by engine name. */
    static Map<String, Node> nodes() {
        Jenkins j = Jenkins.get();
        Map<String, Node> out = new LinkedHashMap<>();
        out.put(name(j), j);
        for (Node n : j.getNodes()) {
            out.put(name(n), n);
        }
        return out;
    }

    /** The node's spec, or null when the engine cannot take its name (logged). */
    static NodeSpec spec(Node node) {
        String name = name(node);
        Set<String> labels = new TreeSet<>();
        for (LabelAtom a : node.getAssignedLabels()) {
            String l = a.getName();
            if (!l.equals(name) && !l.isBlank() && !l.contains(":") && l.indexOf('\0') < 0) {
                labels.add(l); // a label with ':' cannot be part of a function name
            }
        }
        try {
            return new NodeSpec(name, labels, node.getNumExecutors());
        } catch (IllegalArgumentException e) {
            LOG.log(Level.WARNING, "node {0} is left out of Gearman: {1}", new Object[] {name, e.getMessage()});
            return null;
        }
    }

    /**
     * Whether the node may start a build now: connected, not marked temporarily offline, accepting
     * tasks (its retention strategy), and Jenkins not preparing for shutdown.
     */
    static boolean accepting(Node node) {
        Computer c = node.toComputer();
        return c != null && c.isOnline() && c.isAcceptingTasks() && !Jenkins.get().isQuietingDown();
    }

    /** The buildable jobs, each with the nodes (of {@code nodes}) that may run it. */
    static List<JobDefinition> jobs(Map<String, Node> nodes) {
        List<JobDefinition> out = new ArrayList<>();
        for (AbstractProject<?, ?> p : Jenkins.get().getAllItems(AbstractProject.class)) {
            if (p.getParent() instanceof Job || !p.isBuildable()) {
                continue; // a configuration of a multi-configuration project, or disabled
            }
            Label label = p.getAssignedLabel();
            Set<String> names = new TreeSet<>();
            for (Map.Entry<String, Node> n : nodes.entrySet()) {
                // matched against the node's labels now, not the label's cached node set
                if (label == null ? n.getValue().getMode() == Node.Mode.NORMAL : label.matches(n.getValue())) {
                    names.add(n.getKey());
                }
            }
            try {
                out.add(JobDefinition.onNodes(p.getFullName(), names));
            } catch (IllegalArgumentException e) {
                LOG.log(Level.FINE, "job {0} is left out of Gearman: {1}", new Object[] {p.getFullName(), e.getMessage()});
            }
        }
        return out;
    }
}
