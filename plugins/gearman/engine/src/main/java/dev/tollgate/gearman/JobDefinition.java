package dev.tollgate.gearman;

import java.util.Collections;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A job this worker can build. {@code label} restricts it to nodes carrying that label (null: any
 * node), like a Jenkins job tied to a label. {@code nodes}, when not null, restricts it to the nodes
 * of those names: a build system whose label expressions are richer than one label (Jenkins'
 * {@code a || b}, {@code !c}, a node reserved for tied jobs) resolves them itself and names the nodes.
 */
public record JobDefinition(String name, String label, Set<String> nodes) {
    public JobDefinition {
        Objects.requireNonNull(name, "name");
        if (name.isBlank() || name.contains(":") || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("bad job name '" + name + "' (empty, ':' or NUL)");
        }
        if (label != null && (label.isBlank() || label.contains(":"))) {
            throw new IllegalArgumentException("bad label '" + label + "' for job " + name);
        }
        if (nodes != null) {
            nodes = Collections.unmodifiableSortedSet(new TreeSet<>(nodes));
        }
    }

    /** A job tied to at most one label, on any node that has it. */
    public JobDefinition(String name, String label) {
        this(name, label, null);
    }

    public static JobDefinition anyNode(String name) {
        return new JobDefinition(name, null, null);
    }

    /** A job that only the named nodes may run (an empty set: none, for now). */
    public static JobDefinition onNodes(String name, Set<String> nodes) {
        return new JobDefinition(name, null, Objects.requireNonNull(nodes, "nodes"));
    }

    /** May a node of this name, with these labels, run the job? */
    boolean runsOn(String nodeName, Set<String> nodeLabels) {
        if (nodes != null && !nodes.contains(nodeName)) {
            return false;
        }
        return label == null || label.equals(nodeName) || nodeLabels.contains(label);
    }
}
