package dev.tollgate.cloud;

/** Where one agent's instance is in its life. */
public enum AgentState {
    /** Record written; create in flight, outcome unknown, or a spot request not yet fulfilled. */
    REQUESTED,
    /** The cloud accepted the instance; it is booting. */
    PENDING,
    /** The cloud reports it running; the agent has not connected (yet, or again). */
    RUNNING,
    /** Agent connected, no build run yet. */
    CONNECTED,
    /** Agent connected and running at least one build. */
    BUSY,
    /** Agent connected, between builds. */
    IDLE,
    /** Agent removed; the instance is being ended (terminate retried until it succeeds). */
    TERMINATING,
    /** Ended normally. */
    TERMINATED,
    /** Ended after a failure (create refused, never connected, lost by the cloud). */
    FAILED;

    /** True once nothing remains to do for the record. */
    public boolean isEnded() {
        return this == TERMINATED || this == FAILED;
    }

    /** True while the record wants an instance and an agent (not ending, not ended). */
    public boolean isLive() {
        return !isEnded() && this != TERMINATING;
    }

    /** True while the agent is connected. */
    public boolean isConnected() {
        return this == CONNECTED || this == BUSY || this == IDLE;
    }

    /** True while the instance has been asked for but the agent has not connected. */
    public boolean isAwaitingConnection() {
        return this == REQUESTED || this == PENDING || this == RUNNING;
    }

    /** True while the record counts against the instance caps (everything that may still cost money). */
    public boolean countsAgainstCap() {
        return !isEnded();
    }
}
