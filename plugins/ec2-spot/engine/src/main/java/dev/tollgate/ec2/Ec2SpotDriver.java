package dev.tollgate.ec2;

import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.port.CloudDriver;
import dev.tollgate.cloud.port.CloudException;
import dev.tollgate.cloud.port.CloudException.Kind;
import dev.tollgate.cloud.port.CloudInstance;
import dev.tollgate.cloud.port.Fingerprint;
import dev.tollgate.cloud.port.LaunchSpec;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.CancelSpotInstanceRequestsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;
import software.amazon.awssdk.services.ec2.model.DescribeSpotInstanceRequestsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSpotInstanceRequestsResponse;
import software.amazon.awssdk.services.ec2.model.DescribeSecurityGroupsRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSubnetsRequest;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;
import software.amazon.awssdk.services.ec2.model.EbsBlockDevice;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.HttpTokensState;
import software.amazon.awssdk.services.ec2.model.IamInstanceProfileSpecification;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceInterruptionBehavior;
import software.amazon.awssdk.services.ec2.model.InstanceLifecycleType;
import software.amazon.awssdk.services.ec2.model.InstanceMarketOptionsRequest;
import software.amazon.awssdk.services.ec2.model.InstanceMetadataEndpointState;
import software.amazon.awssdk.services.ec2.model.InstanceMetadataOptionsRequest;
import software.amazon.awssdk.services.ec2.model.MarketType;
import software.amazon.awssdk.services.ec2.model.Placement;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.RunInstancesResponse;
import software.amazon.awssdk.services.ec2.model.SpotInstanceRequest;
import software.amazon.awssdk.services.ec2.model.SpotInstanceType;
import software.amazon.awssdk.services.ec2.model.SpotMarketOptions;
import software.amazon.awssdk.services.ec2.model.Subnet;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link CloudDriver} for EC2, spot first. One {@code RunInstances} per agent with spot market
 * options (one-time, terminate on interruption, our bid as MaxPrice), IMDSv2 required, and every
 * tag, fingerprint included, applied at launch through TagSpecifications on the instance and its
 * volumes, so there is no window in which an instance exists untagged and no separate tagging call.
 * Describes and terminations are batched; ownership listing is one tag-filtered paginated call.
 *
 * <p>Thread-safe: the lifecycle engine starts launches concurrently, and calls the driver outside its
 * own lock. The driver holds no lock either: its state is in concurrent maps and clock caches, whose
 * single-flight loads make concurrent callers wait only for the one EC2 call that answers them all.
 * It never calls the engine.
 */
public final class Ec2SpotDriver implements CloudDriver, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Ec2SpotDriver.class.getName());

    /** Expected USD/hour written at launch, so costs survive a controller restart. */
    public static final String PRICE_TAG = "tollgate:hourly-price";
    /** The instance-id filter takes this many values per call. */
    static final int DESCRIBE_BATCH = 200;
    /** TerminateInstances / CancelSpotInstanceRequests ids per call. */
    static final int TERMINATE_BATCH = 1000;
    static final int PAGE_SIZE = 1000;
    /** EC2 is eventually consistent: a just-launched instance may miss from a listing for a while. */
    static final Duration LISTING_GRACE = Duration.ofMinutes(5);
    /** States that cost money or are about to: what the reaper must see. */
    static final List<String> LIVE_STATES = List.of("pending", "running", "shutting-down", "stopping", "stopped");
    static final Set<String> INTERRUPTION_CODES = Set.of("marked-for-termination", "marked-for-stop",
            "marked-for-hibernation");
    /** Instance state reasons that say spot took the instance away. */
    static final Set<String> SPOT_REASONS = Set.of("Server.SpotInstanceTermination", "Server.SpotInstanceShutdown");
    private static final Pattern INSTANCE_ID = Pattern.compile("\\bi-[0-9a-f]{8,17}\\b");

    private final Ec2CloudConfig config;
    private final Clock clock;
    private final Ec2Calls ec2;
    private final SpotPricer pricer;
    private final ImageResolver images;
    private final CostLedger costs;
    /** A subnet's zone never changes: looked up once (DescribeSubnets), kept for the driver's life. */
    private final ClockCache<List<String>, Map<String, String>> subnetZones;
    private final AtomicInteger spread = new AtomicInteger();
    /**
     * Where each launch in progress started its subnet rotation: a retried create of the same agent
     * (same ClientToken) must send the same parameters, or EC2 answers IdempotentParameterMismatch.
     */
    private final ConcurrentHashMap<String, Integer> rotationStart = new ConcurrentHashMap<>();
    private static final int MAX_REMEMBERED_LAUNCHES = 1_000;
    private final Set<String> interrupted = ConcurrentHashMap.newKeySet();
    private final Set<String> attachedDone = ConcurrentHashMap.newKeySet();
    private final AtomicReference<Instant> lastInterruptionCheck = new AtomicReference<>();

    public Ec2SpotDriver(Ec2CloudConfig config, Ec2ClientFactory clients, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.ec2 = new Ec2Calls(clients.open(config));
        this.pricer = new SpotPricer(ec2, clock, config.priceCacheTtl());
        this.images = new ImageResolver(ec2, clock, config.imageCacheTtl());
        this.costs = new CostLedger(clock, config.costRetention());
        this.subnetZones = new ClockCache<>(clock, Duration.ofDays(365_000));
    }

    // ---------------------------------------------------------------- create

    @Override
    public CloudInstance create(LaunchSpec spec) throws CloudException {
        AgentTemplate<Ec2Options> t = config.template(spec.templateName()).orElseThrow(() -> new CloudException(
                Kind.PERMANENT, "UnknownTemplate", "EC2 cloud '" + config.cloudName() + "' has no template named '"
                + spec.templateName() + "'"));
        String ami = images.resolve(t.options().image());
        String userData = UserData.render(t.options().userDataTemplate(), spec);
        String launchKey = spec.agentName() + "|" + spec.fingerprint().createdAt();
        List<String> subnets = spreadOrder(t.options(), rotationStart.computeIfAbsent(launchKey, k -> spread.getAndIncrement()));
        try {
            CloudInstance ci = launchSomewhere(t, spec, ami, userData, subnets);
            rotationStart.remove(launchKey);
            return ci;
        } catch (CloudException e) {
            if (e.kind() != Kind.TRANSIENT && e.kind() != Kind.THROTTLED) {
                rotationStart.remove(launchKey); // not retried as the same launch
            } else if (rotationStart.size() > MAX_REMEMBERED_LAUNCHES) {
                // most failed launches are never retried with the same spec (the engine adopts a
                // TRANSIENT one by its fingerprint): forget them rather than pile them up. A retry
                // that finds its entry gone may get IdempotentParameterMismatch: TRANSIENT, adopted.
                rotationStart.clear();
            }
            throw e;
        }
    }

    private CloudInstance launchSomewhere(AgentTemplate<Ec2Options> t, LaunchSpec spec, String ami, String userData,
                                          List<String> subnets) throws CloudException {
        Ec2Options o = t.options();
        int attempt = 0;
        CloudException last = null;
        if (o.isSpot()) {
            for (String subnet : subnets) {
                SpotPricer.Quote q = pricer.quote(o.instanceType(), zoneFor(o, subnet), o.spot());
                try {
                    return launch(t, spec, ami, userData, subnet, Optional.of(q), attempt++);
                } catch (CloudException e) {
                    if (e.kind() != Kind.CAPACITY) {
                        throw e;
                    }
                    last = e;
                    LOG.log(Level.WARNING, "spot request for agent {0} (template {1}, {2}, bid {3} USD/h) rejected: {4}",
                            spec.agentName(), t.name(), where(o, subnet), q.bidString(), e.getMessage());
                    if (Ec2Errors.accountWide(e)) {
                        break; // another zone will not lift an account limit
                    }
                }
            }
            if (!o.spot().fallbackToOnDemand()) {
                throw last;
            }
            LOG.log(Level.INFO, "no spot capacity for agent {0} (template {1}); falling back to on-demand",
                    spec.agentName(), t.name());
        }
        for (String subnet : subnets) {
            try {
                return launch(t, spec, ami, userData, subnet, Optional.empty(), attempt++);
            } catch (CloudException e) {
                if (e.kind() != Kind.CAPACITY) {
                    throw e;
                }
                last = e;
                LOG.log(Level.WARNING, "on-demand launch for agent {0} (template {1}, {2}) rejected: {3}",
                        spec.agentName(), t.name(), where(o, subnet), e.getMessage());
                if (Ec2Errors.accountWide(e)) {
                    break;
                }
            }
        }
        throw last;
    }

    /** The template's subnets starting at the next one in turn, so launches spread across zones. */
    private static List<String> spreadOrder(Ec2Options t, int turn) {
        List<String> s = t.subnetIds();
        if (s.isEmpty()) {
            List<String> none = new ArrayList<>();
            none.add(null);
            return none;
        }
        int start = Math.floorMod(turn, s.size());
        List<String> out = new ArrayList<>(s.size());
        for (int i = 0; i < s.size(); i++) {
            out.add(s.get((start + i) % s.size()));
        }
        return out;
    }

    private String zoneFor(Ec2Options t, String subnet) throws CloudException {
        if (subnet == null) {
            return t.availabilityZone();
        }
        if (t.spot().priceMultiplier() == null) {
            return null; // fixed bid: no price history, so no need to know the zone
        }
        Map<String, String> zones = subnetZones.get(t.subnetIds(), ids -> {
            DescribeSubnetsRequest r = DescribeSubnetsRequest.builder().subnetIds(ids).build();
            Map<String, String> m = new LinkedHashMap<>();
            for (Subnet sn : ec2.call("DescribeSubnets", c -> c.describeSubnets(r)).subnets()) {
                m.put(sn.subnetId(), sn.availabilityZone());
            }
            return m;
        });
        return zones.get(subnet);
    }

    private static String where(Ec2Options t, String subnet) {
        return subnet != null ? "subnet " + subnet : t.availabilityZone() != null ? "zone " + t.availabilityZone() : "any zone";
    }

    private CloudInstance launch(AgentTemplate<Ec2Options> template, LaunchSpec spec, String ami, String userData, String subnet,
                                 Optional<SpotPricer.Quote> spotQuote, int attempt) throws CloudException {
        Ec2Options t = template.options();
        double price = spotQuote.map(SpotPricer.Quote::expectedPrice)
                .orElse(t.onDemandHourlyPrice() != null ? t.onDemandHourlyPrice() : Double.NaN);
        Map<String, String> tagMap = new LinkedHashMap<>(t.tags());
        tagMap.putIfAbsent("Name", spec.agentName());
        tagMap.putAll(spec.fingerprint().toTags());
        if (!Double.isNaN(price)) {
            tagMap.put(PRICE_TAG, new SpotPricer.Quote(price, price, 0).bidString());
        }
        List<Tag> tags = new ArrayList<>();
        tagMap.forEach((k, v) -> tags.add(Tag.builder().key(k).value(v).build()));

        RunInstancesRequest.Builder r = RunInstancesRequest.builder()
                .imageId(ami)
                .instanceType(t.instanceType())
                .minCount(1)
                .maxCount(1)
                // same agent + attempt → same token: a retried call after a timeout cannot start a twin
                .clientToken(clientToken(spec, attempt))
                .metadataOptions(InstanceMetadataOptionsRequest.builder()
                        .httpTokens(HttpTokensState.REQUIRED)
                        .httpEndpoint(InstanceMetadataEndpointState.ENABLED)
                        .build())
                .tagSpecifications(
                        TagSpecification.builder().resourceType(ResourceType.INSTANCE).tags(tags).build(),
                        TagSpecification.builder().resourceType(ResourceType.VOLUME).tags(tags).build());
        if (subnet != null) {
            r.subnetId(subnet);
        } else if (t.availabilityZone() != null) {
            r.placement(Placement.builder().availabilityZone(t.availabilityZone()).build());
        }
        if (!t.securityGroupIds().isEmpty()) {
            r.securityGroupIds(t.securityGroupIds());
        }
        if (t.keyName() != null) {
            r.keyName(t.keyName());
        }
        if (t.iamInstanceProfile() != null) {
            IamInstanceProfileSpecification.Builder p = IamInstanceProfileSpecification.builder();
            r.iamInstanceProfile(t.iamInstanceProfile().startsWith("arn:")
                    ? p.arn(t.iamInstanceProfile()).build() : p.name(t.iamInstanceProfile()).build());
        }
        if (userData != null) {
            r.userData(userData);
        }
        if (!t.blockDevices().isEmpty()) {
            List<BlockDeviceMapping> m = new ArrayList<>();
            for (BlockDevice b : t.blockDevices()) {
                m.add(BlockDeviceMapping.builder().deviceName(b.deviceName()).ebs(EbsBlockDevice.builder()
                        .volumeSize(b.sizeGiB()).volumeType(b.volumeType()).iops(b.iops())
                        .deleteOnTermination(b.deleteOnTermination()).encrypted(b.encrypted()).build()).build());
            }
            r.blockDeviceMappings(m);
        }
        spotQuote.ifPresent(quote -> r.instanceMarketOptions(InstanceMarketOptionsRequest.builder()
                    .marketType(MarketType.SPOT)
                    .spotOptions(SpotMarketOptions.builder()
                            .maxPrice(quote.bidString())
                            .spotInstanceType(SpotInstanceType.ONE_TIME)
                            .instanceInterruptionBehavior(InstanceInterruptionBehavior.TERMINATE)
                            .build())
                    .build()));
        RunInstancesRequest request = r.build();
        RunInstancesResponse resp = ec2.call("RunInstances", c -> c.runInstances(request));
        if (resp.instances().isEmpty()) {
            throw new CloudException(Kind.TRANSIENT, null, "RunInstances answered without an instance");
        }
        Instance i = resp.instances().get(0);
        costs.started(i.instanceId(), spec.agentName(), template.name(), spotQuote.isPresent(), price,
                i.launchTime() != null ? i.launchTime() : clock.instant());
        LOG.log(Level.INFO, "started {0} for agent {1} (template {2}, {3}, {4})", i.instanceId(), spec.agentName(),
                template.name(), where(t, subnet), spotQuote.map(q -> "spot bid " + q.bidString() + " USD/h").orElse("on-demand"));
        return toCloud(i);
    }

    private static String clientToken(LaunchSpec spec, int attempt) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] h = d.digest((spec.fingerprint().controllerId() + "|" + spec.agentName() + "|"
                    + spec.fingerprint().createdAt() + "|" + attempt).getBytes(StandardCharsets.UTF_8));
            return "tg-" + HexFormat.of().formatHex(h, 0, 24);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- describe / list

    @Override
    public List<CloudInstance> describe(Collection<String> instanceIds) throws CloudException {
        List<String> ids = new ArrayList<>(new LinkedHashSet<>(instanceIds));
        ids.removeIf(id -> id == null || !id.startsWith("i-"));
        if (ids.isEmpty()) {
            return List.of();
        }
        List<Instance> found = new ArrayList<>();
        // the instance-id filter, not InstanceId.N: with a filter an id EC2 does not know yet (eventual
        // consistency) or any more is simply absent, instead of failing the whole batch
        for (int from = 0; from < ids.size(); from += DESCRIBE_BATCH) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + DESCRIBE_BATCH));
            found.addAll(describeAll(List.of(Filter.builder().name("instance-id").values(chunk).build())));
        }
        return report(found);
    }

    @Override
    public List<CloudInstance> listOwned(String controllerId) throws CloudException {
        List<Instance> found = describeAll(List.of(
                Filter.builder().name("tag:" + Fingerprint.CONTROLLER).values(controllerId).build(),
                Filter.builder().name("instance-state-name").values(LIVE_STATES).build()));
        // a complete listing of what lives: per-instance memory of anything else can go
        Set<String> live = new java.util.HashSet<>();
        found.forEach(i -> live.add(i.instanceId()));
        interrupted.retainAll(live);
        attachedDone.retainAll(live);
        costs.endMissing(live, LISTING_GRACE);
        return report(found);
    }

    private List<Instance> describeAll(List<Filter> filters) throws CloudException {
        List<Instance> out = new ArrayList<>();
        String token = null;
        do {
            DescribeInstancesRequest req = DescribeInstancesRequest.builder()
                    .filters(filters).maxResults(PAGE_SIZE).nextToken(token).build();
            DescribeInstancesResponse r = ec2.call("DescribeInstances", c -> c.describeInstances(req));
            for (Reservation res : r.reservations()) {
                out.addAll(res.instances());
            }
            token = r.nextToken() == null || r.nextToken().isEmpty() ? null : r.nextToken();
        } while (token != null);
        return out;
    }

    private List<CloudInstance> report(List<Instance> found) {
        checkInterruptions(found);
        List<CloudInstance> out = new ArrayList<>(found.size());
        for (Instance i : found) {
            CloudInstance ci = toCloud(i);
            if (ci.state() == CloudInstance.State.RUNNING) {
                afterRunning(i, ci.fingerprint());
            }
            out.add(ci);
        }
        return out;
    }

    /**
     * Spot's two-minute notice is visible from outside the instance as the spot request's status
     * ({@code marked-for-termination}). One DescribeSpotInstanceRequests filtered on those status codes
     * (not on ids: marked requests are few, so one call covers any number of instances), at most every
     * {@code interruptionCheckInterval}, and only when a spot instance is running; marked instances
     * stay marked until they are gone.
     */
    private void checkInterruptions(List<Instance> found) {
        Instant now = clock.instant();
        Instant last = lastInterruptionCheck.get();
        if (last != null && now.isBefore(last.plus(config.interruptionCheckInterval()))) {
            return;
        }
        Set<String> spotInstances = new java.util.HashSet<>();
        for (Instance i : found) {
            String st = i.state() == null ? "" : i.state().nameAsString();
            if (i.spotInstanceRequestId() != null && (st.equals("running") || st.equals("pending"))) {
                spotInstances.add(i.instanceId());
            }
        }
        if (spotInstances.isEmpty()) {
            return;
        }
        try {
            markInterrupted(spotInstances::contains);
            lastInterruptionCheck.set(now);
        } catch (CloudException e) {
            // best effort: the describe answer stays good; the next cycle checks again
            LOG.log(Level.WARNING, "spot interruption check failed, will retry: {0}", e.getMessage());
        }
    }

    /**
     * One check for interruption notices on its own: the engine lists instances only every reaper
     * interval (minutes), while EC2 gives two minutes' notice, so the engine asks through
     * {@link #interruptedInstances} every interruption-check interval (1 min) while agents are live.
     * One DescribeSpotInstanceRequests whatever the number of agents. Returns the ids of this driver's
     * instances (launched or seen by it) that are marked; they are also reported by later describes.
     */
    public List<String> pollInterruptions() throws CloudException {
        markInterrupted(costs::knows);
        List<String> out = new ArrayList<>();
        for (String id : interrupted) {
            if (costs.cost(id).map(c -> c.ended() == null).orElse(false)) {
                out.add(id);
            }
        }
        out.sort(null);
        return out;
    }

    /**
     * The engine's periodic interruption check (CloudSettings.interruptionCheckInterval), for the
     * engine's live instances: right after a restart the cost ledger does not know them yet.
     */
    @Override
    public List<String> interruptedInstances(Collection<String> liveInstanceIds) throws CloudException {
        Set<String> live = Set.copyOf(liveInstanceIds);
        // on-demand instances get no notice: no call when every id is known to be one
        if (live.stream().allMatch(id -> costs.cost(id).map(c -> !c.spot()).orElse(false))) {
            return List.of();
        }
        markInterrupted(id -> live.contains(id) || costs.knows(id));
        List<String> out = new ArrayList<>();
        for (String id : interrupted) {
            if (live.contains(id)) {
                out.add(id);
            }
        }
        out.sort(null);
        return out;
    }

    private void markInterrupted(java.util.function.Predicate<String> ours) throws CloudException {
        String token = null;
        do {
            DescribeSpotInstanceRequestsRequest req = DescribeSpotInstanceRequestsRequest.builder()
                    .filters(Filter.builder().name("status-code").values(INTERRUPTION_CODES).build())
                    .maxResults(PAGE_SIZE).nextToken(token).build();
            DescribeSpotInstanceRequestsResponse r =
                    ec2.call("DescribeSpotInstanceRequests", c -> c.describeSpotInstanceRequests(req));
            for (SpotInstanceRequest sir : r.spotInstanceRequests()) {
                String code = sir.status() == null ? null : sir.status().code();
                String inst = sir.instanceId();
                if (inst != null && ours.test(inst) && code != null && INTERRUPTION_CODES.contains(code)
                        && interrupted.add(inst)) {
                    LOG.log(Level.WARNING, "spot interruption notice for {0} ({1}): {2}", inst, code,
                            sir.status().message());
                }
            }
            token = r.nextToken() == null || r.nextToken().isEmpty() ? null : r.nextToken();
        } while (token != null);
    }

    private CloudInstance toCloud(Instance i) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (Tag tag : i.tags()) {
            tags.put(tag.key(), tag.value());
        }
        Fingerprint fp = Fingerprint.fromTags(tags);
        String stateName = i.state() == null ? "pending" : i.state().nameAsString();
        CloudInstance.State state = switch (stateName) {
            case "pending" -> CloudInstance.State.PENDING;
            case "running" -> CloudInstance.State.RUNNING;
            case "shutting-down", "stopping", "stopped" -> CloudInstance.State.STOPPING;
            case "terminated" -> CloudInstance.State.TERMINATED;
            default -> CloudInstance.State.PENDING;
        };
        boolean spot = i.instanceLifecycle() == InstanceLifecycleType.SPOT;
        String reason = i.stateReason() == null ? null : i.stateReason().code();
        boolean notice = interrupted.contains(i.instanceId()) || (spot && reason != null && SPOT_REASONS.contains(reason));
        if (notice && !interrupted.contains(i.instanceId()) && state != CloudInstance.State.TERMINATED) {
            interrupted.add(i.instanceId());
            LOG.log(Level.WARNING, "spot instance {0} is being taken away: {1}", i.instanceId(), reason);
        }
        if (!costs.knows(i.instanceId()) && fp != null) {
            // e.g. after a controller restart: the price travels in a tag
            costs.started(i.instanceId(), fp.agentName(), fp.template(), spot, parsePrice(tags.get(PRICE_TAG)),
                    i.launchTime());
        }
        if (state == CloudInstance.State.TERMINATED) {
            costs.ended(i.instanceId());
            interrupted.remove(i.instanceId());
            attachedDone.remove(i.instanceId());
        }
        String address = config.usePublicAddress() && i.publicIpAddress() != null ? i.publicIpAddress()
                : i.privateIpAddress();
        double price = costs.cost(i.instanceId()).map(AgentCost::hourlyPrice).orElse(parsePrice(tags.get(PRICE_TAG)));
        return new CloudInstance(i.instanceId(), state, fp, address, notice, price);
    }

    private static double parsePrice(String s) {
        if (s == null) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** Elastic IP and existing volumes need a running instance: done on the first describe that sees one. */
    private void afterRunning(Instance i, Fingerprint fp) {
        if (fp == null || attachedDone.contains(i.instanceId())) {
            return;
        }
        Ec2Options t = config.template(fp.template()).map(AgentTemplate::options).orElse(null);
        if (t == null || (t.elasticIpAllocationId() == null && t.attachVolumes().isEmpty())) {
            return;
        }
        if (!attachedDone.add(i.instanceId())) {
            return; // another thread is on it
        }
        try {
            if (t.elasticIpAllocationId() != null) {
                ec2.call("AssociateAddress", c -> c.associateAddress(b -> b.allocationId(t.elasticIpAllocationId())
                        .instanceId(i.instanceId()).allowReassociation(false)));
                LOG.log(Level.INFO, "associated {0} with {1}", t.elasticIpAllocationId(), i.instanceId());
            }
            for (VolumeAttachment v : t.attachVolumes()) {
                ec2.call("AttachVolume", c -> c.attachVolume(b -> b.volumeId(v.volumeId())
                        .instanceId(i.instanceId()).device(v.device())));
                LOG.log(Level.INFO, "attached {0} to {1} as {2}", v.volumeId(), i.instanceId(), v.device());
            }
        } catch (CloudException e) {
            LOG.log(Level.WARNING, "could not finish setting up {0} (agent {1}): {2}", i.instanceId(),
                    fp.agentName(), e.getMessage());
            if (e.kind() == Kind.THROTTLED || e.kind() == Kind.TRANSIENT) {
                attachedDone.remove(i.instanceId()); // try again on the next describe
            }
        }
    }

    // ---------------------------------------------------------------- terminate

    @Override
    public void terminate(Collection<String> instanceIds) throws CloudException {
        List<String> instances = new ArrayList<>();
        List<String> requests = new ArrayList<>();
        for (String id : new LinkedHashSet<>(instanceIds)) {
            if (id == null) {
                continue;
            }
            (id.startsWith("sir-") ? requests : instances).add(id);
        }
        for (int from = 0; from < requests.size(); from += TERMINATE_BATCH) {
            cancelRequests(requests.subList(from, Math.min(requests.size(), from + TERMINATE_BATCH)));
        }
        for (int from = 0; from < instances.size(); from += TERMINATE_BATCH) {
            terminateBatch(new ArrayList<>(instances.subList(from, Math.min(instances.size(), from + TERMINATE_BATCH))));
        }
    }

    /**
     * TerminateInstances fails as a whole when one id is unknown. The error names the unknown ids:
     * those are already gone, so drop them and send the rest again.
     */
    private void terminateBatch(List<String> ids) throws CloudException {
        for (int round = 0; !ids.isEmpty(); round++) {
            List<String> batch = List.copyOf(ids);
            try {
                ec2.call("TerminateInstances", c -> c.terminateInstances(b -> b.instanceIds(batch)));
                batch.forEach(costs::ended);
                LOG.log(Level.INFO, "terminating {0}", batch);
                return;
            } catch (CloudException e) {
                if (e.kind() != Kind.NOT_FOUND) {
                    throw e;
                }
                Set<String> gone = new LinkedHashSet<>();
                Matcher m = INSTANCE_ID.matcher(String.valueOf(e.getMessage()));
                while (m.find()) {
                    if (batch.contains(m.group())) {
                        gone.add(m.group());
                    }
                }
                if (gone.isEmpty() || round >= 3) {
                    // cannot tell which: one by one, where NotFound is unambiguous
                    for (String id : batch) {
                        terminateOne(id);
                    }
                    return;
                }
                gone.forEach(costs::ended);
                ids.removeAll(gone);
            }
        }
    }

    private void terminateOne(String id) throws CloudException {
        try {
            ec2.call("TerminateInstances", c -> c.terminateInstances(b -> b.instanceIds(id)));
        } catch (CloudException e) {
            if (e.kind() != Kind.NOT_FOUND) {
                throw e;
            }
        }
        costs.ended(id);
    }

    private void cancelRequests(List<String> ids) throws CloudException {
        try {
            ec2.call("CancelSpotInstanceRequests", c -> c.cancelSpotInstanceRequests(
                    CancelSpotInstanceRequestsRequest.builder().spotInstanceRequestIds(ids).build()));
        } catch (CloudException e) {
            if (e.kind() != Kind.NOT_FOUND) {
                throw e;
            }
            // already gone: cancelling them is moot; the rest are retried one by one
            if (ids.size() > 1) {
                for (String id : ids) {
                    cancelRequests(List.of(id));
                }
            }
        }
    }

    // ---------------------------------------------------------------- cost, stats

    /** The cost of one agent's instance so far (or in total, once it ended). */
    public Optional<AgentCost> cost(String instanceId) {
        return costs.cost(instanceId);
    }

    /** Every instance this driver knows the cost of (ended ones for {@code costRetention}). */
    public List<AgentCost> costs() {
        return costs.all();
    }

    /** API calls made so far, per action. */
    public Map<String, Long> apiCalls() {
        return ec2.counts();
    }

    /** The AMI a template would launch now (selection cached). */
    public String resolveImage(String templateName) throws CloudException {
        Ec2Options t = config.template(templateName).map(AgentTemplate::options).orElseThrow(() ->
                new CloudException(Kind.PERMANENT, "UnknownTemplate", "no template named '" + templateName + "'"));
        return images.resolve(t.image());
    }

    /** The spot quote a launch of the template in the zone would use now (cached). */
    public double spotBid(String templateName, String zone) throws CloudException {
        Ec2Options t = config.template(templateName).map(AgentTemplate::options).orElse(null);
        if (t == null || !t.isSpot()) {
            throw new CloudException(Kind.PERMANENT, "UnknownTemplate", "no spot template named '" + templateName + "'");
        }
        return pricer.quote(t.instanceType(), zone, t.spot()).bid();
    }

    /**
     * What these credentials can see of the configuration, for a "Test connection" button: per
     * template, the AMI its selector picks now, the subnets (with their zones) and security groups
     * found, and the spot bid a launch would make. One line per finding; a failed call is a line
     * naming the error (never a credential), and the next template is still looked at.
     */
    public List<String> connectionReport() {
        List<String> out = new ArrayList<>();
        out.add("region " + config.region() + (config.endpoint() != null ? " at " + config.endpoint() : ""));
        for (AgentTemplate<Ec2Options> template : config.templates()) {
            Ec2Options t = template.options();
            String w = "template " + template.name() + ": ";
            try {
                out.add(w + "image " + images.resolve(t.image()) + (t.image().isFixed() ? " (fixed id)" : " selected"));
            } catch (CloudException e) {
                out.add(w + "image: " + e.getMessage());
            }
            String zone = t.availabilityZone();
            if (!t.subnetIds().isEmpty()) {
                try {
                    DescribeSubnetsRequest r = DescribeSubnetsRequest.builder().subnetIds(t.subnetIds()).build();
                    List<String> found = new ArrayList<>();
                    for (Subnet sn : ec2.call("DescribeSubnets", c -> c.describeSubnets(r)).subnets()) {
                        found.add(sn.subnetId() + " (" + sn.availabilityZone() + ")");
                        zone = zone == null ? sn.availabilityZone() : zone;
                    }
                    out.add(w + "subnets " + String.join(", ", found));
                } catch (CloudException e) {
                    out.add(w + "subnets: " + e.getMessage());
                }
            }
            if (!t.securityGroupIds().isEmpty()) {
                try {
                    DescribeSecurityGroupsRequest r = DescribeSecurityGroupsRequest.builder().groupIds(t.securityGroupIds()).build();
                    List<String> found = new ArrayList<>();
                    for (SecurityGroup g : ec2.call("DescribeSecurityGroups", c -> c.describeSecurityGroups(r)).securityGroups()) {
                        found.add(g.groupId() + " (" + g.groupName() + ")");
                    }
                    out.add(w + "security groups " + String.join(", ", found));
                } catch (CloudException e) {
                    out.add(w + "security groups: " + e.getMessage());
                }
            }
            if (t.isSpot()) {
                try {
                    out.add(w + String.format(java.util.Locale.ROOT, "spot bid %.4f USD/h for %s%s", pricer.quote(
                            t.instanceType(), zone, t.spot()).bid(), t.instanceType(), zone == null ? "" : " in " + zone));
                } catch (CloudException e) {
                    out.add(w + "spot price: " + e.getMessage());
                }
            } else {
                out.add(w + "on-demand " + t.instanceType());
            }
        }
        return out;
    }

    @Override
    public void close() {
        ec2.client().close();
    }

    @Override
    public String toString() {
        return "Ec2SpotDriver[" + config.cloudName() + ", " + config.region() + ", "
                + config.templates().stream().map(AgentTemplate::name).toList() + "]";
    }

}
