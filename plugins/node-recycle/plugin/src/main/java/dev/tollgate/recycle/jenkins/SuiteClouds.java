package dev.tollgate.recycle.jenkins;

import dev.tollgate.recycle.port.CloudAgents;
import hudson.ExtensionList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The engine's {@link CloudAgents}: the suite's clouds, as the {@link ReplaceableAgents} extensions
 * installed plugins contribute (the cloud-core plugin contributes one for every Tollgate cloud). An
 * agent none of them owns is not a cloud agent: a REPLACE rule leaves it offline, with a cause that
 * says its agent does not come from one of Tollgate's clouds; it never reboots it instead, and it
 * never terminates an agent of another plugin's cloud behind that plugin's back. This plugin does not
 * depend on any cloud plugin. Stateless; the extensions are looked up on every call.
 */
final class SuiteClouds implements CloudAgents {
    @Override
    public boolean isCloudAgent(String agent) {
        return owner(agent) != null;
    }

    @Override
    public CompletionStage<Void> replace(String agent) {
        ReplaceableAgents owner = owner(agent);
        if (owner == null) {
            return CompletableFuture.failedFuture(new IllegalStateException(agent + " is not an agent of Tollgate's clouds"));
        }
        return owner.replace(agent);
    }

    private static ReplaceableAgents owner(String agent) {
        for (ReplaceableAgents a : ExtensionList.lookup(ReplaceableAgents.class)) {
            if (a.owns(agent)) {
                return a;
            }
        }
        return null;
    }
}
