package dev.tollgate.pipeline.scheduler;

/**
 * A project's job after the {@code jobs} section is applied.
 *
 * @param attempts how many times in all a build that ends without a result is launched
 */
public record ResolvedJob(String name, boolean voting, String successMessage, String failureMessage, int attempts) {
    public boolean isNoop() {
        return name.equals(dev.tollgate.pipeline.layout.PipelineJobs.NOOP);
    }
}
