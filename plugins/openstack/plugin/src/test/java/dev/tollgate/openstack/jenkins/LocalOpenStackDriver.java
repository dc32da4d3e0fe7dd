package dev.tollgate.openstack.jenkins;

import dev.tollgate.cloud.port.CloudDriver;
import dev.tollgate.cloud.port.CloudInstance;
import dev.tollgate.cloud.port.LaunchSpec;
import dev.tollgate.openstack.OpenStackCloudConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The tests' OpenStack: the driver the plugin would build gets its configuration ({@link #CONFIGS}),
 * and each create records a server that stays BUILD ("booting") until {@link #boot} or until its agent
 * connects, with the launch's fingerprint and the environment the agent would get ({@link #LAUNCHES});
 * the agent itself is a local process Jenkins launches. Its state is static, like a cloud's,
 * outliving an engine rebuilt by a save. Thread-safe.
 */
final class LocalOpenStackDriver implements CloudDriver {
    static final List<OpenStackCloudConfig> CONFIGS = new CopyOnWriteArrayList<>();
    static final List<LaunchSpec> LAUNCHES = new CopyOnWriteArrayList<>();
    static final Map<String, CloudInstance> SERVERS = new ConcurrentHashMap<>();
    static final AtomicInteger CREATES = new AtomicInteger();
    static final AtomicInteger DELETES = new AtomicInteger();

    LocalOpenStackDriver(OpenStackCloudConfig config) {
        CONFIGS.add(config);
    }

    static void reset() {
        CONFIGS.clear();
        LAUNCHES.clear();
        SERVERS.clear();
        CREATES.set(0);
        DELETES.set(0);
    }

    /** Servers not deleted. */
    static List<CloudInstance> live() {
        return SERVERS.values().stream().filter(i -> !i.isGone()).toList();
    }

    @Override
    public CloudInstance create(LaunchSpec spec) {
        LAUNCHES.add(spec);
        String id = "server-" + CREATES.incrementAndGet();
        CloudInstance ci = new CloudInstance(id, CloudInstance.State.PENDING, spec.fingerprint(), "192.0.2." + CREATES.get(),
                false, Double.NaN);
        SERVERS.put(id, ci);
        return ci;
    }

    @Override
    public List<CloudInstance> describe(Collection<String> instanceIds) {
        List<CloudInstance> known = new ArrayList<>();
        for (String id : instanceIds) {
            CloudInstance ci = SERVERS.get(id);
            if (ci != null) {
                known.add(ci);
            }
        }
        return known;
    }

    @Override
    public List<CloudInstance> listOwned(String controllerId) {
        return live().stream().filter(i -> i.fingerprint().controllerId().equals(controllerId)).toList();
    }

    @Override
    public void terminate(Collection<String> instanceIds) {
        for (String id : instanceIds) {
            SERVERS.computeIfPresent(id, (k, ci) -> {
                DELETES.incrementAndGet();
                return new CloudInstance(ci.id(), CloudInstance.State.TERMINATED, ci.fingerprint(), null, false, Double.NaN);
            });
        }
    }
}
