package dev.tollgate.recycle;

/** Where one agent's recycle stands. */
public enum RecycleState {
    /** The build-completion hook is running; the agent is about to be taken offline. */
    BUILD_FINISHING,
    /** Offline, no new build can start; waiting for the next tick (and for busy executors) to act. */
    OFFLINE_TAKEN,
    /** The reboot command was started and has not reported yet. */
    REBOOT_SENT,
    /** The reboot command was accepted; the agent is still connected (e.g. {@code shutdown -r +1}). */
    WAITING_DISCONNECT,
    /** The agent was seen disconnected; waiting for it to connect again. */
    WAITING_RECONNECT,
    /** Came back and was brought online. Done. */
    ONLINE,
    /** The cloud was asked to end the instance. */
    REPLACING,
    /** The cloud ended the instance. Done. */
    REPLACED,
    /** The policy is OFFLINE: taken offline and left there for a person. Done. */
    LEFT_OFFLINE,
    /** Something went wrong; the agent stays offline with a cause that says why. Done. */
    FAILED_STAYS_OFFLINE;

    public boolean isTerminal() {
        return this == ONLINE || this == REPLACED || this == LEFT_OFFLINE || this == FAILED_STAYS_OFFLINE;
    }
}
