package dev.tollgate.recycle.jenkins;

import dev.tollgate.recycle.port.CloudAgents;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The engine's {@link CloudAgents} while the suite's clouds are not bound to Jenkins: no agent is
 * one of them. So a REPLACE rule leaves every agent it matches offline, with a cause that says its
 * agent does not come from one of Tollgate's clouds; it never reboots it instead, and it never
 * terminates an agent of another plugin's cloud behind that plugin's back. The cloud-core binding
 * replaces this class. Stateless.
 */
final class NoTollgateClouds implements CloudAgents {
    @Override
    public boolean isCloudAgent(String agent) {
        return false;
    }

    @Override
    public CompletionStage<Void> replace(String agent) {
        // never called: the recycler replaces only agents isCloudAgent accepts
        return CompletableFuture.failedFuture(new IllegalStateException(agent + " is not an agent of Tollgate's clouds"));
    }
}
