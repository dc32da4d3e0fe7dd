package dev.tollgate.gearman.jenkins;

import jenkins.model.CauseOfInterruption;

/** Shown on a build that Zuul stopped through {@code stop:<manager>}. */
public final class GearmanStop extends CauseOfInterruption {
    private static final long serialVersionUID = 1L;

    @Override
    public String getShortDescription() {
        return "Stopped by Zuul over Gearman (the change left its pipeline, or was superseded)";
    }
}
