package dev.tollgate.pipeline.port;

/**
 * Port: what Jenkins knows of a build the engine launched before a restart. The Jenkins plugin
 * implements it from its queue and its runs (each carries the build id the engine gave it); the
 * scheduler asks it once per open build while it restores its queues
 * ({@code Scheduler.restore}), outside its lock.
 *
 * <p>Contract: answer from what Jenkins holds now (its queue and its runs, the ones still loading
 * included), without waiting for a build. A lookup that throws leaves that build attached, as if it
 * were running (logged): its end is taken when Jenkins reports it, and it is never launched twice.
 * A null answer counts as {@link BuildStatus.Unknown}.
 */
@FunctionalInterface
public interface BuildLookup {
    /**
     * @param buildId the engine's id of the build, which its queue item and run carry
     * @param job     the job it was launched as (where to look for its runs)
     */
    BuildStatus status(String buildId, String job);
}
