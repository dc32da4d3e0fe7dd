package dev.tollgate.cloud;

import dev.tollgate.cloud.port.AgentRegistry;
import dev.tollgate.cloud.port.AgentSpec;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/** The controller's agents, in memory. */
final class FakeRegistry implements AgentRegistry {
    final Map<String, AgentSpec> agents = new LinkedHashMap<>();
    final Set<String> connected = new LinkedHashSet<>();
    final Map<String, String> offline = new LinkedHashMap<>();
    final Map<String, String> rescheduled = new LinkedHashMap<>();
    final List<String> log = new CopyOnWriteArrayList<>();
    /** Next add throws: the controller "crashes" before the agent is registered. */
    volatile int crashOnAdd;

    @Override
    public synchronized void add(AgentSpec agent) {
        if (crashOnAdd > 0) {
            crashOnAdd--;
            throw new IllegalStateException("controller crashed before registering " + agent.agentName());
        }
        agents.put(agent.agentName(), agent);
        log.add("add " + agent.agentName());
    }

    @Override
    public synchronized void remove(String agentName) {
        agents.remove(agentName);
        connected.remove(agentName);
        log.add("remove " + agentName);
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
        log.add("offline " + agentName);
    }

    @Override
    public synchronized void rescheduleBuilds(String agentName, String reason) {
        rescheduled.put(agentName, reason);
        log.add("reschedule " + agentName);
    }

    @Override
    public Map<String, String> connectionEnv(String agentName, String templateName) {
        return Map.of("JENKINS_URL", "http://controller:8080/", "JENKINS_SECRET", "s3cret-" + agentName);
    }

    synchronized void connect(String agentName) {
        connected.add(agentName);
    }

    synchronized void plantAgent(String name) {
        agents.put(name, new AgentSpec(name, "small", Set.of("linux"), 1, null));
    }
}
