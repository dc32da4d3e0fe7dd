package dev.tollgate.recycle.jenkins;

import hudson.Extension;
import hudson.model.Executor;
import hudson.model.ExecutorListener;
import hudson.model.Queue;

/**
 * Where recycling starts: Jenkins calls every {@code ExecutorListener} extension from
 * {@code WorkUnitContext.synchronizeEnd}, in {@code Executor.finish1}, before {@code finish2}
 * releases the executor and asks the queue for new work; for freestyle builds and for Pipeline
 * {@code node} blocks ({@code Executor.completedAsynchronous}) alike. So the agent is offline
 * before any other build can be given to it. Runs on the finishing executor's thread (or the
 * thread completing a Pipeline block); quick: no remote call.
 */
@Extension
public final class BuildCompletionHook implements ExecutorListener {
    @Override
    public void taskCompleted(Executor executor, Queue.Task task, long durationMS) {
        RecycleRuntime.get().taskCompleted(executor);
    }

    @Override
    public void taskCompletedWithProblems(Executor executor, Queue.Task task, long durationMS, Throwable problems) {
        RecycleRuntime.get().taskCompleted(executor);
    }
}
