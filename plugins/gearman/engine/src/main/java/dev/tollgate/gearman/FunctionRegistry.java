package dev.tollgate.gearman;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Which Gearman functions each connection registers: {@code build:<job>} and
 * {@code build:<job>:<label>} on executor connections, the management functions on the manager's.
 * A change (jobs, a node's labels or executors) is sent as the difference only: {@code CANT_DO}
 * for what went, {@code CAN_DO} for what is new ({@link ServerConnection#register}).
 *
 * <p>Threading: guarded by the worker's lock; every method is called with it held, changes memory
 * and queues packets only, and calls no port.
 */
final class FunctionRegistry {
    static final String BUILD_PREFIX = "build:";

    private final SortedSet<String> managementFunctions;
    private List<JobDefinition> jobs = List.of();

    FunctionRegistry(Collection<String> managementFunctions) {
        this.managementFunctions = new TreeSet<>(managementFunctions);
    }

    void setJobs(List<JobDefinition> jobs) {
        this.jobs = List.copyOf(jobs);
    }

    /** The functions a connection should have registered right now. */
    SortedSet<String> desired(ServerConnection c) {
        ExecutorState ex = c.executor();
        if (ex == null) {
            return new TreeSet<>(managementFunctions);
        }
        if (ex.retired || c.isClosed()) {
            return new TreeSet<>();
        }
        return functionsFor(ex.node.spec, jobs);
    }

    /** Brings the connection's registration to what it should be (nothing while it has no session). */
    void sync(ServerConnection c) {
        c.register(desired(c));
    }

    /**
     * {@code build:<job>} plus {@code build:<job>:<label>} for every label of the node and for the
     * node's own name (Jenkins treats a node's name as a label, and Zuul's ZUUL_NODE uses it), for
     * each job the node may run ({@link JobDefinition#runsOn}).
     */
    static SortedSet<String> functionsFor(NodeSpec node, Collection<JobDefinition> jobs) {
        Set<String> labels = new LinkedHashSet<>(node.labels());
        labels.add(node.name());
        SortedSet<String> fns = new TreeSet<>();
        if (node.executors() == 0) {
            return fns;
        }
        for (JobDefinition j : jobs) {
            if (!j.runsOn(node.name(), node.labels())) {
                continue;
            }
            fns.add(BUILD_PREFIX + j.name());
            for (String l : labels) {
                fns.add(BUILD_PREFIX + j.name() + ":" + l);
            }
        }
        return fns;
    }

    /** The job a build function runs: {@code build:gate-nova:trusty} → {@code gate-nova}. */
    static String jobNameOf(String function) {
        String rest = function.startsWith(BUILD_PREFIX) ? function.substring(BUILD_PREFIX.length()) : function;
        int colon = rest.indexOf(':');
        return colon < 0 ? rest : rest.substring(0, colon);
    }
}
