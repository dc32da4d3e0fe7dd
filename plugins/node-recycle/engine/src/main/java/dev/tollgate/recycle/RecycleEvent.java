package dev.tollgate.recycle;

import java.time.Instant;

/**
 * Something worth logging or notifying about. Failures are reported exactly once per recycle.
 *
 * @param agent   the node name
 * @param kind    what happened
 * @param message human text, the same that is put into the offline cause for failures
 * @param at      clock time of the event
 */
public record RecycleEvent(String agent, Kind kind, String message, Instant at) {

    public enum Kind {
        /** Taken offline after a build; the recycle started. */
        STARTED(false),
        /** The policy is OFFLINE: taken offline and left there for a person. */
        LEFT_OFFLINE(false),
        /** The reboot command exited 0; waiting for the agent to go down and come back. */
        REBOOT_ACCEPTED(false),
        /** Rebooted and back online. */
        BACK_ONLINE(false),
        /** The cloud ended the instance. */
        REPLACED(false),
        /** The reboot command ran, but the agent was still connected after the disconnect timeout. Recycle goes on. */
        SLOW_TO_DISCONNECT(false),
        /** The agent could not be taken offline; nothing else was done. */
        OFFLINE_FAILED(true),
        /** The reboot command exited non-zero, could not run, or never finished. */
        REBOOT_COMMAND_FAILED(true),
        /** Not back (or never went down) within the reconnect timeout. */
        DID_NOT_COME_BACK(true),
        /** Came back but could not be brought online. */
        ONLINE_FAILED(true),
        /** The cloud could not end the instance, or the agent is not a cloud agent. */
        REPLACEMENT_FAILED(true);

        private final boolean failure;

        Kind(boolean failure) {
            this.failure = failure;
        }

        public boolean isFailure() {
            return failure;
        }
    }
}
