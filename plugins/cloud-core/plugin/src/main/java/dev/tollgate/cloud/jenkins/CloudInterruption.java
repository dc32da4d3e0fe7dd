package dev.tollgate.cloud.jenkins;

import jenkins.model.CauseOfInterruption;

/**
 * Why a build was aborted by one of the suite's clouds: its agent's instance is going away (a spot
 * interruption notice). Shown on the build's page and in its log; another plugin can recognise a
 * build that did not fail on its own by this cause (the gerrit-pipeline plugin relaunches such a
 * build as one that ended without a result). Immutable.
 */
public final class CloudInterruption extends CauseOfInterruption {
    private static final long serialVersionUID = 1L;

    private final String agentName;
    private final String reason;

    public CloudInterruption(String agentName, String reason) {
        this.agentName = agentName;
        this.reason = reason;
    }

    public String getAgentName() {
        return agentName;
    }

    public String getReason() {
        return reason;
    }

    @Override
    public String getShortDescription() {
        return "Aborted by spot interruption of agent " + agentName + " (" + reason + "); the build goes back to the queue";
    }
}
