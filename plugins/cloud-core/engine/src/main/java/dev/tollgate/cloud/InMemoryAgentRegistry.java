package dev.tollgate.cloud;

import dev.tollgate.cloud.port.AgentRegistry;
import dev.tollgate.cloud.port.AgentSpec;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An {@link AgentRegistry} in memory, for running the engine without Jenkins (driver peer tests,
 * benchmarks). Connections are reported by the caller through {@link #markConnected}.
 */
public final class InMemoryAgentRegistry implements AgentRegistry {
    private final Map<String, AgentSpec> agents = new LinkedHashMap<>();
    private final Set<String> connected = new LinkedHashSet<>();
    private final Map<String, String> offline = new LinkedHashMap<>();
    private final Map<String, String> rescheduled = new LinkedHashMap<>();
    private final Map<String, String> connectionEnv;

    public InMemoryAgentRegistry() {
        this(Map.of());
    }

    /** @param connectionEnv what every agent is given to connect (controller URL, secret): as the plugin would */
    public InMemoryAgentRegistry(Map<String, String> connectionEnv) {
        this.connectionEnv = Map.copyOf(connectionEnv);
    }

    @Override
    public synchronized void add(AgentSpec agent) {
        agents.put(agent.agentName(), agent);
    }

    @Override
    public synchronized void remove(String agentName) {
        agents.remove(agentName);
        connected.remove(agentName);
    }

    @Override
    public synchronized boolean isConnected(String agentName) {
        return connected.contains(agentName);
    }

    @Override
    public synchronized Set<String> listOwned() {
        return Set.copyOf(agents.keySet());
    }

    @Override
    public synchronized void takeOffline(String agentName, String reason) {
        offline.put(agentName, reason);
    }

    /** The agent's instance connected (the engine notices on its next tick, or call agentConnected). */
    public synchronized void markConnected(String agentName) {
        if (agents.containsKey(agentName)) {
            connected.add(agentName);
        }
    }

    public synchronized Optional<AgentSpec> agent(String agentName) {
        return Optional.ofNullable(agents.get(agentName));
    }

    /** Why the agent was taken offline, if it was. */
    public synchronized Optional<String> offlineReason(String agentName) {
        return Optional.ofNullable(offline.get(agentName));
    }

    @Override
    public synchronized void rescheduleBuilds(String agentName, String reason) {
        rescheduled.put(agentName, reason);
    }

    /** Agents whose running builds the engine asked to abort and queue again, with the reason, in order. */
    public synchronized Map<String, String> rescheduledAgents() {
        return new LinkedHashMap<>(rescheduled);
    }

    /** Every agent taken offline so far, with its reason, in order. */
    public synchronized Map<String, String> offlineAgents() {
        return new LinkedHashMap<>(offline);
    }

    @Override
    public Map<String, String> connectionEnv(String agentName, String templateName) {
        return connectionEnv;
    }
}
