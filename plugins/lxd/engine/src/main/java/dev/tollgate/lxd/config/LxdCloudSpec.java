package dev.tollgate.lxd.config;

import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.CloudSettings;
import dev.tollgate.cloud.config.CloudProblem;
import dev.tollgate.cloud.config.CloudSpec;
import dev.tollgate.cloud.config.CloudTemplateSpec;
import dev.tollgate.cloud.config.CommonCloudFields;
import dev.tollgate.cloud.config.JcascVars;
import dev.tollgate.common.config.Schema;
import dev.tollgate.lxd.LxdCloudConfig;
import dev.tollgate.lxd.LxdEndpoint;
import dev.tollgate.lxd.LxdOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One LXD cloud as JCasC writes it, {@code jenkins: clouds: - tollgateLxd: {...}} ({@link #SYMBOL}),
 * and as the Jenkins plugin's describables hold it: plain values (texts, whole numbers with their unit
 * in the key) whose components are the section's keys. {@link #problems()} checks every value at its
 * key; {@link #agentTemplates()}, {@link #lxdConfig} and {@link #configure} build the engine's
 * objects. Immutable.
 *
 * <p>The daemon is either local, {@code socketPath}, or remote, {@code url} with the controller's
 * client certificate (a Jenkins credential, {@code credentialsId}) and the daemon's certificate
 * pinned by its SHA-256 ({@code serverCertificateFingerprint}): there is no remote without a pin.
 *
 * @param name                         the cloud's name in Jenkins; '/', '\' and spaces become '-' in the
 *                                     engine's name (the agents' and fingerprints' prefix)
 * @param socketPath                   a local daemon's unix socket, e.g. {@code /var/lib/lxd/unix.socket}
 * @param url                          a remote daemon, {@code https://host:8443}
 * @param credentialsId                with url: a certificate credential (PKCS#12) the daemon trusts
 * @param serverCertificateFingerprint with url: the daemon's certificate SHA-256, hex, colons allowed
 * @param project                      LXD project of the instances; absent = {@code default}
 * @param imageRemotes                 image servers templates may name
 * @param templates                    in order of preference
 * @param instanceCap                  most instances of the cloud at once; absent = no cap
 * @param requestsPerSecond            steady rate of create requests, a decimal (default 2)
 * @param requestBurst                 create requests allowed at once
 * @param requestTimeoutSeconds        longest wait for one API answer
 * @param operationTimeoutSeconds      longest wait for an LXD operation (a create may download its image)
 * @param reaperGraceSeconds           an instance missing from a listing, or listed without a record, is
 *                                     acted on after this long
 * @param describeIntervalSeconds      instances not connected this long are described, at most this often
 * @param reaperIntervalSeconds        how often the reaper compares the daemon with the records
 * @param capacityCooldownSeconds      a template out of capacity (disk full) is skipped this long
 * @param throttleBackoffSeconds       first pause after LXD throttles, doubled up to maxBackoffSeconds
 * @param terminateBackoffSeconds      first pause after a failed delete, doubled up to maxBackoffSeconds
 * @param maxBackoffSeconds            longest pause
 * @param recordRetentionMinutes       ended agents' records are kept this long
 */
public record LxdCloudSpec(@Schema.Required String name,
                           String socketPath,
                           String url,
                           String credentialsId,
                           String serverCertificateFingerprint,
                           String project,
                           List<LxdImageRemoteSpec> imageRemotes,
                           @Schema.Required("at least one template") List<LxdTemplateSpec> templates,
                           Integer instanceCap,
                           @Schema.Default("2") String requestsPerSecond,
                           @Schema.Default("20") int requestBurst,
                           @Schema.Default("30") int requestTimeoutSeconds,
                           @Schema.Default("300") int operationTimeoutSeconds,
                           @Schema.Default("300") int reaperGraceSeconds,
                           @Schema.Default("120") int describeIntervalSeconds,
                           @Schema.Default("300") int reaperIntervalSeconds,
                           @Schema.Default("120") int capacityCooldownSeconds,
                           @Schema.Default("1") int throttleBackoffSeconds,
                           @Schema.Default("5") int terminateBackoffSeconds,
                           @Schema.Default("300") int maxBackoffSeconds,
                           @Schema.Default("60") int recordRetentionMinutes) implements CloudSpec {
    /** The JCasC symbol of an LXD cloud under {@code jenkins: clouds:}. */
    public static final String SYMBOL = "tollgateLxd";
    private static final Pattern LXD_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final Pattern PIN = Pattern.compile("(?i)[0-9a-f]{64}");

    public LxdCloudSpec {
        imageRemotes = imageRemotes == null ? List.of() : List.copyOf(imageRemotes);
        templates = templates == null ? List.of() : List.copyOf(templates);
    }

    /** True when the daemon is remote (HTTPS with a client certificate). */
    public boolean remote() {
        return url != null;
    }

    // ------------------------------------------------------------------ checks

    @Override
    public List<CloudProblem> problems(JcascVars v) {
        List<CloudProblem> p = new ArrayList<>(CommonCloudFields.nameProblems(this, SYMBOL, name));
        String socket = v.or(socketPath, "/var/lib/lxd/unix.socket");
        String remote = v.or(url, "https://lxd.example.org:8443");
        if (socket == null && remote == null) {
            p.add(at(this, "socketPath", "give socketPath (a local daemon) or url (a remote one)"));
        } else if (socket != null && remote != null) {
            p.add(at(this, "url", "give socketPath or url, not both"));
        }
        if (socket != null && !socket.startsWith("/")) {
            p.add(at(this, "socketPath", "must be an absolute path such as /var/lib/lxd/unix.socket, got " + socket));
        }
        if (remote != null) {
            if (!isUrl(remote, Set.of("https"))) {
                p.add(at(this, "url", "must be an https:// URL such as https://lxd.example.org:8443, got " + remote));
            }
            if (credentialsId == null || credentialsId.isBlank()) {
                p.add(at(this, "credentialsId", "a remote daemon needs the controller's client certificate (a "
                        + "certificate credential the daemon trusts)"));
            }
            String pin = v.or(serverCertificateFingerprint, "0".repeat(64));
            if (pin == null || pin.isBlank()) {
                p.add(at(this, "serverCertificateFingerprint", "a remote daemon's certificate must be pinned: its SHA-256 "
                        + "fingerprint as lxc info shows it (no pin, no connection)"));
            } else if (!PIN.matcher(pin.replace(":", "").strip()).matches()) {
                p.add(at(this, "serverCertificateFingerprint", "must be 64 hex digits (SHA-256), colons allowed"));
            }
        } else {
            if (credentialsId != null) {
                p.add(at(this, "credentialsId", "is for a remote daemon (url); a local socket needs none"));
            }
            if (serverCertificateFingerprint != null) {
                p.add(at(this, "serverCertificateFingerprint", "is for a remote daemon (url); a local socket needs none"));
            }
        }
        String proj = v.or(project, "default");
        if (proj != null && !LXD_NAME.matcher(proj).matches()) {
            p.add(at(this, "project", "must be an LXD project name (letters, digits, '.', '_', '-'), got " + proj));
        }
        Set<String> remotes = new HashSet<>();
        for (LxdImageRemoteSpec r : imageRemotes) {
            if (r.name() == null || !LXD_NAME.matcher(r.name()).matches()) {
                p.add(new CloudProblem(r, "imageRemotes", "name", "must be a name of letters, digits, '.', '_', '-', got "
                        + r.name()));
            } else if (!remotes.add(r.name())) {
                p.add(new CloudProblem(r, "imageRemotes", "name", "image remote '" + r.name() + "' is defined twice"));
            }
            String u = v.or(r.url(), "https://images.example.org");
            if (u == null || !isUrl(u, Set.of("https", "http"))) {
                p.add(new CloudProblem(r, "imageRemotes", "url", "must be an http(s) URL, got " + r.url()));
            }
            if (r.protocol() != null && !Set.of("simplestreams", "lxd").contains(r.protocol())) {
                p.add(new CloudProblem(r, "imageRemotes", "protocol", "must be simplestreams or lxd, got " + r.protocol()));
            }
        }
        if (templates.isEmpty()) {
            p.add(at(this, "templates", "at least one template is required"));
        }
        Map<String, Integer> positive = new LinkedHashMap<>();
        positive.put("requestTimeoutSeconds", requestTimeoutSeconds);
        positive.put("operationTimeoutSeconds", operationTimeoutSeconds);
        p.addAll(common().problems(this, SYMBOL, v, positive));
        Set<String> names = new HashSet<>();
        for (LxdTemplateSpec t : templates) {
            if (t.name() != null && !names.add(t.name())) {
                p.add(new CloudProblem(t, "templates", "name", "template '" + t.name() + "' is defined twice"));
            }
            p.addAll(templateProblems(t, remotes, v));
        }
        return p;
    }

    private static CloudProblem at(LxdCloudSpec c, String key, String message) {
        return new CloudProblem(c, SYMBOL, key, message);
    }

    /** A template's problems, each at its key: its own values first, then the engine's checks. */
    private static List<CloudProblem> templateProblems(LxdTemplateSpec t, Set<String> remotes, JcascVars v) {
        List<CloudProblem> p = new ArrayList<>();
        if (t.type() != null && !Set.of("container", "virtual-machine").contains(t.type())) {
            p.add(new CloudProblem(t, "templates", "type", "must be container or virtual-machine, got " + t.type()));
        }
        if (t.imageRemote() != null && !remotes.contains(t.imageRemote())) {
            p.add(new CloudProblem(t, "templates", "imageRemote", "'" + t.imageRemote() + "' is not one of the cloud's "
                    + "imageRemotes " + remotes));
        }
        if (t.remoteFs() == null || !t.remoteFs().startsWith("/")) {
            p.add(new CloudProblem(t, "templates", "remoteFs", "must be an absolute path in the instance, got "
                    + t.remoteFs()));
        }
        Set<String> configKeys = new HashSet<>();
        for (LxdConfigSpec c : t.config()) {
            if (c.key() != null && !configKeys.add(c.key())) {
                p.add(new CloudProblem(c, "config", "key", "config key '" + c.key() + "' is given twice"));
            }
        }
        for (LxdDeviceSpec d : t.devices()) {
            Set<String> keys = new HashSet<>();
            for (LxdConfigSpec o : d.options()) {
                if ("type".equals(o.key())) {
                    p.add(new CloudProblem(o, "options", "key", "the device's type is its own key, not an option"));
                } else if (o.key() != null && !keys.add(o.key())) {
                    p.add(new CloudProblem(o, "options", "key", "device option '" + o.key() + "' is given twice"));
                }
            }
        }
        if (!p.isEmpty()) {
            return p; // the engine's records cannot be built from these values
        }
        LxdOptions o = options(t, v);
        for (String problem : o.problems("")) {
            String m = problem.startsWith(": ") ? problem.substring(2) : problem;
            p.add(engineProblem(t, m));
        }
        try {
            agentTemplate(t, o);
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            String prefix = "template '" + t.name() + "': ";
            for (String one : (m.startsWith(prefix) ? m.substring(prefix.length()) : m).split("; ")) {
                p.add(engineProblem(t, one));
            }
        }
        return p;
    }

    /** The engine's message about a template, at the key it concerns (else at the template's name). */
    private static CloudProblem engineProblem(LxdTemplateSpec t, String message) {
        Set<String> keys = new HashSet<>();
        Arrays.stream(LxdTemplateSpec.class.getRecordComponents()).forEach(c -> keys.add(c.getName()));
        Map<String, String> engineKeys = Map.of("buildWaitTimeout", "buildWaitTimeoutSeconds",
                "missingTimeout", "missingTimeoutSeconds", "label", "labels", "profile", "profiles",
                "device", "devices", "give", "cloudInitUserData");
        String first = message.split("[ .:\\[(]", 2)[0];
        String key = keys.contains(first) ? first : engineKeys.getOrDefault(first, "name");
        // "executors must be at least 1": the key is the field's own label; "config key 'x' ..." keeps its words
        boolean named = Set.of("executors", "instanceCap", "maxUses", "namePattern", "agentUser").contains(first);
        String shown = named && message.startsWith(first + " ") ? message.substring(first.length() + 1) : message;
        return new CloudProblem(t, "templates", key, shown);
    }

    // ------------------------------------------------------------------ the engine's objects

    /** The engine's templates; IllegalArgumentException names every problem (see {@link #problems()}). */
    public List<AgentTemplate<LxdOptions>> agentTemplates() {
        CloudProblem.refuse(name, problems());
        List<AgentTemplate<LxdOptions>> out = new ArrayList<>();
        for (LxdTemplateSpec t : templates) {
            out.add(agentTemplate(t, options(t, new JcascVars(false))));
        }
        return out;
    }

    /**
     * The daemon's endpoint: the local socket, or HTTPS with this client certificate (null for a
     * local socket) and the pinned server certificate.
     */
    public LxdEndpoint endpoint(LxdEndpoint.ClientCertificate clientCertificate) {
        if (url == null) {
            return new LxdEndpoint.Unix(Path.of(socketPath));
        }
        if (clientCertificate == null) {
            throw new IllegalArgumentException("cloud '" + name + "': the client certificate of credentials '"
                    + credentialsId + "' is needed for " + url);
        }
        return new LxdEndpoint.Https(URI.create(url), clientCertificate.certPem(), clientCertificate.keyPem(),
                serverCertificateFingerprint);
    }

    /** The driver's configuration, with the same templates the engine's settings get. */
    public LxdCloudConfig lxdConfig(List<AgentTemplate<LxdOptions>> agentTemplates, LxdEndpoint endpoint) {
        Map<String, LxdCloudConfig.ImageRemote> remotes = new LinkedHashMap<>();
        for (LxdImageRemoteSpec r : imageRemotes) {
            remotes.put(r.name(), new LxdCloudConfig.ImageRemote(URI.create(r.url()), r.protocol()));
        }
        return new LxdCloudConfig(engineName(), endpoint, agentTemplates, project, remotes,
                Duration.ofSeconds(requestTimeoutSeconds), Duration.ofSeconds(operationTimeoutSeconds));
    }

    /** The cloud-wide engine settings (caps, rates, intervals) on the builder. */
    public CloudSettings.Builder configure(CloudSettings.Builder b) {
        CommonCloudFields common = common();
        return common.configure(b, common.requestRate());
    }

    /** The keys every cloud has, as cloud-core checks and maps them. */
    public CommonCloudFields common() {
        return new CommonCloudFields(instanceCap, requestsPerSecond, requestBurst, reaperGraceSeconds,
                describeIntervalSeconds, reaperIntervalSeconds, capacityCooldownSeconds, throttleBackoffSeconds,
                terminateBackoffSeconds, maxBackoffSeconds, recordRetentionMinutes);
    }

    /** One line for {@code tollgate validate}: where the daemon is, the templates and what they start. */
    public String summary() {
        return "cloud " + name + " at " + (url == null ? socketPath : url + " (credentials " + credentialsId
                + ", pinned)") + ", " + templates.size() + " template(s): " + String.join(", ", templates.stream()
                .map(t -> t.name() + " " + t.image() + (t.imageRemote() == null ? "" : "@" + t.imageRemote())
                        + ("virtual-machine".equals(t.type()) ? " vm" : "") + (t.ephemeral() ? " ephemeral" : "")
                        + (t.buildWaitTimeoutSeconds() == 0 ? " one-shot" : "") + " [" + t.labels() + "]").toList());
    }

    private static AgentTemplate<LxdOptions> agentTemplate(LxdTemplateSpec t, LxdOptions o) {
        return CloudTemplateSpec.agentTemplate(t, o);
    }

    private static LxdOptions options(LxdTemplateSpec t, JcascVars v) {
        Map<String, String> config = new LinkedHashMap<>();
        t.config().forEach(c -> config.put(c.key(), v.or(c.value(), "x")));
        Map<String, Map<String, String>> devices = new LinkedHashMap<>();
        for (LxdDeviceSpec d : t.devices()) {
            Map<String, String> keys = new LinkedHashMap<>();
            if (d.type() != null) {
                keys.put("type", d.type());
            }
            d.options().forEach(o -> keys.put(o.key(), v.or(o.value(), "x")));
            devices.put(d.name(), keys);
        }
        return LxdOptions.builder()
                .image(v.or(t.image(), "debian-12"))
                .imageRemote(t.imageRemote())
                .virtualMachine("virtual-machine".equals(t.type()))
                .profiles(t.profiles())
                .config(config)
                .devices(devices)
                .ephemeral(t.ephemeral())
                .agentCommand(t.agentCommand())
                .agentUser(t.agentUser())
                .agentCwd(t.agentCwd())
                .cloudInitUserData(t.cloudInitUserData())
                .build();
    }

    private static boolean isUrl(String s, Set<String> schemes) {
        try {
            URI u = new URI(s);
            return u.getScheme() != null && schemes.contains(u.getScheme()) && u.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
