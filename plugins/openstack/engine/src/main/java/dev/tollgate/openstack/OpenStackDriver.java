package dev.tollgate.openstack;

import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.port.CloudDriver;
import dev.tollgate.cloud.port.CloudException;
import dev.tollgate.cloud.port.CloudException.Kind;
import dev.tollgate.cloud.port.CloudInstance;
import dev.tollgate.cloud.port.CloudInstance.State;
import dev.tollgate.cloud.port.Fingerprint;
import dev.tollgate.cloud.port.LaunchSpec;
import dev.tollgate.common.regex.SafePattern;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openstack4j.api.Builders;
import org.openstack4j.api.OSClient.OSClientV3;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.openstack4j.api.EndpointTokenProvider;
import org.openstack4j.api.types.ServiceType;
import org.openstack4j.model.compute.Address;
import org.openstack4j.model.compute.BDMDestType;
import org.openstack4j.model.compute.BDMSourceType;
import org.openstack4j.model.compute.Flavor;
import org.openstack4j.model.compute.Keypair;
import org.openstack4j.model.compute.ext.AvailabilityZone;
import org.openstack4j.model.compute.Server;
import org.openstack4j.model.compute.ServerCreate;
import org.openstack4j.model.compute.builder.ServerCreateBuilder;
import org.openstack4j.model.identity.v3.Endpoint;
import org.openstack4j.model.image.v2.Image;
import org.openstack4j.model.network.NetFloatingIP;
import org.openstack4j.model.network.Network;
import org.openstack4j.model.network.Port;
import org.openstack4j.model.network.SecurityGroup;
import org.openstack4j.model.network.builder.PortBuilder;
import org.openstack4j.openstack.compute.domain.NovaServer;
import org.openstack4j.openstack.identity.v3.domain.KeystoneService;
import org.openstack4j.openstack.identity.v3.domain.KeystoneToken;
import org.openstack4j.openstack.internal.BaseOpenStackService;

/**
 * cloud-core's {@link CloudDriver} for OpenStack, through openstack4j: Nova servers, with Glance for
 * image selection and Neutron for networks, security groups and floating IPs.
 *
 * <p><b>Fingerprints.</b> A server carries the fingerprint in its metadata (Nova allows the {@code :}
 * of {@code tollgate:controller}), set in the create call itself. A floating IP carries it in its
 * description ({@link FingerprintText}), so a floating IP whose server is gone is still found: the
 * listing reports it as a leftover the reaper ends like any orphan (id {@code floating-ip:<uuid>}, agent
 * name {@code <agent>.floating-ip}, so no live record ever adopts it).
 *
 * <p><b>Floating IPs.</b> When a template takes one from a pool, the create makes a port on the
 * template's first network, allocates the floating IP on that port, then boots the server on the
 * port: three calls, no waiting for the server to become ACTIVE. The server's metadata names the port
 * and the floating IP, and terminate releases both with the server.
 *
 * <p><b>Idempotent create.</b> Nova has no client token; before booting, the create asks for servers
 * named after the agent and returns the one carrying the same fingerprint, so a launch sent twice
 * makes one server.
 *
 * <p><b>Calls.</b> {@link #calls()} counts every HTTP request the driver makes, Keystone's included,
 * per kind. describe and listOwned read the server listing page by page, one call per page of
 * {@link #serverPageSize(int)} servers (plus one floating IP listing when a template uses floating
 * IPs); terminate one delete per server (plus the floating IP and port).
 * {@link #connectionReport()} (an administrator's "Test connection") takes the token and reads: it
 * makes nothing.
 *
 * <p>Thread-safe: creates run on several threads at once. Lookups (images, flavors, networks, security
 * groups) are cached for {@link OpenStackCloudConfig#lookupCacheTtl()} on the injected clock.
 */
public final class OpenStackDriver implements CloudDriver {
    private static final Logger LOG = Logger.getLogger(OpenStackDriver.class.getName());
    /** Id prefix of a leftover floating IP in {@link #listOwned} and {@link #terminate}. */
    public static final String FLOATING_IP_ID = "floating-ip:";
    static final String FLOATING_IP_AGENT_SUFFIX = ".floating-ip";
    static final String PORT_NAME_PREFIX = "tollgate-";

    private final OpenStackCloudConfig config;
    private final Clock clock;
    private final KeystoneSession session;
    private final HttpClient http;
    private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> callNanos = new ConcurrentHashMap<>();
    private final Map<String, Cached<String>> lookups = new ConcurrentHashMap<>();
    /** Server id → the floating IP and port made for it, learned at create and from listings. */
    private final Map<String, Attachments> attachments = new ConcurrentHashMap<>();
    /** Floating IP id → its port, learned from listings. */
    private final Map<String, String> floatingIpPorts = new ConcurrentHashMap<>();
    /** Nova's default {@code [api] max_limit}: a larger page is cut there anyway. */
    static final int DEFAULT_SERVER_PAGE_SIZE = 1000;
    private volatile int serverPageSize = DEFAULT_SERVER_PAGE_SIZE;

    record Attachments(String floatingIpId, String portId) {
    }

    private record Cached<T>(T value, Instant until) {
    }

    public OpenStackDriver(OpenStackCloudConfig config, Clock clock) {
        this(config, clock, null);
    }

    /** For tests: {@code endpoints} rewrites the catalog's service URLs (to put a fault-injecting proxy in front). */
    OpenStackDriver(OpenStackCloudConfig config, Clock clock, java.util.function.UnaryOperator<String> endpoints) {
        this.config = config;
        this.clock = clock;
        this.session = new KeystoneSession(config, System::nanoTime, () -> count("keystone.auth"), endpoints);
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(config.connectTimeout()).build();
    }

    /** Servers asked for per page of the project's listing; a test makes it small to page a small project. */
    void serverPageSize(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("serverPageSize must be at least 1, was " + size);
        }
        serverPageSize = size;
    }

    public OpenStackCloudConfig config() {
        return config;
    }

    /** HTTP requests made so far, per kind (e.g. {@code nova.boot}), sorted by name. */
    public Map<String, Long> calls() {
        Map<String, Long> out = new TreeMap<>();
        calls.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** Wall time spent in calls so far, per kind, in milliseconds (for the benchmark's figures). */
    public Map<String, Long> callMillis() {
        Map<String, Long> out = new TreeMap<>();
        callNanos.forEach((k, v) -> out.put(k, v.get() / 1_000_000));
        return out;
    }

    public long totalCalls() {
        return calls.values().stream().mapToLong(AtomicLong::get).sum();
    }

    private void count(String what) {
        calls.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
    }

    /** One counted API call; openstack4j's runtime exceptions become {@link CloudException}s; 401 renews the token once. */
    private <T> T call(String what, Function<OSClientV3, T> body) throws CloudException {
        for (int attempt = 0; ; attempt++) {
            OSClientV3 os = session.client();
            count(what);
            long start = System.nanoTime();
            try {
                return body.apply(os);
            } catch (RuntimeException e) {
                CloudException mapped = OpenStackErrors.map(what, e);
                if (attempt == 0 && mapped.code() != null && mapped.code().equals("HTTP401")) {
                    session.invalidate();
                    continue;
                }
                throw mapped;
            } finally {
                callNanos.computeIfAbsent(what, k -> new AtomicLong()).addAndGet(System.nanoTime() - start);
            }
        }
    }

    /**
     * A delete, sent with the JDK's HTTP client rather than openstack4j: openstack4j reports some
     * refusals of a delete as success (a 429 {@code overLimit} answer comes back as "success, 200"),
     * and a delete the driver wrongly believes done leaks what it should end. Gone already (404) is
     * success; 401 renews the token once.
     */
    private void delete(String what, ServiceType service, String path) throws CloudException {
        for (int attempt = 0; ; attempt++) {
            OSClientV3 os = session.client();
            String base = ((EndpointTokenProvider) os).getEndpoint(service);
            if (base == null) {
                throw new CloudException(Kind.PERMANENT, "Catalog", what + ": no " + service + " endpoint in the catalog");
            }
            base = base.replaceAll("/+$", "");
            if (service == ServiceType.NETWORK && !base.endsWith("/v2.0")) {
                base = base + "/v2.0";
            }
            HttpRequest req = HttpRequest.newBuilder(URI.create(base + path)).timeout(config.readTimeout())
                    .header("X-Auth-Token", ((EndpointTokenProvider) os).getTokenId()).header("Accept", "application/json")
                    .DELETE().build();
            count(what);
            long start = System.nanoTime();
            HttpResponse<String> res;
            try {
                res = http.send(req, HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException e) {
                throw new CloudException(Kind.TRANSIENT, "Connection", what + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CloudException(Kind.TRANSIENT, "Interrupted", what + " interrupted", e);
            } finally {
                callNanos.computeIfAbsent(what, k -> new AtomicLong()).addAndGet(System.nanoTime() - start);
            }
            int status = res.statusCode();
            if (status / 100 == 2 || status == 404) {
                return;
            }
            if (status == 401 && attempt == 0) {
                session.invalidate();
                continue;
            }
            String body = res.body() == null ? "" : res.body();
            throw OpenStackErrors.ofStatus(what, status, body.length() > 300 ? body.substring(0, 300) : body, null);
        }
    }

    // ------------------------------------------------------------------ create

    @Override
    public CloudInstance create(LaunchSpec spec) throws CloudException {
        AgentTemplate<OpenStackOptions> template = config.template(spec.templateName()).orElseThrow(() ->
                new CloudException(Kind.PERMANENT, "UnknownTemplate", "cloud '" + config.cloudName()
                        + "' has no template '" + spec.templateName() + "'"));
        OpenStackOptions o = template.options();
        Fingerprint fp = spec.fingerprint();
        String userData = UserData.render(o.userDataTemplate(), spec);

        CloudInstance existing = findLaunched(spec);
        if (existing != null) {
            return existing;
        }
        String imageId = resolveImage(o.image());
        String flavorId = resolveFlavor(o.flavor());
        List<String> networkIds = new ArrayList<>();
        for (String n : o.networks()) {
            networkIds.add(resolveNetwork(n));
        }

        Map<String, String> metadata = new LinkedHashMap<>(o.metadata());
        metadata.putAll(fp.toTags());
        String portId = null;
        NetFloatingIP fip = null;
        try {
            if (o.usesFloatingIp()) {
                String description = FingerprintText.encode(fp);
                if (description.length() > FingerprintText.MAX) {
                    throw new CloudException(Kind.PERMANENT, "FingerprintTooLong", "the fingerprint of agent '"
                            + spec.agentName() + "' does not fit a floating IP's description (255 characters)");
                }
                String poolId = resolveNetwork(o.floatingIpPool());
                PortBuilder pb = Builders.port().networkId(networkIds.get(0)).name(PORT_NAME_PREFIX + spec.agentName());
                for (String g : o.securityGroups()) {
                    pb.securityGroup(resolveSecurityGroup(g));
                }
                Port port = call("neutron.port.create", os -> os.networking().port().create(pb.build()));
                portId = port.getId();
                String forPort = portId;
                fip = call("neutron.floatingip.create", os -> os.networking().floatingip().create(
                        Builders.netFloatingIP().floatingNetworkId(poolId).portId(forPort).description(description).build()));
                metadata.put(OpenStackOptions.PORT, portId);
                metadata.put(OpenStackOptions.FLOATING_IP, fip.getId());
            }
            ServerCreateBuilder b = Builders.server().name(spec.agentName()).flavor(flavorId).addMetadata(metadata);
            if (o.bootVolumeSizeGb() != null) {
                b.blockDevice(Builders.blockDeviceMapping().uuid(imageId).sourceType(BDMSourceType.IMAGE)
                        .destinationType(BDMDestType.VOLUME).volumeSize(o.bootVolumeSizeGb()).bootIndex(0)
                        .deleteOnTermination(true).build());
            } else {
                b.image(imageId);
            }
            if (portId != null) {
                b.addNetworkPort(portId);
                if (networkIds.size() > 1) {
                    b.networks(networkIds.subList(1, networkIds.size()));
                }
            } else if (!networkIds.isEmpty()) {
                b.networks(networkIds);
                o.securityGroups().forEach(b::addSecurityGroup);
            } else {
                o.securityGroups().forEach(b::addSecurityGroup);
            }
            if (o.keyPair() != null) {
                b.keypairName(o.keyPair());
            }
            if (o.availabilityZone() != null) {
                b.availabilityZone(o.availabilityZone());
            }
            if (o.configDrive()) {
                b.configDrive(true);
            }
            if (userData != null) {
                b.userData(userData);
            }
            ServerCreate request = b.build();
            Server made = call("nova.server.boot", os -> os.compute().servers().boot(request));
            if (made == null || made.getId() == null) {
                // openstack4j gives null for a 404 (an image, flavor or network that went away)
                throw new CloudException(Kind.NOT_FOUND, "HTTP404", "Nova answered the boot of '" + spec.agentName()
                        + "' without a server (404: a resource it names is gone)");
            }
            if (portId != null) {
                attachments.put(made.getId(), new Attachments(fip.getId(), portId));
            }
            return new CloudInstance(made.getId(), State.PENDING, fp, fip == null ? null : fip.getFloatingIpAddress(),
                    false, Double.NaN);
        } catch (CloudException e) {
            // the boot did not happen (or its outcome is unknown: then the server has them in its metadata and
            // the reaper's terminate releases them); a refused boot must not leave an address allocated
            if (e.kind() != Kind.TRANSIENT) {
                releaseQuietly(fip == null ? null : fip.getId(), portId);
            }
            throw e;
        }
    }

    /** The server a launch with this spec already made, if any (the same launch sent again). */
    private CloudInstance findLaunched(LaunchSpec spec) throws CloudException {
        String name = "^" + spec.agentName().replace(".", "\\.") + "$";
        List<? extends Server> same = call("nova.server.list", os -> os.compute().servers().list(Map.of("name", name)));
        for (Server s : same) {
            Fingerprint f = Fingerprint.fromTags(s.getMetadata() == null ? Map.of() : s.getMetadata());
            CloudInstance ci = toInstance(s);
            if (spec.fingerprint().equals(f) && !ci.isGone()) {
                return ci;
            }
        }
        return null;
    }

    private void releaseQuietly(String floatingIpId, String portId) {
        try {
            if (floatingIpId != null) {
                delete("neutron.floatingip.delete", ServiceType.NETWORK, "/floatingips/" + floatingIpId);
            }
            if (portId != null) {
                delete("neutron.port.delete", ServiceType.NETWORK, "/ports/" + portId);
            }
        } catch (CloudException e) {
            // the listing finds a leftover floating IP by its fingerprint and the reaper ends it
            LOG.log(Level.WARNING, "could not release floating IP " + floatingIpId + " / port " + portId
                    + " after a failed boot; the reaper will: " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ lookups (cached)

    private String cached(String key, Supplier<String> fixed, CheckedLookup lookup) throws CloudException {
        String f = fixed.get();
        if (f != null) {
            return f;
        }
        Instant now = clock.instant();
        Cached<String> c = lookups.get(key);
        if (c != null && now.isBefore(c.until())) {
            return c.value();
        }
        String v = lookup.get();
        lookups.put(key, new Cached<>(v, now.plus(config.lookupCacheTtl())));
        return v;
    }

    private interface CheckedLookup {
        String get() throws CloudException;
    }

    private static boolean isUuid(String s) {
        return s.matches("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    }

    String resolveImage(ImageSelector sel) throws CloudException {
        return cached("image:" + sel, () -> sel.isFixed() ? sel.id() : null, () -> chooseImage(sel).getId());
    }

    /** The active image a name or rule selects now (no cache); PERMANENT when none does. */
    private Image chooseImage(ImageSelector sel) throws CloudException {
        Map<String, String> filter = new LinkedHashMap<>();
        filter.put("status", "active");
        if (sel.name() != null) {
            filter.put("name", sel.name());
        }
        List<? extends Image> images = call("glance.image.list", os -> os.imagesV2().list(filter));
        Image chosen = ImageRule.choose(sel, images);
        if (chosen == null) {
            throw new CloudException(Kind.PERMANENT, "NoImage", "no active image is the " + sel);
        }
        return chosen;
    }

    private String resolveFlavor(String flavor) throws CloudException {
        return cached("flavor:" + flavor, () -> null, () -> findFlavor(flavor).getId());
    }

    /** The flavor with this id, else the only one with this name (no cache); PERMANENT when none or several. */
    private Flavor findFlavor(String flavor) throws CloudException {
        List<? extends Flavor> all = call("nova.flavor.list", os -> os.compute().flavors().list(true));
        for (Flavor f : all) {
            if (flavor.equals(f.getId())) {
                return f;
            }
        }
        List<? extends Flavor> named = all.stream().filter(f -> flavor.equals(f.getName())).toList();
        if (named.size() == 1) {
            return named.get(0);
        }
        throw new CloudException(Kind.PERMANENT, "NoFlavor", named.isEmpty() ? "no flavor named or with id '" + flavor + "'"
                : "flavor name '" + flavor + "' is ambiguous: " + named.stream().map(Flavor::getId).toList());
    }

    private String resolveNetwork(String network) throws CloudException {
        return cached("network:" + network, () -> null, () -> findNetwork(network).getId());
    }

    /** The one network with this id or name (no cache); PERMANENT when none or several. */
    private Network findNetwork(String network) throws CloudException {
        List<? extends Network> nets = call("neutron.network.list", os -> isUuid(network)
                ? os.networking().network().list(Map.of("id", network))
                : os.networking().network().list(Map.of("name", network)));
        if (nets.size() == 1) {
            return nets.get(0);
        }
        throw new CloudException(Kind.PERMANENT, "NoNetwork", nets.isEmpty() ? "no network named or with id '" + network + "'"
                : "network name '" + network + "' is ambiguous: " + nets.stream().map(Network::getId).toList());
    }

    private String resolveSecurityGroup(String group) throws CloudException {
        return cached("security-group:" + group, () -> null, () -> findSecurityGroup(group).getId());
    }

    /** The one security group of the project with this name, or with this id (no cache); PERMANENT when none or several. */
    private SecurityGroup findSecurityGroup(String group) throws CloudException {
        String project = session.projectId();
        List<? extends SecurityGroup> groups = call("neutron.securitygroup.list", os -> isUuid(group)
                ? os.networking().securitygroup().list(Map.of("id", group))
                : os.networking().securitygroup().list(Map.of("name", group, "project_id", project)));
        if (groups.size() == 1) {
            return groups.get(0);
        }
        throw new CloudException(Kind.PERMANENT, "NoSecurityGroup", groups.isEmpty() ? "no security group '" + group + "'"
                : "security group name '" + group + "' is ambiguous");
    }

    // ------------------------------------------------------------------ connection report

    /**
     * What the cloud shows this configuration, for an administrator's "Test connection": one line each.
     *
     * @param lines    who the driver authenticated as, the project, the region, interface and endpoints, then
     *                 for each template what a launch would use now (image, flavor, networks, security groups,
     *                 key pair, availability zone, floating IP pool, boot volume)
     * @param problems the lines that mean a launch would fail
     */
    public record ConnectionReport(List<String> lines, List<String> problems) {
        public ConnectionReport {
            lines = List.copyOf(lines);
            problems = List.copyOf(problems);
        }
    }

    /** Catalog types of the block storage service, as Nova looks it up for a boot volume. */
    private static final List<String> BLOCK_STORAGE_TYPES = List.of("volumev3", "block-storage");

    /**
     * Reads (the Keystone token, then {@code GET} requests only; nothing is made) what a launch of each
     * template would use now, through the same lookups as {@link #create}, but without their cache: a
     * launch may still reuse a lookup made up to {@link OpenStackCloudConfig#lookupCacheTtl()} ago. A
     * lookup the cloud refuses or cannot satisfy (PERMANENT, NOT_FOUND) is a problem line; Keystone
     * refusing the credentials, or an API that does not answer (TRANSIENT, THROTTLED), is the
     * CloudException. No line holds a password or secret.
     */
    public ConnectionReport connectionReport() throws CloudException {
        List<String> lines = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        KeystoneToken token = session.current();
        String user = token.getUser() == null ? "?" : token.getUser().getName() + "@" + domainName(token.getUser().getDomain());
        if (config.credentials() instanceof OpenStackCredentials.ApplicationCredential a) {
            lines.add("authenticated with application credential " + a.id() + " of user " + user);
        } else {
            lines.add("authenticated as " + user + " (password)");
        }
        lines.add("project " + token.getProject().getName() + " (id " + token.getProject().getId() + ") in domain "
                + domainName(token.getProject().getDomain()));
        String where = "region " + (config.region() == null ? "(any)" : config.region()) + ", interface " + config.endpointInterface();
        lines.add(where + (config.region() == null ? " (the catalog's first endpoint of each service)" : ""));
        boolean catalogComplete = true;
        for (String type : List.of("compute", "image", "network")) {
            String url = catalogUrl(token, List.of(type));
            if (url == null) {
                String p = "no " + type + " endpoint in the catalog for " + where;
                lines.add(p);
                problems.add(p);
                catalogComplete = false;
            } else {
                lines.add(type + " endpoint " + url);
            }
        }
        if (!catalogComplete && !config.templates().isEmpty()) {
            lines.add("templates not checked: their lookups need the compute, image and network services");
            return new ConnectionReport(lines, problems);
        }
        String blockStorage = catalogUrl(token, BLOCK_STORAGE_TYPES);
        for (AgentTemplate<OpenStackOptions> t : config.templates()) {
            OpenStackOptions o = t.options();
            String w = "template " + t.name() + ": ";
            check(lines, problems, w, () -> imageLine(o.image()));
            check(lines, problems, w, () -> {
                Flavor f = findFlavor(o.flavor());
                return "flavor " + f.getName() + " (id " + f.getId() + "): vCPUs " + f.getVcpus() + ", RAM " + f.getRam()
                        + " MB, disk " + f.getDisk() + " GB";
            });
            for (String n : o.networks()) {
                check(lines, problems, w, () -> {
                    Network net = findNetwork(n);
                    return "network " + net.getName() + " (id " + net.getId() + ")";
                });
            }
            for (String g : o.securityGroups()) {
                check(lines, problems, w, () -> {
                    SecurityGroup sg = findSecurityGroup(g);
                    return "security group " + sg.getName() + " (id " + sg.getId() + ")";
                });
            }
            if (o.keyPair() != null) {
                check(lines, problems, w, () -> {
                    Keypair k = getOrNull("nova.keypair.get", os -> os.compute().keypairs().get(o.keyPair()));
                    if (k == null) {
                        throw new CloudException(Kind.NOT_FOUND, "NoKeyPair", "key pair '" + o.keyPair()
                                + "' not found in Nova for user " + user + " (key pairs belong to a user)");
                    }
                    return "key pair " + k.getName() + (k.getFingerprint() == null ? "" : " (" + k.getFingerprint() + ")");
                });
            }
            if (o.availabilityZone() != null) {
                check(lines, problems, w, () -> zoneLine(o.availabilityZone(),
                        call("nova.availabilityzone.list", os -> os.compute().zones().list())));
            }
            if (o.usesFloatingIp()) {
                check(lines, problems, w, () -> {
                    Network pool = findNetwork(o.floatingIpPool());
                    if (!pool.isRouterExternal()) {
                        throw new CloudException(Kind.PERMANENT, "NotExternal", "floating IP pool '" + o.floatingIpPool()
                                + "' (id " + pool.getId() + ") is not an external network (router:external is false)");
                    }
                    return "floating IP pool " + pool.getName() + " (id " + pool.getId() + "), an external network";
                });
            }
            if (o.bootVolumeSizeGb() != null) {
                if (blockStorage == null) {
                    String p = w + "boot volume of " + o.bootVolumeSizeGb() + " GB: boot from volume needs the block storage "
                            + "service, and the catalog has no volumev3 or block-storage endpoint for " + where;
                    lines.add(p);
                    problems.add(p);
                } else {
                    lines.add(w + "boot volume of " + o.bootVolumeSizeGb() + " GB (block storage endpoint " + blockStorage + ")");
                }
            }
        }
        return new ConnectionReport(lines, problems);
    }

    private interface ReportCheck {
        String line() throws CloudException;
    }

    /** One line of the report; a lookup that would fail a launch (PERMANENT, NOT_FOUND) is a problem, other failures end the report. */
    private static void check(List<String> lines, List<String> problems, String where, ReportCheck c) throws CloudException {
        try {
            lines.add(where + c.line());
        } catch (CloudException e) {
            if (e.kind() != Kind.PERMANENT && e.kind() != Kind.NOT_FOUND) {
                throw e;
            }
            lines.add(where + e.getMessage());
            problems.add(where + e.getMessage());
        }
    }

    /** The image a launch would boot now: a fixed id must exist and be active; a name or rule names what it chose. */
    private String imageLine(ImageSelector sel) throws CloudException {
        if (sel.isFixed()) {
            Image i = getOrNull("glance.image.get", os -> os.imagesV2().get(sel.id()));
            if (i == null) {
                throw new CloudException(Kind.NOT_FOUND, "NoImage", "image " + sel.id() + " not found in Glance");
            }
            if (i.getStatus() != Image.ImageStatus.ACTIVE) {
                throw new CloudException(Kind.PERMANENT, "ImageNotActive", "image " + sel.id() + " (" + i.getName() + ") is "
                        + (i.getStatus() == null ? "without a status" : i.getStatus().name().toLowerCase()) + ", not active");
            }
            return "image " + i.getId() + " (" + i.getName() + "), active";
        }
        Image i = chooseImage(sel);
        return "image " + i.getId() + " (" + i.getName() + ", created "
                + (i.getCreatedAt() == null ? "?" : i.getCreatedAt().toInstant()) + "), the " + sel;
    }

    /** A GET of one resource: null when it does not exist (openstack4j answers some 404s with null, others with an error). */
    private <T> T getOrNull(String what, Function<OSClientV3, T> body) throws CloudException {
        try {
            return call(what, body);
        } catch (CloudException e) {
            if (e.kind() == Kind.NOT_FOUND) {
                return null;
            }
            throw e;
        }
    }

    private static String zoneLine(String zone, List<? extends AvailabilityZone> zones) throws CloudException {
        for (AvailabilityZone z : zones) {
            if (zone.equals(z.getZoneName())) {
                if (z.getZoneState() == null || !z.getZoneState().getAvailable()) {
                    throw new CloudException(Kind.PERMANENT, "ZoneUnavailable", "availability zone '" + zone + "' is not available");
                }
                return "availability zone " + zone + ", available";
            }
        }
        throw new CloudException(Kind.PERMANENT, "NoZone", "availability zone '" + zone + "' not found (Nova has "
                + zones.stream().map(AvailabilityZone::getZoneName).toList() + ")");
    }

    /** The catalog's URL of the first service of these types with an endpoint on the configured region and interface. */
    private String catalogUrl(KeystoneToken token, List<String> types) {
        if (token.getCatalog() == null) {
            return null;
        }
        for (String type : types) {
            for (KeystoneService s : token.getCatalog()) {
                if (!type.equals(s.getType()) || s.getEndpoints() == null) {
                    continue;
                }
                for (Endpoint e : s.getEndpoints()) {
                    boolean iface = e.getIface() != null && e.getIface().name().equalsIgnoreCase(config.endpointInterface());
                    boolean region = config.region() == null || config.region().equals(e.getRegion())
                            || config.region().equals(e.getRegionId());
                    if (iface && region && e.getUrl() != null) {
                        return e.getUrl().toString();
                    }
                }
            }
        }
        return null;
    }

    private static String domainName(org.openstack4j.model.identity.v3.Domain d) {
        return d == null ? "?" : d.getName() != null ? d.getName() : d.getId();
    }

    // ------------------------------------------------------------------ describe / list

    @Override
    public List<CloudInstance> describe(Collection<String> instanceIds) throws CloudException {
        if (instanceIds.isEmpty()) {
            return List.of();
        }
        Set<String> wanted = new HashSet<>(instanceIds);
        // Nova cannot fetch a set of ids in one call; the project's listing can, and unknown ids are simply absent
        List<Server> all = listServers();
        List<CloudInstance> out = new ArrayList<>();
        for (Server s : all) {
            if (wanted.contains(s.getId())) {
                out.add(toInstance(s));
            }
        }
        return out;
    }

    @Override
    public List<CloudInstance> listOwned(String controllerId) throws CloudException {
        List<Server> all = listServers();
        List<CloudInstance> out = new ArrayList<>();
        Set<String> heldFloatingIps = new HashSet<>();
        for (Server s : all) {
            Map<String, String> md = s.getMetadata() == null ? Map.of() : s.getMetadata();
            CloudInstance ci = toInstance(s);
            if (md.get(OpenStackOptions.FLOATING_IP) != null && !ci.isGone()) {
                heldFloatingIps.add(md.get(OpenStackOptions.FLOATING_IP));
            }
            if (ci.fingerprint() != null && controllerId.equals(ci.fingerprint().controllerId())) {
                out.add(ci);
            }
        }
        if (config.anyFloatingIps()) {
            List<? extends NetFloatingIP> fips = call("neutron.floatingip.list", os -> os.networking().floatingip().list());
            for (NetFloatingIP f : fips) {
                Fingerprint fp = FingerprintText.decode(f.getDescription());
                if (fp == null || !controllerId.equals(fp.controllerId()) || heldFloatingIps.contains(f.getId())) {
                    continue;
                }
                if (f.getPortId() != null) {
                    floatingIpPorts.put(f.getId(), f.getPortId());
                }
                Fingerprint leftover = new Fingerprint(fp.controllerId(), fp.cloud(), fp.template(),
                        fp.agentName() + FLOATING_IP_AGENT_SUFFIX, fp.createdAt());
                out.add(new CloudInstance(FLOATING_IP_ID + f.getId(), State.RUNNING, leftover, f.getFloatingIpAddress(),
                        false, Double.NaN));
            }
        }
        return out;
    }

    /**
     * The project's whole server listing, every page of it. Nova answers {@code GET /servers/detail} with
     * at most {@code limit} servers (and never more than its {@code [api] max_limit}), newest first, and
     * a {@code next} link when more may follow; the next page is asked for with {@code marker}, the last
     * server of the page before. One counted call per page: a project that fits one page costs one call.
     *
     * <p>A server deleted between two pages can leave its id unknown to Nova, which then answers the
     * next page 400 "marker [...] not found"; the listing starts again from the first page, once. A
     * second such answer (the project is changing faster than it can be read) is TRANSIENT, as is a
     * page that does not advance (the same marker again): a loop never repeats forever, and a partial
     * listing is never returned (listOwned's caller would take the servers left out as lost).
     */
    private List<Server> listServers() throws CloudException {
        int size = serverPageSize;
        try {
            return listPages(size);
        } catch (CloudException e) {
            if (!markerNotFound(e)) {
                throw e;
            }
            LOG.fine(() -> "nova.server.list: " + e.getMessage() + "; listing again from the first page");
        }
        try {
            return listPages(size);
        } catch (CloudException e) {
            if (!markerNotFound(e)) {
                throw e;
            }
            throw new CloudException(Kind.TRANSIENT, "MarkerNotFound", "nova.server.list: the page marker vanished twice"
                    + " (servers deleted while the listing was read); " + e.getMessage(), e);
        }
    }

    private List<Server> listPages(int size) throws CloudException {
        Map<String, Server> out = new LinkedHashMap<>();
        Set<String> markers = new HashSet<>();
        String marker = null;
        while (true) {
            String after = marker;
            ServerPage page = call("nova.server.list", os -> new ServerPages().page(size, after));
            List<NovaServer> servers = page == null || page.servers == null ? List.of() : page.servers;
            for (Server s : servers) {
                out.putIfAbsent(s.getId(), s);
            }
            // Nova links the next page when this one is full at its own cap, which may be below our size
            if (servers.isEmpty() || (servers.size() < size && !page.hasNext())) {
                return new ArrayList<>(out.values());
            }
            marker = servers.get(servers.size() - 1).getId();
            if (!markers.add(marker)) {
                throw new CloudException(Kind.TRANSIENT, "Paging", "nova.server.list: the page after marker " + marker
                        + " was asked for twice; the listing did not advance");
            }
        }
    }

    private static boolean markerNotFound(CloudException e) {
        String m = e.getMessage() == null ? "" : e.getMessage().toLowerCase(java.util.Locale.ROOT);
        return "HTTP400".equals(e.code()) && m.contains("marker") && m.contains("not found");
    }

    /** One page of {@code GET /servers/detail} as Nova sends it: the servers and the links (a {@code next} when more may follow). */
    @com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
    static final class ServerPage {
        @com.fasterxml.jackson.annotation.JsonProperty("servers")
        List<NovaServer> servers;
        @com.fasterxml.jackson.annotation.JsonProperty("servers_links")
        List<Map<String, Object>> links;

        boolean hasNext() {
            return links != null && links.stream().anyMatch(l -> "next".equals(l.get("rel")));
        }
    }

    /**
     * openstack4j's server service parses the servers of a page but drops its links; this reads both,
     * on the same session (the calling thread's client) and connector.
     */
    private static final class ServerPages extends BaseOpenStackService {
        ServerPages() {
            super(ServiceType.COMPUTE);
        }

        ServerPage page(int limit, String marker) {
            Invocation<ServerPage> req = get(ServerPage.class, uri("/servers/detail")).param("limit", limit);
            if (marker != null) {
                req = req.param("marker", marker);
            }
            return req.execute();
        }
    }

    private CloudInstance toInstance(Server s) {
        Map<String, String> md = s.getMetadata() == null ? Map.of() : s.getMetadata();
        Fingerprint fp = Fingerprint.fromTags(md);
        if (md.get(OpenStackOptions.FLOATING_IP) != null || md.get(OpenStackOptions.PORT) != null) {
            attachments.put(s.getId(), new Attachments(md.get(OpenStackOptions.FLOATING_IP), md.get(OpenStackOptions.PORT)));
        }
        return new CloudInstance(s.getId(), state(s), fp, address(s), false, Double.NaN);
    }

    /** Nova's status, with a server being deleted counted as gone (its delete has been accepted). */
    static State state(Server s) {
        if (s.getTaskState() != null && s.getTaskState().equalsIgnoreCase("deleting")) {
            return State.TERMINATED;
        }
        Server.Status st = s.getStatus();
        if (st == null) {
            return State.PENDING;
        }
        return switch (st) {
            case ACTIVE -> State.RUNNING;
            case BUILD, REBUILD, REBOOT, HARD_REBOOT, MIGRATING, RESIZE, VERIFY_RESIZE, REVERT_RESIZE, PASSWORD -> State.PENDING;
            case DELETED -> State.TERMINATED;
            case ERROR -> State.FAILED;
            case SHUTOFF, STOPPED, SUSPENDED, PAUSED, SHELVED, SHELVED_OFFLOADED, RESCUE -> State.STOPPING;
            default -> State.PENDING;
        };
    }

    /** The floating address if the server has one, else its first fixed one. */
    private static String address(Server s) {
        if (s.getAddresses() == null || s.getAddresses().getAddresses() == null) {
            return null;
        }
        String fixed = null;
        for (List<? extends Address> l : s.getAddresses().getAddresses().values()) {
            for (Address a : l) {
                if ("floating".equals(a.getType())) {
                    return a.getAddr();
                }
                if (fixed == null) {
                    fixed = a.getAddr();
                }
            }
        }
        return fixed;
    }

    // ------------------------------------------------------------------ terminate

    @Override
    public void terminate(Collection<String> instanceIds) throws CloudException {
        CloudException first = null;
        for (String id : instanceIds) {
            try {
                if (id.startsWith(FLOATING_IP_ID)) {
                    releaseLeftoverFloatingIp(id.substring(FLOATING_IP_ID.length()));
                } else {
                    terminateServer(id);
                }
            } catch (CloudException e) {
                // go on with the others; the engine retries the batch, and every step is idempotent
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private void terminateServer(String id) throws CloudException {
        Attachments known = attachments.get(id);
        if (known == null && config.anyFloatingIps()) {
            // not seen since this controller started: read the server's metadata for what it holds
            Server s = call("nova.server.get", os -> os.compute().servers().get(id));
            if (s != null && s.getMetadata() != null) {
                known = new Attachments(s.getMetadata().get(OpenStackOptions.FLOATING_IP), s.getMetadata().get(OpenStackOptions.PORT));
            }
        }
        Attachments a = known;
        if (a != null && a.floatingIpId() != null) {
            delete("neutron.floatingip.delete", ServiceType.NETWORK, "/floatingips/" + a.floatingIpId());
        }
        delete("nova.server.delete", ServiceType.COMPUTE, "/servers/" + id);
        if (a != null && a.portId() != null) {
            delete("neutron.port.delete", ServiceType.NETWORK, "/ports/" + a.portId());
        }
        attachments.remove(id);
    }

    private void releaseLeftoverFloatingIp(String fipId) throws CloudException {
        String portId = floatingIpPorts.get(fipId);
        if (portId == null) {
            NetFloatingIP f = call("neutron.floatingip.get", os -> os.networking().floatingip().get(fipId));
            portId = f == null ? null : f.getPortId();
        }
        delete("neutron.floatingip.delete", ServiceType.NETWORK, "/floatingips/" + fipId);
        if (portId != null) {
            String p = portId;
            Port port = call("neutron.port.get", os -> os.networking().port().get(p));
            // only a port this driver made, and only once no server holds it
            if (port != null && port.getName() != null && port.getName().startsWith(PORT_NAME_PREFIX)
                    && (port.getDeviceId() == null || port.getDeviceId().isEmpty())) {
                delete("neutron.port.delete", ServiceType.NETWORK, "/ports/" + p);
            }
        }
        floatingIpPorts.remove(fipId);
    }

    /** Chooses among Glance's images for a selector (name or rule); null when none qualifies. */
    static final class ImageRule {
        private ImageRule() {
        }

        static Image choose(ImageSelector sel, List<? extends Image> images) {
            SafePattern re = sel.compiled();
            Comparator<Image> byCreated = Comparator.comparing(i -> i.getCreatedAt() == null ? new Date(0) : i.getCreatedAt());
            Comparator<Image> order = byCreated.thenComparing(Image::getId);
            if (sel.order() == ImageSelector.Order.OLDEST) {
                order = order.reversed();
            }
            return images.stream()
                    .filter(i -> i.getStatus() == null || i.getStatus() == Image.ImageStatus.ACTIVE)
                    .filter(i -> sel.name() == null || sel.name().equals(i.getName()))
                    .filter(i -> re == null || (i.getName() != null && re.search(i.getName())))
                    .filter(i -> sel.properties().entrySet().stream().allMatch(e -> e.getValue().equals(property(i, e.getKey()))))
                    .max(order).orElse(null);
        }

        static String property(Image i, String key) {
            return switch (key) {
                case "os_distro" -> i.getOsDistro();
                case "os_version" -> i.getOsVersion();
                case "architecture" -> i.getArchitecture();
                case "owner" -> i.getOwner();
                case "visibility" -> i.getVisibility() == null ? null : i.getVisibility().name().toLowerCase();
                default -> i.getAdditionalPropertyValue(key);
            };
        }
    }
}
