package dev.tollgate.gearman;

import java.util.Map;

/**
 * A build Gearman asked for: the job, the parameters exactly as the client sent them, the
 * client's unique id (Zuul's ZUUL_UUID) and where it must run.
 */
public record BuildRequest(String jobName, Map<String, String> parameters, String uniqueId,
        String nodeName, String executorId, boolean offlineNodeWhenComplete) {
    public BuildRequest {
        parameters = Map.copyOf(parameters);
    }

    /** Parameter values are left out: they may hold credentials. */
    @Override
    public String toString() {
        return "BuildRequest[" + jobName + " on " + executorId + ", unique " + uniqueId + ", "
                + parameters.size() + " parameters" + (offlineNodeWhenComplete ? ", offline when complete" : "") + "]";
    }
}
