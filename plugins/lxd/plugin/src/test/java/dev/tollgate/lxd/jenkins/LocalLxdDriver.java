package dev.tollgate.lxd.jenkins;

import dev.tollgate.cloud.port.CloudDriver;
import dev.tollgate.cloud.port.CloudInstance;
import dev.tollgate.cloud.port.LaunchSpec;
import dev.tollgate.lxd.LxdCloudConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The tests' LXD: the driver the plugin would build gets its configuration ({@link #CONFIGS}) and
 * each create records a running "instance" with the launch's fingerprint and the environment the
 * agent would get ({@link #LAUNCHES}); the agent itself is a local process Jenkins launches. Its
 * state is static, like a daemon's, outliving an engine rebuilt by a save. Thread-safe.
 */
final class LocalLxdDriver implements CloudDriver {
    static final List<LxdCloudConfig> CONFIGS = new CopyOnWriteArrayList<>();
    static final List<LaunchSpec> LAUNCHES = new CopyOnWriteArrayList<>();
    static final Map<String, CloudInstance> INSTANCES = new ConcurrentHashMap<>();
    static final AtomicInteger CREATES = new AtomicInteger();
    static final AtomicInteger DELETES = new AtomicInteger();

    LocalLxdDriver(LxdCloudConfig config) {
        CONFIGS.add(config);
    }

    static void reset() {
        CONFIGS.clear();
        LAUNCHES.clear();
        INSTANCES.clear();
        CREATES.set(0);
        DELETES.set(0);
    }

    /** Instances not deleted. */
    static List<CloudInstance> running() {
        return INSTANCES.values().stream().filter(i -> !i.isGone()).toList();
    }

    @Override
    public CloudInstance create(LaunchSpec spec) {
        LAUNCHES.add(spec);
        String name = "lxd-" + CREATES.incrementAndGet();
        CloudInstance ci = new CloudInstance(name, CloudInstance.State.RUNNING, spec.fingerprint(), null, false, Double.NaN);
        INSTANCES.put(name, ci);
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
        return running().stream().filter(i -> i.fingerprint().controllerId().equals(controllerId)).toList();
    }

    @Override
    public void terminate(Collection<String> instanceIds) {
        for (String id : instanceIds) {
            INSTANCES.computeIfPresent(id, (k, ci) -> {
                DELETES.incrementAndGet();
                return new CloudInstance(ci.id(), CloudInstance.State.TERMINATED, ci.fingerprint(), null, false, Double.NaN);
            });
        }
    }
}
