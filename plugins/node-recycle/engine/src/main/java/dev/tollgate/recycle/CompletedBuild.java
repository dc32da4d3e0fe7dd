package dev.tollgate.recycle;

import dev.tollgate.common.BuildResult;
import java.util.Objects;
import java.util.Set;

/**
 * A build that has just finished on an agent, as the executor-completion hook sees it.
 *
 * @param agent  the node name
 * @param labels the node's labels (used to pick a {@link RecyclePolicy})
 * @param job    full job name, only for texts
 * @param number build number; with {@code job} it identifies the build, so a second report of the
 *               same build (two Jenkins hooks firing) is recognised as a duplicate
 * @param result the build's result
 */
public record CompletedBuild(String agent, Set<String> labels, String job, int number, BuildResult result) {

    public CompletedBuild {
        if (agent == null || agent.isBlank()) {
            throw new IllegalArgumentException("agent name is required");
        }
        labels = labels == null ? Set.of() : Set.copyOf(labels);
        job = job == null || job.isBlank() ? "build" : job;
        Objects.requireNonNull(result, "result");
    }

    /** e.g. {@code check-tempest #42 (FAILURE)} */
    public String describe() {
        return job + " #" + number + " (" + result + ")";
    }

    /** Which build this is, whatever hook reported it. */
    Key key() {
        return new Key(job, number);
    }

    record Key(String job, int number) {
    }
}
