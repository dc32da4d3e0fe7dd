package dev.tollgate.libvirt;

import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.port.CloudDriver;
import dev.tollgate.cloud.port.CloudException;
import dev.tollgate.cloud.port.CloudException.Kind;
import dev.tollgate.cloud.port.CloudInstance;
import dev.tollgate.cloud.port.Fingerprint;
import dev.tollgate.cloud.port.LaunchSpec;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.libvirt.DomainInfo.DomainState;
import org.libvirt.Error.ErrorNumber;

/**
 * {@link CloudDriver} for libvirt (QEMU/KVM, Xen, LXC, the test driver... whatever the URI names). An
 * instance is a domain and its id is the domain's name; in the new-domain mode that name is the agent's.
 * The fingerprint lives in the domain's {@code <metadata>} (namespace {@link DomainXml#NS}), written with
 * the domain at creation, so {@link #listOwned} finds it however the controller ended. A per-agent disk
 * is a qcow2 overlay volume named {@code tollgate-<key>-<agent>.qcow2} ({@code key} from the controller id
 * and cloud name); an overlay no domain of ours refers to is listed as an instance of its own
 * ({@code pool/volume}, STOPPING), so the engine's reaper deletes it like any stray.
 *
 * <p>Ending a domain is graceful: {@link #terminate} asks the guest to shut down (ACPI) and answers
 * {@code TRANSIENT "ShuttingDown"} while it is within {@code shutdownTimeout} of that request, read off
 * the injected clock; the engine's terminate retry calls again, and once the time is up the domain is
 * destroyed. Then it is undefined (or, if reused, handed back without the driver's metadata) and its
 * overlay deleted. Nothing here sleeps or waits for a guest.
 *
 * <p>Threading: a libvirt connection is not safe for concurrent use in every hypervisor driver, so the
 * driver keeps ONE connection and makes every libvirt call under one lock, one call sequence at a time
 * (a create's volume + domain calls happen together, so a listing never sees an overlay without its
 * domain). The engine calls the driver from several threads at once and never under its own lock;
 * creates therefore queue here, each a handful of local calls. A call that fails with a connection
 * error drops the connection; the next call opens a new one. The driver never calls the engine.
 */
public final class LibvirtDriver implements CloudDriver, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LibvirtDriver.class.getName());

    /** Prefix of every overlay volume the driver makes. */
    public static final String OVERLAY_PREFIX = "tollgate-";
    static final String OVERLAY_SUFFIX = ".qcow2";
    private static final long GIB = 1024L * 1024 * 1024;

    /** Opens a connection to a libvirt URI ({@link JnaLibvirt#open} for real). */
    @FunctionalInterface
    public interface Connector {
        Libvirt open(String uri) throws LibvirtError;
    }

    private final LibvirtCloudConfig config;
    private final Connector connector;
    private final Clock clock;
    private final Object lock = new Object();
    // everything below is guarded by lock
    private Libvirt conn;
    private long callsOnClosedConnections;
    private long opens;
    /** Domain -> when its graceful shutdown runs out (set by the first terminate that asked for one). */
    private final Map<String, Instant> shutdownDeadline = new HashMap<>();
    /** Overlay volume ("pool/volume") -> when a listing first saw it without a domain (its file has no birth time). */
    private final Map<String, Instant> firstSeenAlone = new HashMap<>();
    private final Map<String, Long> baseCapacity = new HashMap<>();
    /**
     * Domain -> its overlay, from the first terminate that read the domain's metadata: a transient domain
     * is gone once it stops, and with it the only record of its disk, so a retried terminate (the
     * overlay's delete failed) still knows what to delete. After a restart the listing finds the overlay.
     */
    private final Map<String, String> overlayOfEnding = new HashMap<>();

    public LibvirtDriver(LibvirtCloudConfig config, Connector connector, Clock clock) {
        this.config = config;
        this.connector = connector;
        this.clock = clock;
    }

    /** A driver on a real libvirt connection (opened at the first call). */
    public static LibvirtDriver connect(LibvirtCloudConfig config, Clock clock) {
        return new LibvirtDriver(config, JnaLibvirt::open, clock);
    }

    // ---------------------------------------------------------------- plumbing

    private interface Call<T> {
        T run(Libvirt lv) throws LibvirtError, CloudException;
    }

    /** Runs the calls on the connection under the lock; libvirt errors become CloudExceptions. */
    private <T> T locked(String what, Collection<String> secrets, Call<T> call) throws CloudException {
        synchronized (lock) {
            Libvirt lv = connection();
            try {
                return call.run(lv);
            } catch (LibvirtError e) {
                if (e.connectionLost()) {
                    dropConnection();
                }
                throw LibvirtErrors.toCloud(what, e, secrets);
            }
        }
    }

    private Libvirt connection() throws CloudException {
        if (conn == null) {
            try {
                conn = connector.open(config.uri());
                opens++;
            } catch (LibvirtError e) {
                // cannot reach the daemon (TRANSIENT) or the URI/credentials are wrong (PERMANENT)
                CloudException c = LibvirtErrors.toCloud("connect to " + config.uri(), e, List.of());
                throw e.connectionLost() || c.kind() == Kind.NOT_FOUND
                        ? new CloudException(Kind.TRANSIENT, c.code(), c.getMessage()) : c;
            }
        }
        return conn;
    }

    private void dropConnection() {
        if (conn != null) {
            callsOnClosedConnections += conn.calls();
            conn.close();
            conn = null;
        }
    }

    private static boolean notFound(LibvirtError e) {
        return e.code() == ErrorNumber.VIR_ERR_NO_DOMAIN || e.code() == ErrorNumber.VIR_ERR_NO_STORAGE_VOL;
    }

    /** Key of this controller + cloud in overlay names: 10 hex digits of SHA-256. */
    static String ownerKey(String controllerId, String cloudName) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest((controllerId + "\n" + cloudName)
                    .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 5);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    String overlayName(String controllerId, String agent) {
        return OVERLAY_PREFIX + ownerKey(controllerId, config.cloudName()) + "-" + agent + OVERLAY_SUFFIX;
    }

    /** A MAC in QEMU's locally administered range, fixed per agent name (a retried create gets the same). */
    static String macFor(String agent) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(agent.getBytes(StandardCharsets.UTF_8));
            return String.format("52:54:00:%02x:%02x:%02x", h[0] & 0xff, h[1] & 0xff, h[2] & 0xff);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean isVolumeId(String id) {
        return id.indexOf('/') > 0; // domain names cannot hold a '/'
    }

    // ---------------------------------------------------------------- create

    @Override
    public CloudInstance create(LaunchSpec spec) throws CloudException {
        AgentTemplate<LibvirtOptions> t = config.template(spec.templateName()).orElseThrow(() -> new CloudException(
                Kind.PERMANENT, "UnknownTemplate", "libvirt cloud '" + config.cloudName() + "' has no template named '"
                + spec.templateName() + "'"));
        String agent = spec.agentName();
        if (agent.isBlank() || agent.contains("/") || agent.length() > 200) {
            throw new CloudException(Kind.PERMANENT, "BadAgentName", "agent name '" + agent
                    + "' cannot name a libvirt domain (no '/', at most 200 characters)");
        }
        Collection<String> secrets = spec.agentEnv().values();
        return locked("create " + agent, secrets, lv -> t.options().reusesDomains()
                ? claim(lv, t.options(), spec) : createNew(lv, t.options(), spec));
    }

    private Map<String, String> guestEnv(LibvirtOptions o, LaunchSpec spec) {
        if (!o.smbiosAgentEnv()) {
            return null;
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put(DomainXml.AGENT_NAME_KEY, spec.agentName());
        env.putAll(new TreeMap<>(spec.agentEnv()));
        return env;
    }

    private CloudInstance createNew(Libvirt lv, LibvirtOptions o, LaunchSpec spec) throws LibvirtError, CloudException {
        String name = spec.agentName();
        Fingerprint fp = spec.fingerprint();
        // a create retried after an unknown outcome: the domain may exist already
        boolean exists = true;
        DomainXml.Owned existing = null;
        try {
            existing = DomainXml.readOwned(lv.metadata(name, DomainXml.NS));
        } catch (LibvirtError e) {
            if (e.code() != ErrorNumber.VIR_ERR_NO_DOMAIN) {
                throw e;
            }
            exists = false;
        }
        if (existing != null && existing.fingerprint().agentName().equals(name)
                && existing.fingerprint().controllerId().equals(fp.controllerId())) {
            return new CloudInstance(name, CloudInstance.State.PENDING, existing.fingerprint(), null, false, Double.NaN);
        }
        if (exists) {
            throw new CloudException(Kind.PERMANENT, "DomainExists", "a domain named '" + name
                    + "' exists and is not this agent's");
        }
        String overlay = null;
        String disk = null;
        if (o.baseImage() != null) {
            String vol = overlayName(fp.controllerId(), name);
            long capacity = o.diskSizeGib() != null ? o.diskSizeGib() * GIB : capacityOf(lv, o.baseImage());
            String volXml = DomainXml.overlayVolume(vol, capacity, o.baseImage());
            try {
                disk = lv.createVolume(o.storagePool(), volXml);
            } catch (LibvirtError e) {
                if (e.code() != ErrorNumber.VIR_ERR_STORAGE_VOL_EXIST) {
                    throw e;
                }
                // left by an earlier attempt for this agent that never got its domain: start afresh
                lv.deleteVolume(o.storagePool(), vol);
                disk = lv.createVolume(o.storagePool(), volXml);
            }
            overlay = o.storagePool() + "/" + vol;
        }
        Map<String, String> values = new HashMap<>();
        values.put("name", name);
        values.put("disk", disk == null ? "" : disk);
        values.put("memoryMib", Integer.toString(o.memoryMib()));
        values.put("vcpus", Integer.toString(o.vcpus()));
        values.put("network", o.network() == null ? "" : o.network());
        values.put("mac", macFor(name));
        String xml;
        try {
            xml = DomainXml.withAgent(DomainXml.fill(o.domainXml(), values), new DomainXml.Owned(fp, overlay),
                    guestEnv(o, spec));
        } catch (IllegalArgumentException e) {
            deleteQuietly(lv, overlay);
            throw new CloudException(Kind.PERMANENT, "BadDomainXml", "domain XML of template '" + spec.templateName()
                    + "': " + LibvirtErrors.scrub(e.getMessage(), spec.agentEnv().values()));
        }
        try {
            if (o.persistent()) {
                lv.define(xml);
                try {
                    lv.start(name);
                } catch (LibvirtError e) {
                    undefineQuietly(lv, name);
                    throw e;
                }
            } else {
                lv.createTransient(xml);
            }
        } catch (LibvirtError e) {
            // the overlay is ours, made just now; but if the create took effect after all (a time-out on
            // the way back), the domain runs on it: the engine adopts or ends that domain, disk and all
            if (overlay != null && !domainExists(lv, name)) {
                deleteQuietly(lv, overlay);
            }
            throw e;
        }
        LOG.log(Level.INFO, "started domain {0} (template {1}{2})", name, spec.templateName(),
                overlay == null ? "" : ", disk " + overlay);
        return new CloudInstance(name, CloudInstance.State.PENDING, fp, null, false, Double.NaN);
    }

    private long capacityOf(Libvirt lv, String basePath) throws LibvirtError {
        Long c = baseCapacity.get(basePath);
        if (c == null) {
            c = lv.capacityOfPath(basePath);
            baseCapacity.put(basePath, c);
        }
        return c;
    }

    /** Reused-domains mode: take a shut-off domain no agent holds, mark it ours and start it. */
    private CloudInstance claim(Libvirt lv, LibvirtOptions o, LaunchSpec spec) throws LibvirtError, CloudException {
        Fingerprint fp = spec.fingerprint();
        List<String> free = new ArrayList<>();
        for (String d : o.existingDomains()) {
            DomainXml.Owned owned;
            try {
                owned = DomainXml.readOwned(lv.metadata(d, DomainXml.NS));
            } catch (LibvirtError e) {
                if (notFound(e)) {
                    LOG.log(Level.WARNING, "domain {0} of template {1} is not defined in {2}", d, spec.templateName(),
                            config.uri());
                    continue;
                }
                throw e;
            }
            if (owned == null) {
                free.add(d);
            } else if (owned.fingerprint().agentName().equals(spec.agentName())
                    && owned.fingerprint().controllerId().equals(fp.controllerId())) {
                // a retried create: this agent holds the domain already
                return new CloudInstance(d, CloudInstance.State.PENDING, owned.fingerprint(), null, false, Double.NaN);
            }
        }
        for (String d : free) {
            if (lv.state(d) != DomainState.VIR_DOMAIN_SHUTOFF) {
                continue; // running outside the driver: someone uses it
            }
            String base = lv.xml(d, true);
            String xml;
            try {
                xml = DomainXml.withAgent(base, new DomainXml.Owned(fp, null), guestEnv(o, spec));
            } catch (IllegalArgumentException e) {
                throw new CloudException(Kind.PERMANENT, "BadDomainXml", "domain " + d + ": " + e.getMessage());
            }
            lv.define(xml);
            try {
                lv.start(d);
            } catch (LibvirtError e) {
                try {
                    lv.define(DomainXml.withoutAgent(lv.xml(d, true)));
                } catch (LibvirtError | RuntimeException again) {
                    LOG.log(Level.WARNING, "could not hand back domain {0}: {1}", d, again.getMessage());
                }
                throw e;
            }
            LOG.log(Level.INFO, "started reused domain {0} for agent {1}", d, spec.agentName());
            return new CloudInstance(d, CloudInstance.State.PENDING, fp, null, false, Double.NaN);
        }
        throw new CloudException(Kind.CAPACITY, "NoFreeDomain", "every domain of template '" + spec.templateName()
                + "' is taken or running: " + o.existingDomains());
    }

    /** The driver's metadata of the domain; null if it has none; null too if there is no such domain. */
    private static DomainXml.Owned ownedOrNull(Libvirt lv, String domain) throws LibvirtError {
        try {
            return DomainXml.readOwned(lv.metadata(domain, DomainXml.NS));
        } catch (LibvirtError e) {
            if (e.code() == ErrorNumber.VIR_ERR_NO_DOMAIN) {
                return null;
            }
            throw e;
        }
    }

    /** False only when libvirt says there is no such domain; true when it exists or cannot be told. */
    private static boolean domainExists(Libvirt lv, String name) {
        try {
            lv.state(name);
            return true;
        } catch (LibvirtError e) {
            return e.code() != ErrorNumber.VIR_ERR_NO_DOMAIN;
        }
    }

    private void deleteQuietly(Libvirt lv, String overlay) {
        if (overlay == null) {
            return;
        }
        int slash = overlay.indexOf('/');
        try {
            lv.deleteVolume(overlay.substring(0, slash), overlay.substring(slash + 1));
        } catch (LibvirtError e) {
            if (!notFound(e)) {
                // the listing reports it as a stray and the reaper deletes it later
                LOG.log(Level.WARNING, "could not delete overlay {0}: {1}", overlay, e.getMessage());
            }
        }
    }

    private static void undefineQuietly(Libvirt lv, String domain) {
        try {
            lv.undefine(domain);
        } catch (LibvirtError e) {
            if (!notFound(e)) {
                LOG.log(Level.WARNING, "could not undefine {0}: {1}", domain, e.getMessage());
            }
        }
    }

    // ---------------------------------------------------------------- describe, list

    private static CloudInstance.State cloudState(DomainState s) {
        return switch (s) {
            case VIR_DOMAIN_RUNNING, VIR_DOMAIN_BLOCKED -> CloudInstance.State.RUNNING;
            case VIR_DOMAIN_NOSTATE, VIR_DOMAIN_PAUSED -> CloudInstance.State.PENDING;
            // shut off, crashed or asleep but still defined (and its disk still there): ours to clean up,
            // so never reported gone while it exists
            case VIR_DOMAIN_SHUTDOWN, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_CRASHED, VIR_DOMAIN_PMSUSPENDED ->
                    CloudInstance.State.STOPPING;
        };
    }

    @Override
    public List<CloudInstance> describe(Collection<String> instanceIds) throws CloudException {
        return locked("describe", List.of(), lv -> {
            List<CloudInstance> out = new ArrayList<>();
            for (String id : new LinkedHashSet<>(instanceIds)) {
                if (id == null || isVolumeId(id)) {
                    continue; // overlays on their own only come from listings, and are only ever ended
                }
                try {
                    DomainXml.Owned owned = DomainXml.readOwned(lv.metadata(id, DomainXml.NS));
                    if (owned == null) {
                        // a reused domain handed back, or a domain that is not ours: nothing of ours runs there
                        out.add(new CloudInstance(id, CloudInstance.State.TERMINATED, null, null, false, Double.NaN));
                        continue;
                    }
                    out.add(new CloudInstance(id, cloudState(lv.state(id)), owned.fingerprint(), null, false, Double.NaN));
                } catch (LibvirtError e) {
                    if (!notFound(e)) {
                        throw e;
                    }
                    // unknown: omitted, as the port asks
                }
            }
            return out;
        });
    }

    @Override
    public List<CloudInstance> listOwned(String controllerId) throws CloudException {
        return locked("list domains", List.of(), lv -> {
            List<CloudInstance> out = new ArrayList<>();
            Set<String> usedOverlays = new HashSet<>();
            for (Libvirt.Listed d : lv.domainsWithMetadata(DomainXml.NS)) {
                DomainXml.Owned owned = DomainXml.readOwned(d.metadata());
                if (owned == null || d.state() == null) {
                    continue;
                }
                if (owned.overlay() != null) {
                    usedOverlays.add(owned.overlay()); // any controller's: never list another's disk
                }
                if (owned.fingerprint().controllerId().equals(controllerId)) {
                    out.add(new CloudInstance(d.name(), cloudState(d.state()), owned.fingerprint(), null, false, Double.NaN));
                }
            }
            out.addAll(strayOverlays(lv, controllerId, usedOverlays));
            return out;
        });
    }

    /** Overlay volumes of this controller and cloud that no domain refers to: a crash between the two. */
    private List<CloudInstance> strayOverlays(Libvirt lv, String controllerId, Set<String> used) throws LibvirtError {
        String prefix = OVERLAY_PREFIX + ownerKey(controllerId, config.cloudName()) + "-";
        Instant now = clock.instant();
        Set<String> pools = new LinkedHashSet<>();
        config.templates().forEach(t -> {
            if (t.options().storagePool() != null) {
                pools.add(t.options().storagePool());
            }
        });
        List<CloudInstance> out = new ArrayList<>();
        Set<String> alone = new HashSet<>();
        for (String pool : pools) {
            List<String> vols;
            try {
                vols = lv.volumes(pool);
            } catch (LibvirtError e) {
                if (e.code() == ErrorNumber.VIR_ERR_NO_STORAGE_POOL) {
                    LOG.log(Level.WARNING, "storage pool {0} not found in {1}", pool, config.uri());
                    continue;
                }
                throw e;
            }
            for (String v : vols) {
                String id = pool + "/" + v;
                if (!v.startsWith(prefix) || !v.endsWith(OVERLAY_SUFFIX) || used.contains(id)) {
                    continue;
                }
                String agent = v.substring(prefix.length(), v.length() - OVERLAY_SUFFIX.length());
                String volXml;
                try {
                    volXml = lv.volumeXml(pool, v);
                } catch (LibvirtError e) {
                    if (notFound(e)) {
                        continue;
                    }
                    throw e;
                }
                alone.add(id);
                Instant created = DomainXml.volumeCreated(volXml);
                if (created == null) {
                    created = firstSeenAlone.computeIfAbsent(id, k -> now);
                }
                out.add(new CloudInstance(id, CloudInstance.State.STOPPING, new Fingerprint(controllerId,
                        config.cloudName(), templateOf(pool, DomainXml.backingPath(volXml)), agent, created),
                        null, false, Double.NaN));
            }
        }
        firstSeenAlone.keySet().retainAll(alone);
        return out;
    }

    private String templateOf(String pool, String backing) {
        String fallback = null;
        for (AgentTemplate<LibvirtOptions> t : config.templates()) {
            if (pool.equals(t.options().storagePool())) {
                if (backing != null && backing.equals(t.options().baseImage())) {
                    return t.name();
                }
                fallback = fallback == null ? t.name() : fallback;
            }
        }
        return fallback == null ? "unknown" : fallback;
    }

    // ---------------------------------------------------------------- terminate

    @Override
    public void terminate(Collection<String> instanceIds) throws CloudException {
        locked("terminate", List.of(), lv -> {
            List<String> shuttingDown = new ArrayList<>();
            LibvirtError failure = null;
            String failedId = null;
            for (String id : new LinkedHashSet<>(instanceIds)) {
                if (id == null) {
                    continue;
                }
                try {
                    if (isVolumeId(id)) {
                        deleteOverlay(lv, id);
                    } else if (!end(lv, id)) {
                        shuttingDown.add(id);
                    }
                } catch (LibvirtError e) {
                    if (e.connectionLost()) {
                        throw e; // the rest would fail the same way
                    }
                    if (failure == null) {
                        failure = e;
                        failedId = id;
                    }
                    LOG.log(Level.WARNING, "could not end {0}: {1}", id, e.getMessage());
                }
            }
            if (failure != null) {
                throw LibvirtErrors.toCloud("terminate " + failedId, failure, List.of());
            }
            if (!shuttingDown.isEmpty()) {
                // not a failure: the engine's terminate retry is the driver's timer
                throw new CloudException(Kind.TRANSIENT, "ShuttingDown", "waiting for " + shuttingDown
                        + " to shut down (destroyed " + config.shutdownTimeout().toSeconds() + " s after the request)");
            }
            return null;
        });
    }

    private void deleteOverlay(Libvirt lv, String id) throws LibvirtError {
        int slash = id.indexOf('/');
        String vol = id.substring(slash + 1);
        if (!vol.startsWith(OVERLAY_PREFIX) || !vol.endsWith(OVERLAY_SUFFIX)) {
            LOG.log(Level.WARNING, "not deleting volume {0}: not an overlay of this driver''s", id);
            return;
        }
        try {
            lv.deleteVolume(id.substring(0, slash), vol);
            LOG.log(Level.INFO, "deleted overlay {0}", id);
        } catch (LibvirtError e) {
            if (!notFound(e)) {
                throw e;
            }
        }
        firstSeenAlone.remove(id);
    }

    /** Moves the domain towards its end; true once it is gone (undefined or handed back, disk deleted). */
    private boolean end(Libvirt lv, String id) throws LibvirtError {
        DomainXml.Owned owned = ownedOrNull(lv, id);
        if (owned == null) {
            // gone, or not ours (a reused domain handed back already): never touch a domain without our mark
            shutdownDeadline.remove(id);
            String overlay = overlayOfEnding.get(id);
            if (overlay != null) {
                deleteOverlay(lv, overlay);
                overlayOfEnding.remove(id);
            }
            return true;
        }
        if (owned.overlay() != null) {
            overlayOfEnding.put(id, owned.overlay());
        }
        DomainState state;
        try {
            state = lv.state(id);
            if (state != DomainState.VIR_DOMAIN_SHUTOFF) {
                Instant now = clock.instant();
                Instant deadline = shutdownDeadline.get(id);
                boolean answersAcpi = state == DomainState.VIR_DOMAIN_RUNNING || state == DomainState.VIR_DOMAIN_BLOCKED
                        || state == DomainState.VIR_DOMAIN_SHUTDOWN;
                if (config.shutdownTimeout().isZero() || !answersAcpi || (deadline != null && !now.isBefore(deadline))) {
                    destroy(lv, id);
                } else if (deadline == null) {
                    lv.shutdown(id);
                    shutdownDeadline.put(id, now.plus(config.shutdownTimeout()));
                    LOG.log(Level.INFO, "asked domain {0} to shut down", id);
                    if (lv.state(id) != DomainState.VIR_DOMAIN_SHUTOFF) {
                        return false;
                    }
                } else {
                    return false;
                }
            }
            shutdownDeadline.remove(id);
            boolean reused = !id.equals(owned.fingerprint().agentName());
            if (lv.persistent(id)) {
                if (reused) {
                    lv.define(DomainXml.withoutAgent(lv.xml(id, true)));
                } else {
                    lv.undefine(id);
                }
            }
        } catch (LibvirtError e) {
            if (!notFound(e)) {
                throw e;
            }
            shutdownDeadline.remove(id); // a transient domain is gone once it stops
        }
        if (owned.overlay() != null) {
            deleteOverlay(lv, owned.overlay());
            overlayOfEnding.remove(id);
        }
        LOG.log(Level.INFO, "ended domain {0} (agent {1})", id, owned.fingerprint().agentName());
        return true;
    }

    private static void destroy(Libvirt lv, String id) throws LibvirtError {
        try {
            lv.destroy(id);
        } catch (LibvirtError e) {
            if (e.code() != ErrorNumber.VIR_ERR_OPERATION_INVALID) {
                throw e; // OPERATION_INVALID: it stopped meanwhile
            }
        }
    }

    // ---------------------------------------------------------------- figures

    /** libvirt calls made so far, over every connection this driver opened. */
    public long libvirtCalls() {
        synchronized (lock) {
            return callsOnClosedConnections + (conn == null ? 0 : conn.calls());
        }
    }

    /** Connections opened so far (1 unless one broke). */
    public long connectionsOpened() {
        synchronized (lock) {
            return opens;
        }
    }

    public LibvirtCloudConfig config() {
        return config;
    }

    @Override
    public void close() {
        synchronized (lock) {
            dropConnection();
        }
    }

    @Override
    public String toString() {
        return "LibvirtDriver[" + config.cloudName() + ", " + config.uri() + ", "
                + config.templates().stream().map(AgentTemplate::name).toList() + "]";
    }
}
