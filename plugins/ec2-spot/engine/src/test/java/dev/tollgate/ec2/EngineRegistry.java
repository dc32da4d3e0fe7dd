package dev.tollgate.ec2;

import dev.tollgate.cloud.port.AgentRegistry;
import dev.tollgate.cloud.port.AgentSpec;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** The controller's agent list as the lifecycle engine sees it, in memory. */
final class EngineRegistry implements AgentRegistry {
    final Map<String, AgentSpec> agents = new LinkedHashMap<>();
    final Set<String> connected = new LinkedHashSet<>();
    final Map<String, String> offline = new LinkedHashMap<>();

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

    @Override
    public Map<String, String> connectionEnv(String agentName, String templateName) {
        return Map.of("JENKINS_URL", "https://ci.example.org/", "JENKINS_SECRET", Ec2Fixture.SECRET);
    }

    synchronized void connect(String agentName) {
        connected.add(agentName);
    }

    synchronized AgentSpec agent(String name) {
        return agents.get(name);
    }
}
