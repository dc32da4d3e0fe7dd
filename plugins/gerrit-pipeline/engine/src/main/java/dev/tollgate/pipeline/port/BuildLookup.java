package dev.tollgate.pipeline.port;

/**
 * Port: what Jenkins knows of a build the engine launched before a restart. The Jenkins plugin
 * implements it from its queue and its runs (each carries the build id the engine gave it); the
 * scheduler asks it once per open build while it restores its queues
 * ({@code Scheduler.restore}), outside its lock.
 *
 * <p>Contract: answer from what Jenkins holds now, without waiting for a build. A lookup that
 * throws stops the restore before it decides anything about that build (see
 * {@code Scheduler.restore}); a null answer counts as {@link BuildStatus.Unknown}.
 */
@FunctionalInterface
public interface BuildLookup {
    BuildStatus status(String buildId);
}
