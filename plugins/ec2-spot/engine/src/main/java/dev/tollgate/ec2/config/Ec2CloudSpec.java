package dev.tollgate.ec2.config;

import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.CloudSettings;
import dev.tollgate.cloud.config.CloudProblem;
import dev.tollgate.cloud.config.CloudSpec;
import dev.tollgate.cloud.config.CloudTemplateSpec;
import dev.tollgate.cloud.config.CommonCloudFields;
import dev.tollgate.cloud.config.JcascVars;
import dev.tollgate.common.config.Schema;
import dev.tollgate.ec2.BlockDevice;
import dev.tollgate.ec2.Ec2CloudConfig;
import dev.tollgate.ec2.Ec2Options;
import dev.tollgate.ec2.ImageSelector;
import dev.tollgate.ec2.SpotSettings;
import dev.tollgate.ec2.VolumeAttachment;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One EC2 spot cloud as JCasC writes it, {@code jenkins: clouds: - tollgateEc2Spot: {...}}
 * ({@link #SYMBOL}), and as the Jenkins plugin's describables hold it: plain values (texts, whole
 * numbers with their unit in the key, prices as decimal texts) whose components are the section's
 * keys. {@link #problems()} checks every value at its key; {@link #agentTemplates()},
 * {@link #ec2Config} and {@link #configure} build the engine's objects. Immutable.
 *
 * @param name                      the cloud's name in Jenkins; '/', '\' and spaces become '-' in the
 *                                  engine's name (the agents' and fingerprints' prefix)
 * @param region                    e.g. {@code us-west-2}
 * @param credentialsId             an AWS credentials id of the controller's credential store; absent =
 *                                  the controller's instance role or the SDK's default chain
 * @param endpoint                  an EC2 endpoint URL (a VPC endpoint); absent = the region's
 * @param templates                 in order of preference
 * @param instanceCap               most instances of the cloud at once; absent = no cap
 * @param requestsPerSecond         steady rate of create requests, a decimal (default 2)
 * @param requestBurst              create requests allowed at once
 * @param reaperGraceSeconds        an instance missing from a listing, or listed without a record, is
 *                                  acted on after this long
 * @param describeIntervalSeconds   instances not connected this long are described, at most this often
 * @param reaperIntervalSeconds     how often the reaper compares the cloud with the records
 * @param interruptionCheckSeconds  how often the controller asks EC2 about interruptions of agents whose
 *                                  side does not report; 0 = never
 * @param capacityCooldownSeconds   a template out of capacity is skipped this long
 * @param throttleBackoffSeconds    first pause after EC2 throttles, doubled up to maxBackoffSeconds
 * @param terminateBackoffSeconds   first pause after a failed terminate, doubled up to maxBackoffSeconds
 * @param maxBackoffSeconds         longest pause
 * @param recordRetentionMinutes    ended agents' records are kept this long
 * @param agentReportWindowSeconds  an agent whose side reported on interruptions (or connected) within
 *                                  this long is left out of the controller's EC2 check
 * @param priceCacheSeconds         a 24-hour spot price average is reused this long
 * @param imageCacheSeconds         a selected AMI is reused this long (a promoted image is seen after it)
 * @param usePublicAddress          report instances' public addresses rather than private ones
 * @param costRetentionHours        an ended instance's cost stays on the cloud page this long
 */
public record Ec2CloudSpec(@Schema.Required String name,
                           @Schema.Required("an AWS region such as us-west-2") String region,
                           String credentialsId,
                           String endpoint,
                           @Schema.Required("at least one template") List<Ec2TemplateSpec> templates,
                           Integer instanceCap,
                           @Schema.Default("2") String requestsPerSecond,
                           @Schema.Default("20") int requestBurst,
                           @Schema.Default("300") int reaperGraceSeconds,
                           @Schema.Default("120") int describeIntervalSeconds,
                           @Schema.Default("300") int reaperIntervalSeconds,
                           @Schema.Default("60") int interruptionCheckSeconds,
                           @Schema.Default("120") int capacityCooldownSeconds,
                           @Schema.Default("1") int throttleBackoffSeconds,
                           @Schema.Default("5") int terminateBackoffSeconds,
                           @Schema.Default("300") int maxBackoffSeconds,
                           @Schema.Default("60") int recordRetentionMinutes,
                           @Schema.Default("120") int agentReportWindowSeconds,
                           @Schema.Default("600") int priceCacheSeconds,
                           @Schema.Default("300") int imageCacheSeconds,
                           @Schema.Default("false") boolean usePublicAddress,
                           @Schema.Default("24") int costRetentionHours) implements CloudSpec {
    /** The JCasC symbol of an EC2 spot cloud under {@code jenkins: clouds:}. */
    public static final String SYMBOL = "tollgateEc2Spot";

    public Ec2CloudSpec {
        templates = templates == null ? List.of() : List.copyOf(templates);
    }

    // ------------------------------------------------------------------ checks

    @Override
    public List<CloudProblem> problems(JcascVars v) {
        String region = v.or(this.region, "us-east-1");
        String endpoint = v.or(this.endpoint, "https://ec2.us-east-1.amazonaws.com");
        List<CloudProblem> p = new ArrayList<>(CommonCloudFields.nameProblems(this, SYMBOL, name));
        if (region == null || !region.matches("[a-z]{2}(-[a-z]+)+-\\d+")) {
            p.add(new CloudProblem(this, SYMBOL, "region", "must look like us-west-2, got " + region));
        }
        if (endpoint != null) {
            try {
                URI u = new URI(endpoint);
                if (!("https".equals(u.getScheme()) || "http".equals(u.getScheme())) || u.getHost() == null) {
                    p.add(new CloudProblem(this, SYMBOL, "endpoint", "must be an absolute http(s) URL, got " + endpoint));
                }
            } catch (URISyntaxException e) {
                p.add(new CloudProblem(this, SYMBOL, "endpoint", "must be an absolute http(s) URL, got " + endpoint));
            }
        }
        if (templates.isEmpty()) {
            p.add(new CloudProblem(this, SYMBOL, "templates", "at least one template is required"));
        }
        Map<String, Integer> positive = new LinkedHashMap<>();
        positive.put("agentReportWindowSeconds", agentReportWindowSeconds);
        positive.put("costRetentionHours", costRetentionHours);
        p.addAll(common().problems(this, SYMBOL, v, positive));
        Map<String, Integer> zeroOrMore = Map.of("interruptionCheckSeconds", interruptionCheckSeconds,
                "priceCacheSeconds", priceCacheSeconds, "imageCacheSeconds", imageCacheSeconds);
        zeroOrMore.forEach((k, n) -> {
            if (n < 0) {
                p.add(new CloudProblem(this, SYMBOL, k, "must be 0 or more, got " + n));
            }
        });
        Set<String> names = new HashSet<>();
        for (Ec2TemplateSpec t : templates) {
            if (t.name() != null && !names.add(t.name())) {
                p.add(new CloudProblem(t, "templates", "name", "template '" + t.name() + "' is defined twice"));
            }
            p.addAll(templateProblems(t, v));
        }
        return p;
    }

    /** A template's problems, each at its key. */
    static List<CloudProblem> templateProblems(Ec2TemplateSpec t, JcascVars v) {
        List<CloudProblem> p = new ArrayList<>();
        if (t.onDemandHourlyPrice() != null && price(v.or(t.onDemandHourlyPrice(), "0.1")) == null) {
            p.add(new CloudProblem(t, "templates", "onDemandHourlyPrice", "must be a USD/hour price such as 0.096, got "
                    + t.onDemandHourlyPrice()));
        }
        Ec2ImageSpec img = t.image();
        if (img != null) {
            if (img.matchOn() != null && parseEnum(ImageSelector.MatchOn.class, img.matchOn()) == null) {
                p.add(new CloudProblem(img, "image", "matchOn", "must be LOCATION or NAME, got " + img.matchOn()));
            }
            if (img.order() != null && parseEnum(ImageSelector.Order.class, img.order()) == null) {
                p.add(new CloudProblem(img, "image", "order", "must be LOCATION or NEWEST, got " + img.order()));
            }
        }
        Ec2SpotSpec s = t.spot();
        if (s != null) {
            for (String[] kv : new String[][] {{"maxSpotPrice", s.maxSpotPrice()}, {"priceMultiplier", s.priceMultiplier()},
                    {"defaultPrice", s.defaultPrice()}}) {
                String value = v.or(kv[1], "0.1");
                if (value != null && (price(value) == null || !(price(value) > 0))) {
                    p.add(new CloudProblem(s, "spot", kv[0], "must be a positive decimal such as 0.12, got " + kv[1]));
                }
            }
            if (s.maxSpotPrice() == null && s.priceMultiplier() == null) {
                p.add(new CloudProblem(s, "spot", "priceMultiplier",
                        "give a priceMultiplier (bid = 24-hour average x multiplier) or a maxSpotPrice (a fixed bid)"));
            }
            if (s.defaultPrice() == null && s.maxSpotPrice() == null && s.priceMultiplier() != null) {
                p.add(new CloudProblem(s, "spot", "defaultPrice",
                        "is needed without a maxSpotPrice: the average used when EC2 has no price history"));
            }
        }
        for (Ec2VolumeSpec vol : t.attachVolumes()) {
            try {
                new VolumeAttachment(v.or(vol.volumeId(), "vol-0"), v.or(vol.device(), "/dev/sdf"));
            } catch (IllegalArgumentException e) {
                p.add(new CloudProblem(vol, "attachVolumes", e.getMessage().startsWith("volume id") ? "volumeId" : "device",
                        e.getMessage()));
            }
        }
        if (!p.isEmpty()) {
            return p; // the engine's records cannot be built from unreadable values
        }
        try {
            Ec2Options o = options(t, v);
            for (String problem : o.problems("")) {
                String m = problem.startsWith(": ") ? problem.substring(2) : problem;
                p.add(at(t, m));
            }
            if (o.problems("").isEmpty()) {
                agentTemplate(t, o);
            }
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            String prefix = "template '" + t.name() + "': ";
            for (String one : (m.startsWith(prefix) ? m.substring(prefix.length()) : m).split("; ")) {
                p.add(at(t, one));
            }
        }
        return p;
    }

    /** The engine's message about a template, at the key it starts with (else at the template's name). */
    private static CloudProblem at(Ec2TemplateSpec t, String message) {
        Set<String> keys = new HashSet<>();
        Arrays.stream(Ec2TemplateSpec.class.getRecordComponents()).forEach(c -> keys.add(c.getName()));
        Map<String, String> engineKeys = Map.ofEntries(Map.entry("userDataTemplate", "userData"),
                Map.entry("buildWaitTimeout", "buildWaitTimeoutSeconds"), Map.entry("missingTimeout", "missingTimeoutSeconds"),
                Map.entry("subnet", "subnetIds"), Map.entry("security", "securityGroupIds"), Map.entry("tag", "tags"),
                Map.entry("label", "labels"), Map.entry("user", "userData"), Map.entry("an", "image"),
                Map.entry("at", "tags"), Map.entry("give", "availabilityZone"));
        String first = message.split("[ .:\\[]", 2)[0];
        String key = keys.contains(first) ? first : engineKeys.getOrDefault(first, "name");
        String shown = message.startsWith(first + " ") && keys.contains(first) ? message.substring(first.length() + 1) : message;
        return new CloudProblem(t, "templates", key, shown);
    }

    // ------------------------------------------------------------------ the engine's objects

    /** The engine's templates; IllegalArgumentException names every problem (see {@link #problems()}). */
    public List<AgentTemplate<Ec2Options>> agentTemplates() {
        CloudProblem.refuse(name, problems());
        List<AgentTemplate<Ec2Options>> out = new ArrayList<>();
        for (Ec2TemplateSpec t : templates) {
            out.add(agentTemplate(t, options(t, new JcascVars(false))));
        }
        return out;
    }

    /** The driver's configuration, with the same templates the engine's settings get. */
    public Ec2CloudConfig ec2Config(List<AgentTemplate<Ec2Options>> agentTemplates) {
        return new Ec2CloudConfig(engineName(), region, endpoint == null ? null : URI.create(endpoint), agentTemplates,
                Duration.ofSeconds(priceCacheSeconds), Duration.ofSeconds(imageCacheSeconds),
                Duration.ofSeconds(interruptionCheckSeconds), usePublicAddress, Duration.ofHours(costRetentionHours));
    }

    /** The cloud-wide engine settings (caps, rates, intervals) on the builder. */
    public CloudSettings.Builder configure(CloudSettings.Builder b) {
        CommonCloudFields common = common();
        return common.configure(b, common.requestRate())
                .interruptionCheckInterval(Duration.ofSeconds(interruptionCheckSeconds))
                .agentReportWindow(Duration.ofSeconds(agentReportWindowSeconds));
    }

    /** The keys every cloud has, as cloud-core checks and maps them. */
    public CommonCloudFields common() {
        return new CommonCloudFields(instanceCap, requestsPerSecond, requestBurst, reaperGraceSeconds,
                describeIntervalSeconds, reaperIntervalSeconds, capacityCooldownSeconds, throttleBackoffSeconds,
                terminateBackoffSeconds, maxBackoffSeconds, recordRetentionMinutes);
    }

    /** One line for {@code tollgate validate}: region, templates and what they start. */
    public String summary() {
        return "cloud " + name + " in " + region + " (" + (credentialsId == null ? "instance role" : "credentials "
                + credentialsId) + "), " + templates.size() + " template(s): " + String.join(", ", templates.stream()
                .map(t -> t.name() + " " + t.instanceType() + (t.spot() == null ? " on-demand" : " spot")
                        + " [" + t.labels() + "]").toList());
    }

    private static AgentTemplate<Ec2Options> agentTemplate(Ec2TemplateSpec t, Ec2Options o) {
        return CloudTemplateSpec.agentTemplate(t, o);
    }

    private static Ec2Options options(Ec2TemplateSpec t, JcascVars v) {
        Ec2ImageSpec img = t.image();
        ImageSelector image = img == null ? null : new ImageSelector(v.or(img.imageId(), "ami-0"),
                v.all(img.owners(), i -> String.format("%012d", i + 1)), v.or(img.regex(), null),
                img.matchOn() == null ? null : parseEnum(ImageSelector.MatchOn.class, img.matchOn()),
                tagMap(img.tagFilters(), v),
                img.order() == null ? null : parseEnum(ImageSelector.Order.class, img.order()));
        SpotSettings spot = null;
        Ec2SpotSpec s = t.spot();
        if (s != null) {
            Double max = price(v.or(s.maxSpotPrice(), "0.1"));
            Double def = s.defaultPrice() != null ? price(v.or(s.defaultPrice(), "0.1")) : max;
            spot = new SpotSettings(max, price(v.or(s.priceMultiplier(), "1")), def == null ? 0 : def,
                    s.productDescription(), s.fallbackToOnDemand());
        }
        return Ec2Options.builder()
                .instanceType(v.or(t.instanceType(), "m5.large"))
                .image(image)
                .subnetIds(v.all(t.subnetIds(), i -> "subnet-" + i))
                .availabilityZone(v.or(t.availabilityZone(), "us-east-1a"))
                .securityGroupIds(v.all(t.securityGroupIds(), i -> "sg-" + i))
                .keyName(t.keyName())
                .iamInstanceProfile(t.iamInstanceProfile())
                .userDataTemplate(t.userData())
                .blockDevices(t.blockDevices().stream().map(b -> new BlockDevice(v.or(b.deviceName(), "/dev/xvdb"),
                        b.sizeGiB(), b.volumeType(), b.iops(), b.deleteOnTermination(), b.encrypted())).toList())
                .attachVolumes(t.attachVolumes().stream().map(a -> new VolumeAttachment(v.or(a.volumeId(), "vol-0"),
                        v.or(a.device(), "/dev/sdf"))).toList())
                .elasticIpAllocationId(v.or(t.elasticIpAllocationId(), "eipalloc-0"))
                .tags(tagMap(t.tags(), v))
                .spot(spot)
                .onDemandHourlyPrice(price(v.or(t.onDemandHourlyPrice(), "0.1")))
                .build();
    }

    private static Map<String, String> tagMap(List<Ec2TagSpec> tags, JcascVars v) {
        Map<String, String> m = new LinkedHashMap<>();
        tags.forEach(t -> m.put(t.key(), v.or(t.value(), "x")));
        return m;
    }

    private static <E extends Enum<E>> E parseEnum(Class<E> type, String v) {
        try {
            return Enum.valueOf(type, v.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A decimal written as text, or null when absent or not a finite number. */
    static Double price(String v) {
        return JcascVars.decimal(v);
    }
}
