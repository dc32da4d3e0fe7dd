package dev.tollgate.gearman;

import java.util.Objects;

/**
 * A job this worker can build. {@code label} restricts it to nodes carrying that label (null:
 * any node), like a Jenkins job tied to a label.
 */
public record JobDefinition(String name, String label) {
    public JobDefinition {
        Objects.requireNonNull(name, "name");
        if (name.isBlank() || name.contains(":") || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("bad job name '" + name + "' (empty, ':' or NUL)");
        }
        if (label != null && (label.isBlank() || label.contains(":"))) {
            throw new IllegalArgumentException("bad label '" + label + "' for job " + name);
        }
    }

    public static JobDefinition anyNode(String name) {
        return new JobDefinition(name, null);
    }
}
