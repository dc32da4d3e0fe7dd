package dev.tollgate.cloud.port;

import java.util.Objects;

/**
 * An instance as a driver reports it.
 *
 * @param id                the cloud's instance id (for an unfulfilled spot request: the request id)
 * @param state             normalised state
 * @param fingerprint       read back from the instance's tags; null if it carries none
 * @param address           where the agent can be reached, if known
 * @param interruptionNotice true when the cloud announced it will take the instance away (spot)
 * @param hourlyPrice       price per hour in USD if known (spot bid or on-demand), else NaN
 */
public record CloudInstance(String id, State state, Fingerprint fingerprint, String address,
                            boolean interruptionNotice, double hourlyPrice) {
    public enum State {
        /** Asked for, not yet an instance (unfulfilled spot request). */
        REQUESTED,
        PENDING,
        RUNNING,
        STOPPING,
        TERMINATED,
        /** The cloud refused or lost it (spot request closed without an instance, launch error). */
        FAILED
    }

    public CloudInstance {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(state, "state");
    }

    public boolean isGone() {
        return state == State.TERMINATED || state == State.FAILED;
    }
}
