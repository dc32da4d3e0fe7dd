package dev.tollgate.recycle;

/** What happens to an agent after a build. */
public enum RecycleMode {
    /** Run the reboot command on the agent, wait for it to go down and come back, bring it online. */
    REBOOT,
    /**
     * Take the agent offline with a cause that says why, and leave it there: a person (or a script
     * of the site's) checks the machine and brings it back online.
     */
    OFFLINE,
    /** End the cloud instance behind the agent; the cloud starts a fresh one on demand. */
    REPLACE,
    /** Leave the agent alone. */
    NONE
}
