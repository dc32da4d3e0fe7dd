package dev.tollgate.recycle.port;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Port: the agents as the controller sees them. In Jenkins: the agent's {@code Computer}.
 * The recycler never holds its lock while it calls a port, so an implementation may take Jenkins'
 * locks and may call back into the recycler from any thread, its own included. Calls for one agent
 * come one at a time, in the order the recycler decided them.
 */
public interface AgentControl {

    /**
     * Marks the agent temporarily offline with this cause, or replaces the cause if it is already
     * offline. Must take effect before returning: once it returns, no new build may start there.
     */
    void takeOffline(String agent, String cause) throws Exception;

    /** Clears the temporary-offline mark so builds can run there again. */
    void bringOnline(String agent) throws Exception;

    /** Whether the agent currently has a live connection to the controller. */
    boolean isConnected(String agent);

    /**
     * Whether any executor of the agent is still running something. The recycler does not reboot
     * a busy agent: it waits, offline, until the agent is idle (another build on a second executor,
     * or the finishing executor itself).
     */
    default boolean isBusy(String agent) {
        return false;
    }

    /**
     * Starts a shell command line on the agent and returns at once; the stage completes when the
     * command ends. Complete it with {@link CommandResult#connectionLost} when the connection to the
     * agent dropped while it ran (normal for an immediate reboot), with
     * {@link CommandResult#couldNotRun} when it could not be started. An exceptional completion
     * counts as "could not run".
     */
    CompletionStage<CommandResult> runCommand(String agent, String commandLine);

    /**
     * {@link #runCommand(String, String)}, told how long the recycler waits for the result: past
     * that the recycle has failed (if the agent is still connected) and the result no longer
     * matters, so an implementation may stop the command a little later to free what waits for
     * it. The recycler calls this one.
     */
    default CompletionStage<CommandResult> runCommand(String agent, String commandLine, Duration timeout) {
        return runCommand(agent, commandLine);
    }
}
