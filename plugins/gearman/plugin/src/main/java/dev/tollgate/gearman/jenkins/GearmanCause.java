package dev.tollgate.gearman.jenkins;

import hudson.model.Cause;

/** Why the build runs, shown on the build page: a Gearman job, from Zuul. Immutable. */
public final class GearmanCause extends Cause {
    private final String uniqueId;
    private final String pipeline;
    private final String changes;

    /**
     * @param pipeline Zuul's ZUUL_PIPELINE, or null
     * @param changes  Zuul's ZUUL_CHANGE_IDS (e.g. {@code 12345,3}), or null
     */
    public GearmanCause(String uniqueId, String pipeline, String changes) {
        this.uniqueId = uniqueId;
        this.pipeline = pipeline;
        this.changes = changes;
    }

    public String getUniqueId() {
        return uniqueId;
    }

    public String getPipeline() {
        return pipeline;
    }

    public String getChanges() {
        return changes;
    }

    @Override
    public String getShortDescription() {
        StringBuilder b = new StringBuilder("Started by Gearman");
        if (pipeline != null && !pipeline.isBlank()) {
            b.append(", Zuul pipeline ").append(pipeline);
        }
        if (changes != null && !changes.isBlank()) {
            b.append(", changes ").append(changes);
        }
        if (uniqueId != null && !uniqueId.isBlank()) {
            b.append(" (job ").append(uniqueId).append(')');
        }
        return b.toString();
    }
}
