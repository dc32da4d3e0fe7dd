package dev.tollgate.pipeline.scheduler;

/** A project's job after the {@code jobs} section is applied. */
public record ResolvedJob(String name, boolean voting, String successMessage, String failureMessage) {
    public boolean isNoop() {
        return name.equals(dev.tollgate.pipeline.layout.PipelineJobs.NOOP);
    }
}
