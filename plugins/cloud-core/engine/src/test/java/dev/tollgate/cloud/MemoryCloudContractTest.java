package dev.tollgate.cloud;

import dev.tollgate.cloud.contract.CloudDriverContract;
import dev.tollgate.cloud.port.CloudDriver;
import dev.tollgate.cloud.port.CloudException;
import dev.tollgate.cloud.port.CloudException.Kind;
import dev.tollgate.cloud.port.CloudInstance;
import dev.tollgate.cloud.port.Fingerprint;
import dev.tollgate.cloud.port.LaunchSpec;
import dev.tollgate.testing.ManualClock;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The driver contract suite on cloud-core's own in-memory cloud ({@link FaultyCloudDriver} behind a
 * driver that knows one template and makes a launch idempotent), so the suite itself is exercised here.
 * {@link ContractCatchesBrokenDriversTest} breaks this driver on purpose and checks the suite notices.
 */
public class MemoryCloudContractTest extends CloudDriverContract {

    /** Ways to break the in-memory driver; all off is a correct driver. */
    static final class Breakage {
        boolean twinOnRetry;
        boolean listsEveryone;
        boolean terminateUnknownFails;
        boolean silentWhenUnreachable;
        boolean noFingerprint;
    }

    /** Read by {@link #open}: subclasses in {@link ContractCatchesBrokenDriversTest} set one field. */
    Breakage breakage() {
        return new Breakage();
    }

    @Override
    protected Subject open(ManualClock clock) {
        FaultyCloudDriver cloud = new FaultyCloudDriver(clock);
        Breakage b = breakage();
        MemoryDriver driver = new MemoryDriver(cloud, b, false);
        return new Subject() {
            @Override
            public CloudDriver driver() {
                return driver;
            }

            @Override
            public String cloudName() {
                return "mem";
            }

            @Override
            public String templateName() {
                return "small";
            }

            @Override
            public String unknownInstanceId() {
                return "i-999999";
            }

            @Override
            public Set<String> liveInPeer(String controllerId) {
                return cloud.all().stream().filter(i -> i.fp != null && controllerId.equals(i.fp.controllerId()))
                        .filter(i -> !i.view(clock.instant()).isGone()).map(i -> i.id).collect(Collectors.toSet());
            }

            @Override
            public String plantUnmarked() {
                // the in-memory cloud keeps a fingerprint on everything: a stranger's stands for "unmarked"
                return cloud.plant(new Fingerprint("someone-else", "elsewhere", "theirs", "theirs-1", Instant.EPOCH));
            }

            @Override
            public CloudDriver unreachableDriver() {
                return new MemoryDriver(cloud, b, true);
            }

            @Override
            public boolean failNext(Op op, Kind kind) {
                cloud.failNext(FaultyCloudDriver.Op.valueOf(op.name()), 1, kind);
                return true;
            }

            @Override
            public void close() {
            }
        };
    }

    /** A driver over the in-memory cloud: one template, launches made idempotent by agent and created-at. */
    static final class MemoryDriver implements CloudDriver {
        private final FaultyCloudDriver cloud;
        private final Breakage b;
        private final boolean unreachable;
        private final Map<String, String> launches = new HashMap<>();

        MemoryDriver(FaultyCloudDriver cloud, Breakage b, boolean unreachable) {
            this.cloud = cloud;
            this.b = b;
            this.unreachable = unreachable;
        }

        private void reach() throws CloudException {
            if (unreachable && !b.silentWhenUnreachable) {
                throw new CloudException(Kind.TRANSIENT, null, "connection refused");
            }
        }

        @Override
        public CloudInstance create(LaunchSpec spec) throws CloudException {
            reach();
            if (!spec.templateName().equals("small")) {
                throw new CloudException(Kind.PERMANENT, "UnknownTemplate", "no template " + spec.templateName());
            }
            String key = spec.fingerprint().controllerId() + "|" + spec.agentName() + "|" + spec.fingerprint().createdAt();
            synchronized (launches) {
                String made = launches.get(key);
                if (made != null && !b.twinOnRetry) {
                    return cloud.describe(List.of(made)).get(0);
                }
            }
            LaunchSpec sent = b.noFingerprint ? new LaunchSpec(spec.templateName(), spec.agentName(),
                    new Fingerprint("nobody", "none", "none", spec.agentName(), Instant.EPOCH), spec.agentEnv()) : spec;
            CloudInstance ci = cloud.create(sent);
            synchronized (launches) {
                launches.put(key, ci.id());
            }
            return ci;
        }

        @Override
        public List<CloudInstance> describe(Collection<String> ids) throws CloudException {
            reach();
            return unreachable ? List.of() : cloud.describe(ids);
        }

        @Override
        public List<CloudInstance> listOwned(String controllerId) throws CloudException {
            reach();
            if (unreachable) {
                return List.of();
            }
            if (b.listsEveryone) {
                return cloud.all().stream().map(i -> i.view(Instant.MIN)).toList();
            }
            return cloud.listOwned(controllerId);
        }

        @Override
        public void terminate(Collection<String> ids) throws CloudException {
            reach();
            if (unreachable) {
                return;
            }
            if (b.terminateUnknownFails) {
                for (String id : ids) {
                    if (cloud.get(id) == null) {
                        throw new CloudException(Kind.NOT_FOUND, "NotFound", "no instance " + id);
                    }
                }
            }
            cloud.terminate(ids);
        }
    }
}
