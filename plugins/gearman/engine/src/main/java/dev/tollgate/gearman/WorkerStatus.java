package dev.tollgate.gearman;

import java.time.Instant;
import java.util.List;
import java.util.SortedSet;

/** A snapshot of the worker for a status page: every connection and every executor. */
public record WorkerStatus(List<Connection> connections, List<Executor> executors, int undeliveredResults) {

    public enum ConnectionState { CONNECTING, IDLE, GRABBING, SLEEPING, CLOSED }

    /**
     * One connection to one server.
     *
     * @param owner the executor id, or "manager" for the management connection
     * @param since when the state last changed
     * @param lastHeard when the server last sent a packet on the current session, or null
     * @param lastError why the connection last failed, or null
     */
    public record Connection(GearmanServerAddress server, String owner, ConnectionState state,
            Instant since, Instant lastHeard, SortedSet<String> registeredFunctions, String lastError) { }

    /** One executor and the build it runs (null fields when idle). */
    public record Executor(String id, String nodeName, boolean acceptingJobs, String currentJob,
            Integer currentBuildNumber, String currentUniqueId) { }

    public Connection connection(GearmanServerAddress server, String owner) {
        return connections.stream().filter(c -> c.server().equals(server) && c.owner().equals(owner))
                .findFirst().orElse(null);
    }
}
