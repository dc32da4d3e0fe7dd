package dev.tollgate.cloud.jenkins;

import dev.tollgate.cloud.port.CloudDriver;
import dev.tollgate.cloud.port.CloudInstance;
import dev.tollgate.cloud.port.LaunchSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cloud of local "instances" for tests: each create records a running instance carrying the
 * fingerprint; the agent itself is a local process Jenkins launches ({@link LocalCloud#launcher}).
 * Its state is static, so it outlives a Jenkins restart within one test JVM, as a real cloud
 * outlives the controller. Thread-safe.
 */
final class LocalDriver implements CloudDriver {
    static final Map<String, CloudInstance> INSTANCES = new ConcurrentHashMap<>();
    static final AtomicInteger CREATES = new AtomicInteger();
    static final AtomicInteger TERMINATES = new AtomicInteger();

    static void reset() {
        INSTANCES.clear();
        CREATES.set(0);
        TERMINATES.set(0);
    }

    /** Instances not ended. */
    static List<CloudInstance> running() {
        return INSTANCES.values().stream().filter(i -> !i.isGone()).toList();
    }

    @Override
    public CloudInstance create(LaunchSpec spec) {
        String id = "local-" + CREATES.incrementAndGet();
        CloudInstance ci = new CloudInstance(id, CloudInstance.State.RUNNING, spec.fingerprint(), "127.0.0.1", false, 0.05);
        INSTANCES.put(id, ci);
        return ci;
    }

    @Override
    public List<CloudInstance> describe(Collection<String> instanceIds) {
        List<CloudInstance> known = new ArrayList<>();
        for (String id : instanceIds) {
            CloudInstance ci = INSTANCES.get(id);
            if (ci != null) {
                known.add(ci);
            }
        }
        return known;
    }

    @Override
    public List<CloudInstance> listOwned(String controllerId) {
        return running().stream().filter(i -> i.fingerprint() != null && i.fingerprint().controllerId().equals(controllerId)).toList();
    }

    @Override
    public void terminate(Collection<String> instanceIds) {
        for (String id : instanceIds) {
            INSTANCES.computeIfPresent(id, (k, ci) -> {
                TERMINATES.incrementAndGet();
                return new CloudInstance(ci.id(), CloudInstance.State.TERMINATED, ci.fingerprint(), ci.address(), false,
                        ci.hourlyPrice());
            });
        }
    }
}
