package dev.tollgate.gearman.jenkins;

import hudson.slaves.OfflineCause;

/**
 * Why a node went offline after a Gearman build that asked for OFFLINE_NODE_WHEN_COMPLETE: it was
 * single-use, and waits to be recycled. Shown on the node's page. Immutable.
 */
public final class SingleUseOffline extends OfflineCause {
    private final String job;
    private final int number;

    public SingleUseOffline(String job, int number) {
        this.job = job;
        this.number = number;
    }

    public String getJob() {
        return job;
    }

    public int getNumber() {
        return number;
    }

    @Override
    public String toString() {
        return "Single-use node: taken offline after " + job + " #" + number
                + " (Gearman OFFLINE_NODE_WHEN_COMPLETE); bring it back online once it is recycled";
    }
}
