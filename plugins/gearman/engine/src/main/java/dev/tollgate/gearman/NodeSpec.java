package dev.tollgate.gearman;

import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/** A build node: its name, its labels and how many executors (parallel builds) it has. */
public record NodeSpec(String name, Set<String> labels, int executors) {
    public NodeSpec {
        Objects.requireNonNull(name, "name");
        if (name.isBlank() || name.contains(":") || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("bad node name '" + name + "'");
        }
        for (String l : labels) {
            if (l.isBlank() || l.contains(":") || l.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("bad label '" + l + "' on node " + name);
            }
        }
        labels = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(labels)); // sorted: stable CAN_DO order and node_labels
        if (executors < 0) {
            throw new IllegalArgumentException("negative executor count on node " + name);
        }
    }
}
