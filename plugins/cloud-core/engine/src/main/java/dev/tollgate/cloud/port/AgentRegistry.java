package dev.tollgate.cloud.port;

import java.util.Map;
import java.util.Set;

/**
 * Port: the controller's list of agents (Jenkins nodes), as far as one cloud is concerned. Calls may
 * come from any thread and several at once. The engine never holds its lock while it calls here, so an
 * implementation may take the controller's locks (Jenkins' queue lock) and may call back into the
 * engine, from this thread or another.
 */
public interface AgentRegistry {

    /** Adds the agent so that its instance can connect. Adding an agent that exists replaces it. */
    void add(AgentSpec agent);

    /** Removes the agent. Removing an agent that does not exist is not an error. */
    void remove(String agentName);

    /** True while the agent is connected to the controller. */
    boolean isConnected(String agentName);

    /** Names of every agent this cloud owns in the registry, connected or not. */
    Set<String> listOwned();

    /**
     * Takes the agent offline at once (no new builds) and reports why, e.g. a spot interruption notice,
     * so the plugin can reschedule the build that ran there. The engine removes the agent later.
     */
    void takeOffline(String agentName, String reason);

    /**
     * The agent's instance is going away (spot interruption notice): abort the builds running on it and
     * put them back in the queue, so they run elsewhere instead of failing with the instance. Called
     * right after {@link #takeOffline}, only when the engine counts a build running there. Must not
     * wait for the build to stop. Default: nothing (the build fails when the instance goes).
     */
    default void rescheduleBuilds(String agentName, String reason) {
    }

    /**
     * What an instance needs to connect as this agent (controller URL, agent secret, ...). It goes into
     * {@link LaunchSpec#agentEnv()} and never into logs. Default: nothing.
     */
    default Map<String, String> connectionEnv(String agentName, String templateName) {
        return Map.of();
    }
}
