package dev.tollgate.gearman;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One build started for one Gearman job, from assignment until its result is forgotten.
 *
 * <p>Threading: guarded by the worker's lock.
 */
final class BuildRun {
    /** One job handle on one TCP session: where this build's progress and result go. */
    record Target(Session session, String handle) { }

    final String function;
    final String unique;
    final String jobName;
    final Map<String, String> parameters;
    final ExecutorState executor;
    final String nodeName;
    final boolean offlineWhenComplete;
    final Instant assignedAt;
    /** Every live assignment (session and handle) of this build. */
    final List<Target> targets = new ArrayList<>();
    boolean queued;
    Integer number;
    String url;
    Duration estimate = Duration.ZERO;
    boolean abortRequested;
    boolean completing;
    boolean finished;
    boolean delivered;
    String result;
    Instant finishedAt;

    BuildRun(String function, String unique, String jobName, Map<String, String> parameters,
            ExecutorState executor, String nodeName, boolean offlineWhenComplete, Instant assignedAt) {
        this.function = function;
        this.unique = unique;
        this.jobName = jobName;
        this.parameters = parameters;
        this.executor = executor;
        this.nodeName = nodeName;
        this.offlineWhenComplete = offlineWhenComplete;
        this.assignedAt = assignedAt;
    }
}
