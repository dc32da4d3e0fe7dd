package dev.tollgate.cloud.port;

import java.util.Collection;
import java.util.List;

/**
 * Port: one cloud (EC2, OpenStack, libvirt, LXD) as the lifecycle engine sees it. Implementations
 * are thin translations onto the cloud's API; caps, timeouts, retries and reaping live in the engine.
 * Called from several threads at once (creates run concurrently), never while the engine holds its lock.
 */
public interface CloudDriver {

    /**
     * Starts one instance for the template, applying the fingerprint at creation (tags, metadata,
     * labels: whatever the cloud has) so that {@link #listOwned} finds it even if the controller
     * crashes before it records the instance. Returns as soon as the cloud accepted the request; the
     * instance is usually still pending. A spot request that is not fulfilled yet is returned with
     * {@link CloudInstance.State#REQUESTED}.
     */
    CloudInstance create(LaunchSpec spec) throws CloudException;

    /**
     * Current state of the given instances, in as few calls as the cloud allows (batched). For a spot
     * request that has become an instance, report the instance (its own id, same fingerprint): the engine
     * matches by id, then by the fingerprint's agent name. Ids the cloud does not know (yet) are best
     * omitted; a NOT_FOUND for the whole batch makes the engine skip that round.
     */
    List<CloudInstance> describe(Collection<String> instanceIds) throws CloudException;

    /**
     * Everything in this cloud that carries the given controller's fingerprint, in one batched listing,
     * with the fingerprint read back: instances, and spot requests not yet fulfilled (as REQUESTED).
     * Entries already gone may be included or left out.
     */
    List<CloudInstance> listOwned(String controllerId) throws CloudException;

    /** Ends the instances (and cancels their spot requests). Ending an instance that is gone is not an error. */
    void terminate(Collection<String> instanceIds) throws CloudException;

    /**
     * Which of the given live instances the cloud has announced it will take away soon (EC2's spot
     * two-minute notice), in one batched call. This is the fallback to the agent's side reporting the
     * notice it read inside the instance ({@code CloudEngine.interruptionNoticed}): the engine asks
     * every {@code CloudSettings.interruptionCheckInterval}, only while connected agents exist whose
     * side has not reported within {@code CloudSettings.agentReportWindow}, and passes those agents'
     * instance ids only, so that such an agent goes offline before its build is killed. Clouds without
     * such notices keep the default.
     */
    default List<String> interruptedInstances(Collection<String> liveInstanceIds) throws CloudException {
        return List.of();
    }
}
