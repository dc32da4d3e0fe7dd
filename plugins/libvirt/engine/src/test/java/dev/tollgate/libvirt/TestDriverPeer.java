package dev.tollgate.libvirt;

import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.port.CloudDriver;
import dev.tollgate.cloud.port.Fingerprint;
import dev.tollgate.cloud.port.LaunchSpec;
import dev.tollgate.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;

/**
 * libvirt's built-in test hypervisor ({@code test:///default}) as the driver's peer: real libvirt
 * (libvirt-java over JNA onto Debian's libvirt0) that defines, starts, shuts down, destroys and
 * undefines domains and makes volumes, without guests. Its state lives as long as a connection to it
 * is open in the process (libvirt 9: connections opened meanwhile share it; once the last one and
 * every handle on it are closed, the next starts afresh). So the peer opens ONE connection, hands it
 * to every driver it makes and to {@link #everything()}, which lists what the peer holds, frees every
 * handle, and closes it after the test.
 *
 * <p>The hook for a shared driver contract suite: {@link #driver} gives a connected {@link CloudDriver},
 * {@link #everything} everything on the peer, {@link #spec} a launch; a subclass of the suite wraps
 * these three.
 */
final class TestDriverPeer implements AutoCloseable {
    static final String URI = "test:///default";
    static final String CONTROLLER = "ctl-1";
    static final String CLOUD = "kvm";
    static final String SECRET = "s3cr3t-AGENT-token-7f1e";
    /** The test driver's storage pool (it starts with one). */
    static final String POOL = "default-pool";
    /** The test driver's one domain at start, running: never ours. */
    static final String STOCK_DOMAIN = "test";

    static final String DOMAIN_XML = """
            <domain type='test'>
              <name>{{name}}</name>
              <memory unit='MiB'>{{memoryMib}}</memory>
              <vcpu>{{vcpus}}</vcpu>
              <os><type>hvm</type></os>
              <devices>
                <disk type='file' device='disk'><source file='{{disk}}'/><target dev='vda'/></disk>
                <interface type='network'><source network='{{network}}'/><mac address='{{mac}}'/></interface>
              </devices>
            </domain>
            """;

    final ManualClock clock;
    final Connect connect;
    final List<FaultyLibvirt> connections = new ArrayList<>();
    private final List<LibvirtDriver> drivers = new ArrayList<>();
    private final String basePath;

    TestDriverPeer() throws LibvirtException {
        this(new ManualClock());
    }

    /** A peer whose drivers read {@code clock} (a suite that owns the clock, like the driver contract). */
    TestDriverPeer(ManualClock clock) throws LibvirtException {
        this.clock = clock;
        connect = new Connect(URI, false);
        // a base image in the pool, as an admin would upload one
        StoragePool pool = connect.storagePoolLookupByName(POOL);
        try {
            var base = pool.storageVolCreateXML("<volume><name>base.qcow2</name><capacity unit='GiB'>2</capacity>"
                    + "<target><format type='qcow2'/></target></volume>", 0);
            basePath = base.getPath();
            base.free(); // a handle not freed keeps the connection, and so the test hypervisor's state, alive
        } finally {
            pool.free();
        }
        if (!everything().isEmpty()) {
            throw new AssertionError("the test hypervisor is not fresh (a handle of an earlier test leaked): " + everything());
        }
    }

    String basePath() {
        return basePath;
    }

    /** The template "small" with an overlay per agent from the base image, transient domains. */
    static LibvirtOptions.Builder overlayOptions(String basePath) {
        return LibvirtOptions.builder().domainXml(DOMAIN_XML).baseImage(basePath).storagePool(POOL)
                .memoryMib(512).vcpus(1).network("default");
    }

    AgentTemplate<LibvirtOptions> template(String name, LibvirtOptions options) {
        return AgentTemplate.builder(name).labels("linux").buildWaitTimeout(Duration.ZERO).options(options).build();
    }

    LibvirtCloudConfig config(List<AgentTemplate<LibvirtOptions>> templates) {
        return LibvirtCloudConfig.of(CLOUD, URI, templates).withShutdownTimeout(Duration.ofSeconds(60));
    }

    /** A driver on the peer's connection, behind a {@link FaultyLibvirt} (see {@link #connections}). */
    LibvirtDriver driver(LibvirtCloudConfig config) {
        LibvirtDriver d = new LibvirtDriver(config, uri -> {
            FaultyLibvirt f = new FaultyLibvirt(JnaLibvirt.sharing(connect));
            synchronized (connections) {
                connections.add(f);
            }
            return f;
        }, clock);
        drivers.add(d);
        return d;
    }

    /** The connection the last driver opened (its faults). */
    FaultyLibvirt faults() {
        synchronized (connections) {
            return connections.get(connections.size() - 1);
        }
    }

    LaunchSpec spec(String template, String agent) {
        return new LaunchSpec(template, agent, new Fingerprint(CONTROLLER, CLOUD, template, agent, clock.instant()),
                Map.of("JENKINS_URL", "https://ci.example.org/", "JENKINS_SECRET", secretOf(agent)));
    }

    /** Each agent's own secret: the test can tell whose reached which domain. */
    static String secretOf(String agent) {
        return SECRET + "-" + agent;
    }

    /** Every domain (name) and every volume ("pool/volume") on the peer but the stock ones. */
    List<String> everything() throws LibvirtException {
        TreeSet<String> out = new TreeSet<>();
        for (String n : connect.listDefinedDomains()) {
            out.add("domain " + n);
        }
        for (int id : connect.listDomains()) {
            var d = connect.domainLookupByID(id);
            try {
                out.add("domain " + d.getName());
            } finally {
                d.free();
            }
        }
        out.remove("domain " + STOCK_DOMAIN);
        for (String p : connect.listStoragePools()) {
            StoragePool pool = connect.storagePoolLookupByName(p);
            try {
                for (String v : pool.listVolumes()) {
                    out.add("volume " + p + "/" + v);
                }
            } finally {
                pool.free();
            }
        }
        out.remove("volume " + POOL + "/base.qcow2");
        return new ArrayList<>(out);
    }

    String domainXml(String name) throws LibvirtException {
        var d = connect.domainLookupByName(name);
        try {
            return d.getXMLDesc(0);
        } finally {
            d.free();
        }
    }

    @Override
    public void close() throws LibvirtException {
        drivers.forEach(LibvirtDriver::close);
        connect.close();
    }
}
