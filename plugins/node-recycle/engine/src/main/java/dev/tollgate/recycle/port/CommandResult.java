package dev.tollgate.recycle.port;

/**
 * How a command run on an agent ended.
 *
 * @param outcome  which way it ended
 * @param exitCode the exit code, only meaningful for {@link Outcome#EXITED}
 * @param output   combined output (or the reason it could not run / the connection error)
 */
public record CommandResult(Outcome outcome, int exitCode, String output) {

    public enum Outcome {
        /** The command ran to its end and reported an exit code. */
        EXITED,
        /** The connection to the agent dropped while the command ran. */
        CONNECTION_LOST,
        /** The command could not be started (agent not connected, launcher error, ...). */
        COULD_NOT_RUN
    }

    public CommandResult {
        if (outcome == null) {
            throw new IllegalArgumentException("outcome is required");
        }
        output = output == null ? "" : output;
    }

    public static CommandResult exited(int exitCode, String output) {
        return new CommandResult(Outcome.EXITED, exitCode, output);
    }

    public static CommandResult connectionLost(String detail) {
        return new CommandResult(Outcome.CONNECTION_LOST, -1, detail);
    }

    public static CommandResult couldNotRun(String reason) {
        return new CommandResult(Outcome.COULD_NOT_RUN, -1, reason);
    }
}
