package dev.tollgate.cloud;

/** The engine's answer when an agent connects; anything but ACCEPTED means: refuse the connection. */
public enum ConnectDecision {
    ACCEPTED,
    /** No record asked for an agent of this name (a stray instance, or someone else's agent). */
    UNKNOWN_AGENT,
    /** The record is ending or ended: the instance should not work any more. */
    NOT_LIVE,
    /** The agent is already connected: a second instance attaches under the same name. */
    ALREADY_CONNECTED,
    /** The connecting instance is not the one recorded for this agent (e.g. a duplicate create). */
    WRONG_INSTANCE
}
