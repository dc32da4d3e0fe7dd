package dev.tollgate.ec2;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A local server speaking the EC2 Query API (form-encoded POSTs, XML answers in the 2016-11-15
 * namespace, EC2's error envelope with the matching HTTP status) for the real AWS SDK v2 client.
 * It keeps simple state (instances and their tags, images, spot prices, spot requests, subnets),
 * moves instances pending → running and shutting-down → terminated on each DescribeInstances,
 * records every call with its parameters, and fails calls on request.
 */
final class FakeEc2Server implements AutoCloseable {
    static final String NS = "http://ec2.amazonaws.com/doc/2016-11-15/";

    record Call(String action, Map<String, String> params, String authorization) {
        String get(String k) {
            return params.get(k);
        }
    }

    static final class Inst {
        final String id;
        final String imageId;
        final String type;
        final String subnet;
        final String zone;
        final String privateIp;
        final Instant launchTime;
        final Map<String, String> tags = new LinkedHashMap<>();
        final Map<String, String> volumeTags = new LinkedHashMap<>();
        final String spotRequestId;
        final String keyName;
        String state = "pending";
        String publicIp;
        String reasonCode;
        String reasonMessage;

        Inst(String id, String imageId, String type, String subnet, String zone, String privateIp, Instant launchTime,
             String spotRequestId, String keyName) {
            this.id = id;
            this.imageId = imageId;
            this.type = type;
            this.subnet = subnet;
            this.zone = zone;
            this.privateIp = privateIp;
            this.launchTime = launchTime;
            this.spotRequestId = spotRequestId;
            this.keyName = keyName;
        }
    }

    record Image(String id, String location, String name, String owner, String creationDate, Map<String, String> tags) {}

    record Price(String type, String product, String zone, String price, Instant at) {}

    static final class SpotReq {
        final String id;
        final String instanceId;
        final String price;
        String state = "active";
        String statusCode = "fulfilled";

        SpotReq(String id, String instanceId, String price) {
            this.id = id;
            this.instanceId = instanceId;
            this.price = price;
        }
    }

    private record Fault(String action, Predicate<Map<String, String>> when, int status, String code, String message,
                         AtomicInteger remaining) {}

    private final HttpServer http;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-ec2");
        t.setDaemon(true);
        return t;
    });
    private final Clock clock;
    private final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
    private final List<Fault> faults = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Inst> instances = new LinkedHashMap<>();
    private final Map<String, String> clientTokens = new LinkedHashMap<>();
    private final List<Image> images = new ArrayList<>();
    private final List<Price> prices = new ArrayList<>();
    private final Map<String, String> subnets = new LinkedHashMap<>();
    private final Map<String, String> groups = new LinkedHashMap<>();
    private final Map<String, SpotReq> spotRequests = new LinkedHashMap<>();
    private final AtomicInteger seq = new AtomicInteger(0x1000);
    volatile long latencyMillis;
    final java.util.concurrent.atomic.AtomicLong bytesOut = new java.util.concurrent.atomic.AtomicLong();
    volatile int pricePageSize = 1000;
    /** When false, instances stay pending until {@link #setState}. */
    volatile boolean autoRun = true;

    static {
        // without TCP_NODELAY each answer stalls ~40 ms on Nagle + delayed ACK (headers and body go
        // out as separate writes); read once by the JDK server's config, so set before the first server
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    FakeEc2Server(Clock clock) throws IOException {
        this.clock = clock;
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
        http.setExecutor(pool);
        http.createContext("/", this::handle);
        http.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + http.getAddress().getPort());
    }

    @Override
    public void close() {
        http.stop(0);
        pool.shutdownNow();
    }

    // ------------------------------------------------------------------ test controls

    List<Call> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    List<Call> calls(String action) {
        return calls().stream().filter(c -> c.action.equals(action)).toList();
    }

    void clearCalls() {
        calls.clear();
    }

    /** The next {@code times} calls of the action fail with the code and HTTP status. */
    void fail(String action, int times, int status, String code) {
        failWhen(action, p -> true, times, status, code);
    }

    void failWhen(String action, Predicate<Map<String, String>> when, int times, int status, String code) {
        faults.add(new Fault(action, when, status, code, "fake failure: " + code, new AtomicInteger(times)));
    }

    synchronized void securityGroup(String id, String name) {
        groups.put(id, name);
    }

    synchronized void subnet(String id, String zone) {
        subnets.put(id, zone);
    }

    synchronized void image(String id, String location, String name, String owner, String creationDate,
                            Map<String, String> tags) {
        images.add(new Image(id, location, name, owner, creationDate, tags));
    }

    synchronized void price(String type, String zone, String price, Instant at) {
        prices.add(new Price(type, "Linux/UNIX", zone, price, at));
    }

    synchronized Inst instance(String id) {
        return instances.get(id);
    }

    synchronized List<Inst> instances() {
        return List.copyOf(instances.values());
    }

    synchronized long liveCount() {
        return instances.values().stream().filter(i -> !i.state.equals("terminated")).count();
    }

    synchronized void setState(String id, String state) {
        instances.get(id).state = state;
    }

    /** Spot's two-minute notice: the instance runs on, its request is marked. */
    synchronized void markForInterruption(String instanceId) {
        Inst i = instances.get(instanceId);
        SpotReq r = spotRequests.get(i.spotRequestId);
        r.statusCode = "marked-for-termination";
    }

    /** Spot took the instance away. */
    synchronized void reclaim(String instanceId) {
        Inst i = instances.get(instanceId);
        i.state = "shutting-down";
        i.reasonCode = "Server.SpotInstanceTermination";
        i.reasonMessage = "Server.SpotInstanceTermination: Spot instance termination";
        SpotReq r = spotRequests.get(i.spotRequestId);
        r.statusCode = "instance-terminated-no-capacity";
        r.state = "closed";
    }

    /** An instance that exists in EC2 with our tags but that no caller of RunInstances here knows about. */
    synchronized String addInstance(String state, Map<String, String> tags) {
        String id = nextId("i-");
        Inst i = new Inst(id, "ami-00000001", "m5.large", null, "us-east-1a", ip(), clock.instant(), null, null);
        i.state = state;
        i.tags.putAll(tags);
        instances.put(id, i);
        return id;
    }

    synchronized String addSpotRequest(String state) {
        String id = nextId("sir-");
        SpotReq r = new SpotReq(id, null, "0.05");
        r.state = state;
        r.statusCode = "pending-fulfillment";
        spotRequests.put(id, r);
        return id;
    }

    synchronized SpotReq spotRequest(String id) {
        return spotRequests.get(id);
    }

    // ------------------------------------------------------------------ HTTP

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            Map<String, String> params = new LinkedHashMap<>();
            String body;
            try (InputStream in = ex.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            String q = ex.getRequestURI().getRawQuery();
            for (String src : new String[] {q, body}) {
                if (src == null || src.isEmpty()) {
                    continue;
                }
                for (String pair : src.split("&")) {
                    int eq = pair.indexOf('=');
                    String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                    String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                    params.put(k, v);
                }
            }
            String action = params.getOrDefault("Action", "");
            calls.add(new Call(action, Collections.unmodifiableMap(params),
                    ex.getRequestHeaders().getFirst("Authorization")));
            long lat = latencyMillis;
            if (lat > 0) {
                try {
                    Thread.sleep(lat); // simulated API latency (benchmark only)
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            int status = 200;
            String xml;
            try {
                if (!"2016-11-15".equals(params.get("Version"))) {
                    throw new Ec2Error(400, "InvalidParameterValue", "unsupported Version " + params.get("Version"));
                }
                for (Fault f : faults) {
                    if (f.action.equals(action) && f.when.test(params) && f.remaining.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
                        throw new Ec2Error(f.status, f.code, f.message);
                    }
                }
                xml = respond(action, params);
            } catch (Ec2Error e) {
                status = e.status;
                xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>" + esc(e.code)
                        + "</Code><Message>" + esc(e.getMessage()) + "</Message></Error></Errors><RequestID>"
                        + UUID.randomUUID() + "</RequestID></Response>";
            }
            byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
            bytesOut.addAndGet(bytes.length);
            ex.getResponseHeaders().add("Content-Type", "text/xml;charset=UTF-8");
            ex.getResponseHeaders().add("x-amzn-RequestId", UUID.randomUUID().toString());
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        } catch (RuntimeException e) {
            e.printStackTrace();
            throw e;
        }
    }

    static final class Ec2Error extends RuntimeException {
        final int status;
        final String code;

        Ec2Error(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }
    }

    private synchronized String respond(String action, Map<String, String> p) {
        return switch (action) {
            case "RunInstances" -> runInstances(p);
            case "DescribeInstances" -> describeInstances(p);
            case "TerminateInstances" -> terminateInstances(p);
            case "DescribeSpotPriceHistory" -> describeSpotPriceHistory(p);
            case "DescribeImages" -> describeImages(p);
            case "DescribeSubnets" -> describeSubnets(p);
            case "DescribeSecurityGroups" -> describeSecurityGroups(p);
            case "DescribeSpotInstanceRequests" -> describeSpotInstanceRequests(p);
            case "CancelSpotInstanceRequests" -> cancelSpotInstanceRequests(p);
            case "AssociateAddress" -> envelope(action, "<return>true</return><associationId>eipassoc-"
                    + associate(p) + "</associationId>");
            case "AttachVolume" -> envelope(action, "<volumeId>" + esc(p.get("VolumeId")) + "</volumeId><instanceId>"
                    + esc(p.get("InstanceId")) + "</instanceId><device>" + esc(p.get("Device"))
                    + "</device><status>attaching</status><attachTime>" + clock.instant() + "</attachTime>");
            default -> throw new Ec2Error(400, "InvalidAction", "The action " + action + " is not valid for this web service.");
        };
    }

    private String runInstances(Map<String, String> p) {
        String token = p.get("ClientToken");
        if (token != null && clientTokens.containsKey(token)) {
            Inst same = instances.get(clientTokens.get(token));
            if (!java.util.Objects.equals(same.subnet, p.get("SubnetId"))
                    || (same.spotRequestId != null) != p.containsKey("InstanceMarketOptions.MarketType")) {
                throw new Ec2Error(400, "IdempotentParameterMismatch",
                        "The client token you have provided is associated with a resource that has different parameters");
            }
            return envelope("RunInstances", reservationBody(same));
        }
        String subnet = p.get("SubnetId");
        String zone = subnet != null ? subnets.get(subnet) : p.getOrDefault("Placement.AvailabilityZone", "us-east-1a");
        if (subnet != null && zone == null) {
            throw new Ec2Error(400, "InvalidSubnetID.NotFound", "The subnet ID '" + subnet + "' does not exist");
        }
        boolean spot = "spot".equals(p.get("InstanceMarketOptions.MarketType"));
        String id = nextId("i-");
        String sir = null;
        if (spot) {
            sir = nextId("sir-");
            spotRequests.put(sir, new SpotReq(sir, id, p.get("InstanceMarketOptions.SpotOptions.MaxPrice")));
        }
        Inst i = new Inst(id, p.get("ImageId"), p.get("InstanceType"), subnet, zone, ip(), clock.instant(), sir,
                p.get("KeyName"));
        for (int n = 1; p.containsKey("TagSpecification." + n + ".ResourceType"); n++) {
            Map<String, String> target = "instance".equals(p.get("TagSpecification." + n + ".ResourceType")) ? i.tags
                    : i.volumeTags;
            for (int m = 1; p.containsKey("TagSpecification." + n + ".Tag." + m + ".Key"); m++) {
                target.put(p.get("TagSpecification." + n + ".Tag." + m + ".Key"),
                        p.getOrDefault("TagSpecification." + n + ".Tag." + m + ".Value", ""));
            }
        }
        instances.put(id, i);
        if (token != null) {
            clientTokens.put(token, id);
        }
        return envelope("RunInstances", reservationBody(i));
    }

    private String reservationBody(Inst i) {
        return "<reservationId>r-" + i.id.substring(2) + "</reservationId><ownerId>111122223333</ownerId><groupSet/>"
                + "<instancesSet>" + instanceXml(i) + "</instancesSet>";
    }

    private String describeInstances(Map<String, String> p) {
        if (autoRun) {
            for (Inst i : instances.values()) {
                if (i.state.equals("pending")) {
                    i.state = "running";
                } else if (i.state.equals("shutting-down")) {
                    i.state = "terminated";
                }
            }
        }
        List<String> ids = list(p, "InstanceId");
        Map<String, List<String>> filters = filters(p);
        for (String id : ids) {
            if (!instances.containsKey(id)) {
                throw new Ec2Error(400, "InvalidInstanceID.NotFound", "The instance ID '" + id + "' does not exist");
            }
        }
        List<Inst> match = new ArrayList<>();
        for (Inst i : instances.values()) {
            if (!ids.isEmpty() && !ids.contains(i.id)) {
                continue;
            }
            if (matches(i, filters)) {
                match.add(i);
            }
        }
        int max = p.containsKey("MaxResults") ? Integer.parseInt(p.get("MaxResults")) : Integer.MAX_VALUE;
        if (p.containsKey("MaxResults") && !ids.isEmpty()) {
            throw new Ec2Error(400, "InvalidParameterCombination", "MaxResults cannot be used with InstanceId");
        }
        if (p.containsKey("MaxResults") && (max < 5 || max > 1000)) {
            throw new Ec2Error(400, "InvalidParameterValue", "MaxResults must be between 5 and 1000");
        }
        int from = p.containsKey("NextToken") ? Integer.parseInt(p.get("NextToken")) : 0;
        int to = Math.min(match.size(), from + max);
        StringBuilder sb = new StringBuilder("<reservationSet>");
        for (Inst i : match.subList(from, to)) {
            sb.append("<item>").append(reservationBody(i)).append("</item>");
        }
        sb.append("</reservationSet>");
        if (to < match.size()) {
            sb.append("<nextToken>").append(to).append("</nextToken>");
        }
        return envelope("DescribeInstances", sb.toString());
    }

    private static boolean matches(Inst i, Map<String, List<String>> filters) {
        for (Map.Entry<String, List<String>> f : filters.entrySet()) {
            String name = f.getKey();
            List<String> values = f.getValue();
            String actual;
            if (name.equals("instance-id")) {
                actual = i.id;
            } else if (name.equals("instance-state-name")) {
                actual = i.state;
            } else if (name.startsWith("tag:")) {
                actual = i.tags.get(name.substring(4));
            } else if (name.equals("tag-key")) {
                if (values.stream().noneMatch(i.tags::containsKey)) {
                    return false;
                }
                continue;
            } else {
                throw new Ec2Error(400, "InvalidParameterValue", "The filter '" + name + "' is invalid");
            }
            if (actual == null || !values.contains(actual)) {
                return false;
            }
        }
        return true;
    }

    private String instanceXml(Inst i) {
        StringBuilder sb = new StringBuilder("<item>");
        sb.append("<instanceId>").append(i.id).append("</instanceId>");
        sb.append("<imageId>").append(esc(i.imageId)).append("</imageId>");
        sb.append("<instanceState><code>").append(stateCode(i.state)).append("</code><name>").append(i.state)
                .append("</name></instanceState>");
        sb.append("<privateDnsName>ip-").append(i.privateIp.replace('.', '-')).append(".ec2.internal</privateDnsName>");
        sb.append("<dnsName/><reason/>");
        if (i.keyName != null) {
            sb.append("<keyName>").append(esc(i.keyName)).append("</keyName>");
        }
        sb.append("<amiLaunchIndex>0</amiLaunchIndex><productCodes/>");
        sb.append("<instanceType>").append(esc(i.type)).append("</instanceType>");
        sb.append("<launchTime>").append(i.launchTime).append("</launchTime>");
        sb.append("<placement><availabilityZone>").append(esc(i.zone))
                .append("</availabilityZone><groupName/><tenancy>default</tenancy></placement>");
        sb.append("<monitoring><state>disabled</state></monitoring>");
        if (i.subnet != null) {
            sb.append("<subnetId>").append(i.subnet).append("</subnetId><vpcId>vpc-1a2b3c4d</vpcId>");
        }
        sb.append("<privateIpAddress>").append(i.privateIp).append("</privateIpAddress>");
        if (i.publicIp != null) {
            sb.append("<ipAddress>").append(i.publicIp).append("</ipAddress>");
        }
        if (i.reasonCode != null) {
            sb.append("<stateReason><code>").append(esc(i.reasonCode)).append("</code><message>")
                    .append(esc(i.reasonMessage)).append("</message></stateReason>");
        }
        sb.append("<architecture>x86_64</architecture><rootDeviceType>ebs</rootDeviceType>")
                .append("<rootDeviceName>/dev/xvda</rootDeviceName>");
        if (i.spotRequestId != null) {
            sb.append("<instanceLifecycle>spot</instanceLifecycle><spotInstanceRequestId>").append(i.spotRequestId)
                    .append("</spotInstanceRequestId>");
        }
        sb.append("<virtualizationType>hvm</virtualizationType><hypervisor>xen</hypervisor>");
        sb.append(tagSet(i.tags));
        sb.append("<metadataOptions><state>applied</state><httpTokens>required</httpTokens>")
                .append("<httpPutResponseHopLimit>1</httpPutResponseHopLimit><httpEndpoint>enabled</httpEndpoint>")
                .append("</metadataOptions>");
        sb.append("</item>");
        return sb.toString();
    }

    private static int stateCode(String s) {
        return switch (s) {
            case "pending" -> 0;
            case "running" -> 16;
            case "shutting-down" -> 32;
            case "terminated" -> 48;
            case "stopping" -> 64;
            default -> 80;
        };
    }

    private String terminateInstances(Map<String, String> p) {
        List<String> ids = list(p, "InstanceId");
        List<String> unknown = ids.stream().filter(id -> !instances.containsKey(id)).toList();
        if (unknown.size() == 1) {
            throw new Ec2Error(400, "InvalidInstanceID.NotFound", "The instance ID '" + unknown.get(0) + "' does not exist");
        } else if (!unknown.isEmpty()) {
            throw new Ec2Error(400, "InvalidInstanceID.NotFound",
                    "The instance IDs '" + String.join(", ", unknown) + "' do not exist");
        }
        StringBuilder sb = new StringBuilder("<instancesSet>");
        for (String id : ids) {
            Inst i = instances.get(id);
            String prev = i.state;
            if (!i.state.equals("terminated")) {
                i.state = "shutting-down";
            }
            if (i.spotRequestId != null) {
                SpotReq r = spotRequests.get(i.spotRequestId);
                r.state = "closed";
                r.statusCode = "instance-terminated-by-user";
            }
            sb.append("<item><instanceId>").append(id).append("</instanceId><currentState><code>")
                    .append(stateCode(i.state)).append("</code><name>").append(i.state)
                    .append("</name></currentState><previousState><code>").append(stateCode(prev))
                    .append("</code><name>").append(prev).append("</name></previousState></item>");
        }
        sb.append("</instancesSet>");
        return envelope("TerminateInstances", sb.toString());
    }

    private String describeSpotPriceHistory(Map<String, String> p) {
        List<String> types = list(p, "InstanceType");
        List<String> products = list(p, "ProductDescription");
        String zone = p.get("AvailabilityZone");
        Instant start = p.containsKey("StartTime") ? Instant.parse(p.get("StartTime")) : Instant.MIN;
        Instant end = p.containsKey("EndTime") ? Instant.parse(p.get("EndTime")) : Instant.MAX;
        List<Price> match = prices.stream().filter(pr -> (types.isEmpty() || types.contains(pr.type))
                && (products.isEmpty() || products.contains(pr.product)) && (zone == null || zone.equals(pr.zone))
                && !pr.at.isBefore(start) && !pr.at.isAfter(end)).toList();
        int from = p.containsKey("NextToken") ? Integer.parseInt(p.get("NextToken")) : 0;
        int to = Math.min(match.size(), from + pricePageSize);
        StringBuilder sb = new StringBuilder("<spotPriceHistorySet>");
        for (Price pr : match.subList(from, to)) {
            sb.append("<item><instanceType>").append(esc(pr.type)).append("</instanceType><productDescription>")
                    .append(esc(pr.product)).append("</productDescription><spotPrice>").append(esc(pr.price))
                    .append("</spotPrice><timestamp>").append(pr.at).append("</timestamp><availabilityZone>")
                    .append(esc(pr.zone)).append("</availabilityZone></item>");
        }
        sb.append("</spotPriceHistorySet><nextToken>").append(to < match.size() ? String.valueOf(to) : "")
                .append("</nextToken>");
        return envelope("DescribeSpotPriceHistory", sb.toString());
    }

    private String describeImages(Map<String, String> p) {
        List<String> owners = list(p, "Owner");
        Map<String, List<String>> filters = filters(p);
        StringBuilder sb = new StringBuilder("<imagesSet>");
        for (Image img : images) {
            if (!owners.isEmpty() && !owners.contains(img.owner)) {
                continue;
            }
            boolean ok = true;
            for (Map.Entry<String, List<String>> f : filters.entrySet()) {
                String actual = f.getKey().equals("state") ? "available"
                        : f.getKey().startsWith("tag:") ? img.tags.get(f.getKey().substring(4)) : null;
                if (actual == null || !f.getValue().contains(actual)) {
                    ok = false;
                }
            }
            if (!ok) {
                continue;
            }
            sb.append("<item><imageId>").append(img.id).append("</imageId><imageLocation>").append(esc(img.location))
                    .append("</imageLocation><imageState>available</imageState><imageOwnerId>").append(img.owner)
                    .append("</imageOwnerId><creationDate>").append(img.creationDate)
                    .append("</creationDate><isPublic>false</isPublic><architecture>x86_64</architecture>")
                    .append("<imageType>machine</imageType><name>").append(esc(img.name))
                    .append("</name><rootDeviceType>ebs</rootDeviceType><rootDeviceName>/dev/xvda</rootDeviceName>")
                    .append("<virtualizationType>hvm</virtualizationType>").append(tagSet(img.tags))
                    .append("<hypervisor>xen</hypervisor></item>");
        }
        sb.append("</imagesSet>");
        return envelope("DescribeImages", sb.toString());
    }

    private String describeSubnets(Map<String, String> p) {
        List<String> ids = list(p, "SubnetId");
        StringBuilder sb = new StringBuilder("<subnetSet>");
        for (String id : ids) {
            String zone = subnets.get(id);
            if (zone == null) {
                throw new Ec2Error(400, "InvalidSubnetID.NotFound", "The subnet ID '" + id + "' does not exist");
            }
            sb.append("<item><subnetId>").append(id).append("</subnetId><state>available</state>")
                    .append("<vpcId>vpc-1a2b3c4d</vpcId><cidrBlock>10.0.0.0/24</cidrBlock>")
                    .append("<availableIpAddressCount>250</availableIpAddressCount><availabilityZone>").append(zone)
                    .append("</availabilityZone></item>");
        }
        sb.append("</subnetSet>");
        return envelope("DescribeSubnets", sb.toString());
    }

    private String describeSecurityGroups(Map<String, String> p) {
        StringBuilder sb = new StringBuilder("<securityGroupInfo>");
        for (String id : list(p, "GroupId")) {
            String name = groups.get(id);
            if (name == null) {
                throw new Ec2Error(400, "InvalidGroup.NotFound", "The security group '" + id + "' does not exist");
            }
            sb.append("<item><ownerId>111122223333</ownerId><groupId>").append(id).append("</groupId><groupName>")
                    .append(esc(name)).append("</groupName><groupDescription>ci</groupDescription>")
                    .append("<vpcId>vpc-1a2b3c4d</vpcId></item>");
        }
        sb.append("</securityGroupInfo>");
        return envelope("DescribeSecurityGroups", sb.toString());
    }

    private String describeSpotInstanceRequests(Map<String, String> p) {
        List<String> ids = list(p, "SpotInstanceRequestId");
        Map<String, List<String>> filters = filters(p);
        StringBuilder sb = new StringBuilder("<spotInstanceRequestSet>");
        for (SpotReq r : spotRequests.values()) {
            if (!ids.isEmpty() && !ids.contains(r.id)) {
                continue;
            }
            boolean ok = true;
            for (Map.Entry<String, List<String>> f : filters.entrySet()) {
                String actual = switch (f.getKey()) {
                    case "spot-instance-request-id" -> r.id;
                    case "status-code" -> r.statusCode;
                    case "state" -> r.state;
                    case "instance-id" -> r.instanceId;
                    default -> throw new Ec2Error(400, "InvalidParameterValue", "The filter '" + f.getKey() + "' is invalid");
                };
                if (actual == null || !f.getValue().contains(actual)) {
                    ok = false;
                }
            }
            if (!ok) {
                continue;
            }
            sb.append("<item><spotInstanceRequestId>").append(r.id).append("</spotInstanceRequestId><spotPrice>")
                    .append(esc(r.price)).append("</spotPrice><type>one-time</type><state>").append(r.state)
                    .append("</state><status><code>").append(r.statusCode).append("</code><updateTime>")
                    .append(clock.instant()).append("</updateTime><message>status ").append(r.statusCode)
                    .append("</message></status>");
            if (r.instanceId != null) {
                sb.append("<instanceId>").append(r.instanceId).append("</instanceId>");
            }
            sb.append("<createTime>").append(clock.instant()).append("</createTime>")
                    .append("<productDescription>Linux/UNIX</productDescription></item>");
        }
        sb.append("</spotInstanceRequestSet>");
        return envelope("DescribeSpotInstanceRequests", sb.toString());
    }

    private String cancelSpotInstanceRequests(Map<String, String> p) {
        List<String> ids = list(p, "SpotInstanceRequestId");
        for (String id : ids) {
            if (!spotRequests.containsKey(id)) {
                throw new Ec2Error(400, "InvalidSpotInstanceRequestID.NotFound",
                        "The spot instance request ID '" + id + "' does not exist");
            }
        }
        StringBuilder sb = new StringBuilder("<spotInstanceRequestSet>");
        for (String id : ids) {
            SpotReq r = spotRequests.get(id);
            r.state = "cancelled";
            sb.append("<item><spotInstanceRequestId>").append(id).append("</spotInstanceRequestId><state>cancelled</state></item>");
        }
        sb.append("</spotInstanceRequestSet>");
        return envelope("CancelSpotInstanceRequests", sb.toString());
    }

    private String associate(Map<String, String> p) {
        Inst i = instances.get(p.get("InstanceId"));
        if (i == null) {
            throw new Ec2Error(400, "InvalidInstanceID.NotFound", "The instance ID '" + p.get("InstanceId") + "' does not exist");
        }
        if (!i.state.equals("running")) {
            throw new Ec2Error(400, "IncorrectInstanceState", "The instance '" + i.id + "' is not in a valid state");
        }
        i.publicIp = "203.0.113." + (seq.get() % 250);
        return Integer.toHexString(seq.incrementAndGet());
    }

    // ------------------------------------------------------------------ helpers

    private String envelope(String action, String body) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<" + action + "Response xmlns=\"" + NS + "\"><requestId>"
                + UUID.randomUUID() + "</requestId>" + body + "</" + action + "Response>";
    }

    private static String tagSet(Map<String, String> tags) {
        StringBuilder sb = new StringBuilder("<tagSet>");
        tags.forEach((k, v) -> sb.append("<item><key>").append(esc(k)).append("</key><value>").append(esc(v))
                .append("</value></item>"));
        return sb.append("</tagSet>").toString();
    }

    /** Values of Prefix.1, Prefix.2, ... in order. */
    static List<String> list(Map<String, String> p, String prefix) {
        TreeMap<Integer, String> m = new TreeMap<>();
        p.forEach((k, v) -> {
            if (k.startsWith(prefix + ".") && k.substring(prefix.length() + 1).matches("\\d+")) {
                m.put(Integer.parseInt(k.substring(prefix.length() + 1)), v);
            }
        });
        return new ArrayList<>(m.values());
    }

    /** Filter.N.Name / Filter.N.Value.M as name → values. */
    static Map<String, List<String>> filters(Map<String, String> p) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (int n = 1; p.containsKey("Filter." + n + ".Name"); n++) {
            out.put(p.get("Filter." + n + ".Name"), list(p, "Filter." + n + ".Value"));
        }
        return out;
    }

    /** Parameters under a prefix, for readable assertions. */
    static Map<String, String> under(Map<String, String> p, String prefix) {
        return p.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, TreeMap::new));
    }

    private String nextId(String prefix) {
        return prefix + String.format("%017x", seq.incrementAndGet());
    }

    private String ip() {
        int n = seq.get();
        return "10.0." + ((n >> 8) & 0xff) + "." + (n & 0xff);
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
