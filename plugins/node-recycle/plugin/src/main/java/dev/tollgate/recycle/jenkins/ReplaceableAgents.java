package dev.tollgate.recycle.jenkins;

import hudson.ExtensionPoint;
import java.util.concurrent.CompletionStage;

/**
 * Agents a cloud can replace: it ends the instance behind the agent and removes the agent, and starts
 * a fresh one when work needs it. A cloud plugin implements it with {@code @Extension} (optional, so
 * that it loads without this plugin); node recycling's REPLACE uses it. Called outside the
 * recycler's lock, from any thread; must not block.
 */
public interface ReplaceableAgents extends ExtensionPoint {

    /** Whether this agent belongs to one of the extension's clouds and can be replaced now. */
    boolean owns(String agent);

    /**
     * Starts ending the agent's instance and returns at once; the stage completes when the instance
     * is ended, or exceptionally with the reason it could not be.
     */
    CompletionStage<Void> replace(String agent);
}
