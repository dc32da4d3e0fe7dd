package dev.tollgate.openstack.config;

import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.CloudSettings;
import dev.tollgate.cloud.config.CloudProblem;
import dev.tollgate.cloud.config.CloudSpec;
import dev.tollgate.cloud.config.CloudTemplateSpec;
import dev.tollgate.cloud.config.CommonCloudFields;
import dev.tollgate.cloud.config.JcascVars;
import dev.tollgate.common.config.Schema;
import dev.tollgate.common.regex.SafePattern;
import dev.tollgate.common.regex.UnsupportedPatternException;
import dev.tollgate.openstack.ImageSelector;
import dev.tollgate.openstack.OpenStackCloudConfig;
import dev.tollgate.openstack.OpenStackCredentials;
import dev.tollgate.openstack.OpenStackOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One OpenStack cloud as JCasC writes it, {@code jenkins: clouds: - tollgateOpenStack: {...}}
 * ({@link #SYMBOL}), and as the Jenkins plugin's describables hold it: plain values (texts, whole
 * numbers with their unit in the key) whose components are the section's keys. {@link #problems()}
 * checks every value at its key; {@link #agentTemplates()}, {@link #openStackConfig} and
 * {@link #configure} build the engine's objects. Immutable.
 *
 * <p>The secret is never here: {@code credentialsId} names a username-and-password credential of the
 * controller, whose two values are a Keystone user and password ({@code authentication: password},
 * scoped to {@code project}) or an application credential's id and secret ({@code authentication:
 * applicationCredential}, which carries its own project).
 *
 * @param name                    the cloud's name in Jenkins; '/', '\' and spaces become '-' in the
 *                                engine's name (the agents' and fingerprints' prefix)
 * @param authUrl                 Keystone v3, e.g. {@code https://keystone.example.org:5000/v3}
 * @param authentication          {@code password} or {@code applicationCredential}
 * @param credentialsId           a username-and-password credential of the controller's store
 * @param userDomain              with a password: the user's domain name; absent = {@code Default}
 * @param project                 with a password: the project the servers are made in
 * @param projectDomain           with a password: the project's domain name; absent = the user's
 * @param region                  the catalog's region; absent = the catalog's first endpoint of each service
 * @param endpointInterface       {@code public}, {@code internal} or {@code admin}
 * @param templates               in order of preference
 * @param instanceCap             most servers of the cloud at once; absent = no cap
 * @param maxConcurrentBoots      most agents starting at once (asked for and not yet connected): Nova's
 *                                RPC times out when many servers boot at once on a small control plane
 * @param requestsPerSecond       steady rate of create requests, a decimal (default 2)
 * @param requestBurst            create requests allowed at once
 * @param connectTimeoutSeconds   TCP connect time-out of every API call
 * @param readTimeoutSeconds      longest wait for one API answer (a hung API ends the call)
 * @param lookupCacheSeconds      image, flavor, network and security group lookups are reused this
 *                                long; an image uploaded again under its name is used after it
 * @param reaperGraceSeconds      a server missing from a listing, or listed without a record, is
 *                                acted on after this long
 * @param describeIntervalSeconds servers not connected this long are described, at most this often
 * @param reaperIntervalSeconds   how often the reaper compares the cloud with the records
 * @param capacityCooldownSeconds a template out of capacity (quota) is skipped this long
 * @param throttleBackoffSeconds  first pause after OpenStack throttles, doubled up to maxBackoffSeconds
 * @param terminateBackoffSeconds first pause after a failed delete, doubled up to maxBackoffSeconds
 * @param maxBackoffSeconds       longest pause
 * @param recordRetentionMinutes  ended agents' records are kept this long
 */
public record OpenStackCloudSpec(@Schema.Required String name,
                                 @Schema.Required("Keystone's v3 URL") String authUrl,
                                 @Schema.Default("password") String authentication,
                                 @Schema.Required("a username-and-password credential") String credentialsId,
                                 String userDomain,
                                 String project,
                                 String projectDomain,
                                 String region,
                                 @Schema.Default("public") String endpointInterface,
                                 @Schema.Required("at least one template") List<OpenStackTemplateSpec> templates,
                                 Integer instanceCap,
                                 @Schema.Default("4") int maxConcurrentBoots,
                                 @Schema.Default("2") String requestsPerSecond,
                                 @Schema.Default("20") int requestBurst,
                                 @Schema.Default("10") int connectTimeoutSeconds,
                                 @Schema.Default("60") int readTimeoutSeconds,
                                 @Schema.Default("300") int lookupCacheSeconds,
                                 @Schema.Default("300") int reaperGraceSeconds,
                                 @Schema.Default("120") int describeIntervalSeconds,
                                 @Schema.Default("300") int reaperIntervalSeconds,
                                 @Schema.Default("120") int capacityCooldownSeconds,
                                 @Schema.Default("1") int throttleBackoffSeconds,
                                 @Schema.Default("5") int terminateBackoffSeconds,
                                 @Schema.Default("300") int maxBackoffSeconds,
                                 @Schema.Default("60") int recordRetentionMinutes) implements CloudSpec {
    /** The JCasC symbol of an OpenStack cloud under {@code jenkins: clouds:}. */
    public static final String SYMBOL = "tollgateOpenStack";
    public static final String PASSWORD = "password";
    public static final String APPLICATION_CREDENTIAL = "applicationCredential";
    private static final String UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
    private static final String METADATA_KEY = "[a-zA-Z0-9-_:. ]{1,255}";

    public OpenStackCloudSpec {
        templates = templates == null ? List.of() : List.copyOf(templates);
    }

    /** True when the credential is an application credential's id and secret. */
    public boolean applicationCredential() {
        return APPLICATION_CREDENTIAL.equals(authentication);
    }

    // ------------------------------------------------------------------ checks

    @Override
    public List<CloudProblem> problems(JcascVars v) {
        List<CloudProblem> p = new ArrayList<>(CommonCloudFields.nameProblems(this, SYMBOL, name));
        String auth = v.or(authUrl, "https://keystone.example.org:5000/v3");
        if (auth == null || auth.isBlank()) {
            p.add(at(this, "authUrl", "Keystone's v3 URL is required, such as https://keystone.example.org:5000/v3"));
        } else if (!isHttpUrl(auth)) {
            p.add(at(this, "authUrl", "must be Keystone's absolute http(s) URL, got " + auth));
        } else if (!URI.create(auth).getPath().replaceAll("/+$", "").endsWith("/v3")) {
            p.add(at(this, "authUrl", "must be Keystone's v3 URL (ending in /v3), got " + auth));
        }
        if (!PASSWORD.equals(authentication) && !APPLICATION_CREDENTIAL.equals(authentication)) {
            p.add(at(this, "authentication", "must be " + PASSWORD + " or " + APPLICATION_CREDENTIAL + ", got "
                    + authentication));
        }
        if (credentialsId == null || credentialsId.isBlank()) {
            p.add(at(this, "credentialsId", "a username-and-password credential is required (a Keystone user and "
                    + "password, or an application credential's id and secret)"));
        }
        if (applicationCredential()) {
            for (String[] k : new String[][] {{"project", project}, {"userDomain", userDomain},
                    {"projectDomain", projectDomain}}) {
                if (k[1] != null) {
                    p.add(at(this, k[0], "is for a password; an application credential carries its own project"));
                }
            }
        } else if (PASSWORD.equals(authentication) && (project == null || project.isBlank())) {
            p.add(at(this, "project", "a password needs the project the servers are made in"));
        }
        String iface = v.or(endpointInterface, "public");
        if (!List.of("public", "internal", "admin").contains(iface)) {
            p.add(at(this, "endpointInterface", "must be public, internal or admin, got " + iface));
        }
        if (region != null && region.isBlank()) {
            p.add(at(this, "region", "leave it out for the catalog's first region, or name one"));
        }
        if (lookupCacheSeconds < 0) {
            p.add(at(this, "lookupCacheSeconds", "must be 0 or more, got " + lookupCacheSeconds));
        }
        if (templates.isEmpty()) {
            p.add(at(this, "templates", "at least one template is required"));
        }
        Map<String, Integer> positive = new LinkedHashMap<>();
        positive.put("maxConcurrentBoots", maxConcurrentBoots);
        positive.put("connectTimeoutSeconds", connectTimeoutSeconds);
        positive.put("readTimeoutSeconds", readTimeoutSeconds);
        p.addAll(common().problems(this, SYMBOL, v, positive));
        Set<String> names = new HashSet<>();
        for (OpenStackTemplateSpec t : templates) {
            if (t.name() != null && !names.add(t.name())) {
                p.add(new CloudProblem(t, "templates", "name", "template '" + t.name() + "' is defined twice"));
            }
            p.addAll(templateProblems(t, v));
        }
        return p;
    }

    private static CloudProblem at(OpenStackCloudSpec c, String key, String message) {
        return new CloudProblem(c, SYMBOL, key, message);
    }

    private static CloudProblem at(OpenStackTemplateSpec t, String key, String message) {
        return new CloudProblem(t, "templates", key, message);
    }

    /** A template's problems, each at its key: its own values first, then cloud-core's. */
    private static List<CloudProblem> templateProblems(OpenStackTemplateSpec t, JcascVars v) {
        List<CloudProblem> p = new ArrayList<>();
        String flavor = v.or(t.flavor(), "m1.small");
        if (flavor == null || flavor.isBlank()) {
            p.add(at(t, "flavor", "a flavor name or id is required"));
        }
        if (t.image() == null) {
            p.add(at(t, "image", "an image is required: an id, a name, or a nameRegex and/or properties rule"));
        } else {
            p.addAll(imageProblems(t.image(), v));
        }
        if (t.networks().stream().anyMatch(n -> n == null || n.isBlank())) {
            p.add(at(t, "networks", "network names or ids must not be blank"));
        }
        if (t.securityGroups().stream().anyMatch(g -> g == null || g.isBlank())) {
            p.add(at(t, "securityGroups", "security group names must not be blank"));
        }
        if (t.floatingIpPool() != null) {
            if (t.floatingIpPool().isBlank()) {
                p.add(at(t, "floatingIpPool", "must name an external network, or be left out for no floating IP"));
            } else if (t.networks().isEmpty()) {
                p.add(at(t, "floatingIpPool", "a floating IP is bound to a port on the template's first network: "
                        + "list at least one network"));
            }
        }
        if (t.keyPair() != null && t.keyPair().isBlank()) {
            p.add(at(t, "keyPair", "name a key pair, or leave it out"));
        }
        if (t.availabilityZone() != null && t.availabilityZone().isBlank()) {
            p.add(at(t, "availabilityZone", "name a zone, or leave it out for Nova's choice"));
        }
        if (t.bootVolumeSizeGb() != null && t.bootVolumeSizeGb() < 1) {
            p.add(at(t, "bootVolumeSizeGb", "must be at least 1 (GB), or be left out to boot from the image, got "
                    + t.bootVolumeSizeGb()));
        }
        if (t.userData() != null
                && (t.userData().getBytes(StandardCharsets.UTF_8).length + 2) / 3 * 4 > OpenStackOptions.MAX_USER_DATA_BASE64) {
            p.add(at(t, "userData", "is larger than Nova's limit of 64 KB once base64-encoded"));
        }
        if (t.metadata().size() > OpenStackOptions.MAX_USER_METADATA) {
            p.add(at(t, "metadata", "at most " + OpenStackOptions.MAX_USER_METADATA + " items (Nova's quota is 128; "
                    + "the fingerprint takes the rest)"));
        }
        Set<String> keys = new HashSet<>();
        for (OpenStackPropertySpec m : t.metadata()) {
            if (m.key() == null || !m.key().matches(METADATA_KEY)) {
                p.add(new CloudProblem(m, "metadata", "key", "must be 1-255 letters, digits, '-', '_', ':', '.' or "
                        + "spaces, got " + m.key()));
            } else if (m.key().startsWith("tollgate:")) {
                p.add(new CloudProblem(m, "metadata", "key", "keys starting tollgate: are the fingerprint's"));
            } else if (!keys.add(m.key())) {
                p.add(new CloudProblem(m, "metadata", "key", "metadata key '" + m.key() + "' is given twice"));
            }
            if (m.value() == null || m.value().length() > 255) {
                p.add(new CloudProblem(m, "metadata", "value", "needs a value of at most 255 characters"));
            }
        }
        if (t.remoteFs() == null || !t.remoteFs().startsWith("/")) {
            p.add(at(t, "remoteFs", "must be an absolute path on the server, got " + t.remoteFs()));
        }
        if (!p.isEmpty()) {
            return p; // the engine's objects cannot be built from these values
        }
        OpenStackOptions o = options(t, v);
        for (String problem : o.problems("")) {
            // a rule of the engine's not mirrored above: at the template's name, in the engine's words
            p.add(at(t, "name", problem.startsWith(": ") ? problem.substring(2) : problem));
        }
        try {
            CloudTemplateSpec.agentTemplate(t, o);
        } catch (IllegalArgumentException e) {
            p.add(commonKeyProblem(t, e.getMessage()));
        }
        return p;
    }

    private static List<CloudProblem> imageProblems(OpenStackImageSpec i, JcascVars v) {
        List<CloudProblem> p = new ArrayList<>();
        String id = v.or(i.id(), "00000000-0000-0000-0000-000000000000");
        int given = (id != null ? 1 : 0) + (i.name() != null ? 1 : 0) + (i.isRule() ? 1 : 0);
        if (given != 1) {
            p.add(new CloudProblem(i, "image", given == 0 ? "id" : "name", "give exactly one of id, name, or a rule "
                    + "(nameRegex and/or properties)"));
        }
        if (id != null && !id.matches(UUID)) {
            p.add(new CloudProblem(i, "image", "id", "must be an image UUID, got " + id));
        }
        if (i.name() != null && i.name().isBlank()) {
            p.add(new CloudProblem(i, "image", "name", "must not be blank"));
        }
        if (i.nameRegex() != null) {
            try {
                SafePattern.compile(i.nameRegex());
            } catch (UnsupportedPatternException e) {
                p.add(new CloudProblem(i, "image", "nameRegex", e.getMessage()));
            }
        }
        if (i.order() != null) {
            if (!i.isRule()) {
                p.add(new CloudProblem(i, "image", "order", "is for a rule (nameRegex and/or properties)"));
            } else if (!Set.of("NEWEST", "OLDEST").contains(i.order())) {
                p.add(new CloudProblem(i, "image", "order", "must be NEWEST or OLDEST, got " + i.order()));
            }
        }
        Set<String> keys = new HashSet<>();
        for (OpenStackPropertySpec prop : i.properties()) {
            if (prop.key() == null || prop.key().isBlank()) {
                p.add(new CloudProblem(prop, "properties", "key", "an image property's name is required"));
            } else if (!keys.add(prop.key())) {
                p.add(new CloudProblem(prop, "properties", "key", "property '" + prop.key() + "' is given twice"));
            }
            if (prop.value() == null) {
                p.add(new CloudProblem(prop, "properties", "value", "the value the image must carry is required"));
            }
        }
        return p;
    }

    /** cloud-core's message about a common key of a template, at that key (else at the template's name). */
    private static CloudProblem commonKeyProblem(OpenStackTemplateSpec t, String message) {
        String m = message.startsWith("template '" + t.name() + "': ") ? JcascVars.afterColon(message) : message;
        String first = m.split("[ .:\\[(]", 2)[0];
        Map<String, String> engineKeys = Map.of("buildWaitTimeout", "buildWaitTimeoutSeconds",
                "missingTimeout", "missingTimeoutSeconds", "label", "labels", "executors", "executors",
                "instanceCap", "instanceCap", "maxUses", "maxUses", "namePattern", "namePattern");
        String key = engineKeys.getOrDefault(first, "name");
        String shown = key.equals(first) && m.startsWith(first + " ") ? m.substring(first.length() + 1) : m;
        return at(t, key, shown);
    }

    // ------------------------------------------------------------------ the engine's objects

    /** The engine's templates; IllegalArgumentException names every problem (see {@link #problems()}). */
    public List<AgentTemplate<OpenStackOptions>> agentTemplates() {
        CloudProblem.refuse(name, problems());
        List<AgentTemplate<OpenStackOptions>> out = new ArrayList<>();
        for (OpenStackTemplateSpec t : templates) {
            out.add(CloudTemplateSpec.agentTemplate(t, options(t, new JcascVars(false))));
        }
        return out;
    }

    /**
     * The Keystone credentials from the two values of the cloud's credential: a user and password,
     * scoped to {@code project}, or an application credential's id and secret.
     */
    public OpenStackCredentials credentials(String usernameOrId, String secret) {
        return applicationCredential() ? new OpenStackCredentials.ApplicationCredential(usernameOrId, secret)
                : new OpenStackCredentials.Password(usernameOrId, secret, userDomain, project, projectDomain);
    }

    /** The driver's configuration, with the same templates the engine's settings get. */
    public OpenStackCloudConfig openStackConfig(List<AgentTemplate<OpenStackOptions>> agentTemplates,
                                                OpenStackCredentials credentials) {
        return new OpenStackCloudConfig(engineName(), URI.create(authUrl), credentials, region, endpointInterface,
                agentTemplates, Duration.ofSeconds(lookupCacheSeconds), Duration.ofSeconds(connectTimeoutSeconds),
                Duration.ofSeconds(readTimeoutSeconds));
    }

    /** The cloud-wide engine settings (caps, boots at once, rates, intervals) on the builder. */
    public CloudSettings.Builder configure(CloudSettings.Builder b) {
        CommonCloudFields common = common();
        return common.configure(b, common.requestRate()).maxStarting(maxConcurrentBoots);
    }

    /** The keys every cloud has, as cloud-core checks and maps them. */
    public CommonCloudFields common() {
        return new CommonCloudFields(instanceCap, requestsPerSecond, requestBurst, reaperGraceSeconds,
                describeIntervalSeconds, reaperIntervalSeconds, capacityCooldownSeconds, throttleBackoffSeconds,
                terminateBackoffSeconds, maxBackoffSeconds, recordRetentionMinutes);
    }

    /** One line for {@code tollgate validate}: where Keystone is, who, and what each template boots. */
    public String summary() {
        String who = applicationCredential() ? "application credential " + credentialsId
                : "credentials " + credentialsId + " in project " + project;
        return "cloud " + name + " at " + authUrl + (region == null ? "" : " region " + region) + " (" + who
                + "), at most " + maxConcurrentBoots + " booting, " + templates.size() + " template(s): "
                + String.join(", ", templates.stream().map(t -> t.name() + " " + t.flavor() + " image " + t.image()
                        + (t.floatingIpPool() == null ? "" : " floating IP from " + t.floatingIpPool())
                        + (t.bootVolumeSizeGb() == null ? "" : " volume " + t.bootVolumeSizeGb() + " GB")
                        + (t.buildWaitTimeoutSeconds() == 0 ? " one-shot" : "") + " [" + t.labels() + "]").toList());
    }

    static OpenStackOptions options(OpenStackTemplateSpec t, JcascVars v) {
        Map<String, String> metadata = new LinkedHashMap<>();
        t.metadata().forEach(m -> metadata.put(m.key(), v.or(m.value(), "x")));
        return OpenStackOptions.builder()
                .flavor(v.or(t.flavor(), "m1.small"))
                .image(selector(t.image(), v))
                .networks(t.networks())
                .securityGroups(t.securityGroups())
                .keyPair(t.keyPair())
                .availabilityZone(t.availabilityZone())
                .configDrive(t.configDrive())
                .userDataTemplate(t.userData())
                .metadata(metadata)
                .floatingIpPool(t.floatingIpPool())
                .bootVolumeSizeGb(t.bootVolumeSizeGb())
                .build();
    }

    private static ImageSelector selector(OpenStackImageSpec i, JcascVars v) {
        String id = v.or(i.id(), "00000000-0000-0000-0000-000000000000");
        if (id != null) {
            return ImageSelector.byId(id);
        }
        if (i.name() != null) {
            return ImageSelector.byName(i.name());
        }
        Map<String, String> props = new LinkedHashMap<>();
        i.properties().forEach(p -> props.put(p.key(), v.or(p.value(), "x")));
        return ImageSelector.rule(i.nameRegex(), props,
                "OLDEST".equals(i.order()) ? ImageSelector.Order.OLDEST : ImageSelector.Order.NEWEST);
    }

    private static boolean isHttpUrl(String s) {
        try {
            URI u = new URI(s);
            return u.getScheme() != null && Set.of("http", "https").contains(u.getScheme()) && u.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
