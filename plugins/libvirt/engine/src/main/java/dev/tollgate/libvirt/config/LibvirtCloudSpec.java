package dev.tollgate.libvirt.config;

import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.CloudSettings;
import dev.tollgate.cloud.config.CloudProblem;
import dev.tollgate.cloud.config.CloudSpec;
import dev.tollgate.cloud.config.CloudTemplateSpec;
import dev.tollgate.cloud.config.CommonCloudFields;
import dev.tollgate.cloud.config.JcascVars;
import dev.tollgate.common.config.Schema;
import dev.tollgate.libvirt.LibvirtCloudConfig;
import dev.tollgate.libvirt.LibvirtOptions;
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
 * One libvirt cloud as JCasC writes it, {@code jenkins: clouds: - tollgateLibvirt: {...}}
 * ({@link #SYMBOL}), and as the Jenkins plugin's describables hold it: plain values whose components
 * are the section's keys (whole numbers carry their unit in the key). {@link #problems()} checks every
 * value at its key with the engine's own rules ({@link LibvirtOptions#problems}, cloud-core's
 * settings); {@link #agentTemplates()}, {@link #libvirtConfig} and {@link #configure} build the
 * engine's objects. Immutable.
 *
 * @param name                    the cloud's name in Jenkins; '/', '\' and spaces become '-' in the
 *                                engine's name (the agents' and fingerprints' prefix)
 * @param uri                     the libvirt connection URI: {@code qemu:///system},
 *                                {@code qemu+ssh://ci@kvm1/system?keyfile=/var/lib/jenkins/.ssh/id_kvm1}, ...
 * @param templates               in order of preference
 * @param shutdownTimeoutSeconds  a guest asked to shut down (ACPI) is destroyed after this long; 0 = at once
 * @param instanceCap             most domains of the cloud at once; absent = no cap
 * @param requestsPerSecond       steady rate of creates, a decimal
 * @param requestBurst            creates allowed at once
 * @param reaperGraceSeconds      a domain missing from a listing, or listed without a record, is acted
 *                                on after this long
 * @param describeIntervalSeconds domains not connected this long are looked at, at most this often
 * @param reaperIntervalSeconds   how often the reaper compares the host with the records
 * @param capacityCooldownSeconds a template without room (host memory, a full pool, no free domain)
 *                                is skipped this long
 * @param throttleBackoffSeconds  first pause after the host refuses for load, doubled up to maxBackoffSeconds
 * @param terminateBackoffSeconds first pause between the calls that end a domain (the graceful
 *                                shutdown is checked at each), doubled up to maxBackoffSeconds
 * @param maxBackoffSeconds       longest pause
 * @param recordRetentionMinutes  ended agents' records are kept this long
 */
public record LibvirtCloudSpec(@Schema.Required String name,
                               @Schema.Required("a libvirt URI such as qemu:///system") String uri,
                               @Schema.Required("at least one template") List<LibvirtTemplateSpec> templates,
                               @Schema.Default("120") int shutdownTimeoutSeconds,
                               Integer instanceCap,
                               @Schema.Default("2") String requestsPerSecond,
                               @Schema.Default("20") int requestBurst,
                               @Schema.Default("300") int reaperGraceSeconds,
                               @Schema.Default("120") int describeIntervalSeconds,
                               @Schema.Default("300") int reaperIntervalSeconds,
                               @Schema.Default("120") int capacityCooldownSeconds,
                               @Schema.Default("1") int throttleBackoffSeconds,
                               @Schema.Default("5") int terminateBackoffSeconds,
                               @Schema.Default("300") int maxBackoffSeconds,
                               @Schema.Default("60") int recordRetentionMinutes) implements CloudSpec {
    /** The JCasC symbol of a libvirt cloud under {@code jenkins: clouds:}. */
    public static final String SYMBOL = "tollgateLibvirt";
    private static final Pattern URI = Pattern.compile("[a-z][a-z0-9+.-]*:/.*");

    public LibvirtCloudSpec {
        templates = templates == null ? List.of() : List.copyOf(templates);
    }

    @Override
    public List<CloudProblem> problems(JcascVars v) {
        List<CloudProblem> p = new ArrayList<>(CommonCloudFields.nameProblems(this, SYMBOL, name));
        String u = v.or(uri, "qemu:///system");
        if (u == null || !URI.matcher(u.strip()).matches()) {
            p.add(at("uri", "must be a libvirt connection URI such as qemu:///system or qemu+ssh://host/system, got " + uri));
        }
        if (templates.isEmpty()) {
            p.add(at("templates", "at least one template is required"));
        }
        if (shutdownTimeoutSeconds < 0) {
            p.add(at("shutdownTimeoutSeconds", "must be 0 or more, got " + shutdownTimeoutSeconds));
        }
        p.addAll(common().problems(this, SYMBOL, v, Map.of()));
        if (p.isEmpty()) { // cloud-core's own rules for the settings, once every value reads
            try {
                configure(CloudSettings.builder("c", "check").template(AgentTemplate.builder("t").build())).build();
            } catch (IllegalArgumentException e) {
                String m = JcascVars.afterColon(e.getMessage());
                String first = m.split(" ", 2)[0];
                String key = Arrays.stream(LibvirtCloudSpec.class.getRecordComponents()).map(c -> c.getName())
                        .filter(k -> k.equals(first) || k.equals(first + "Seconds") || k.equals(first + "Minutes"))
                        .findFirst().orElse("name");
                p.add(at(key, m));
            }
        }
        Set<String> names = new HashSet<>();
        Map<String, String> domainOwner = new LinkedHashMap<>();
        for (LibvirtTemplateSpec t : templates) {
            if (t.name() != null && !names.add(t.name())) {
                p.add(new CloudProblem(t, "templates", "name", "template '" + t.name() + "' is defined twice"));
            }
            for (String d : t.existingDomains()) {
                String other = domainOwner.putIfAbsent(d, t.name());
                if (other != null && !other.equals(t.name())) {
                    p.add(new CloudProblem(t, "templates", "existingDomains", "domain '" + d
                            + "' is in templates '" + other + "' and '" + t.name() + "'"));
                }
            }
            p.addAll(templateProblems(t, v));
        }
        return p;
    }

    private CloudProblem at(String key, String message) {
        return new CloudProblem(this, SYMBOL, key, message);
    }

    /** A template's problems, each at its key: the engine's template rules, then the driver's. */
    static List<CloudProblem> templateProblems(LibvirtTemplateSpec t, JcascVars v) {
        List<CloudProblem> p = new ArrayList<>();
        if (t.name() == null || t.name().isBlank()) {
            p.add(new CloudProblem(t, "templates", "name", "a name is required"));
            return p;
        }
        if (t.labels() == null || t.labels().isBlank()) {
            p.add(new CloudProblem(t, "templates", "labels", "the labels builds ask for are required"));
        }
        LibvirtOptions o = options(t, v);
        for (String problem : o.problems("")) {
            String m = problem.startsWith(": ") ? problem.substring(2) : problem;
            p.add(shown(t, keyOf(m), m));
        }
        try {
            agentTemplate(t, o);
        } catch (IllegalArgumentException e) {
            for (String m : JcascVars.afterColon(e.getMessage()).split("; ")) {
                p.add(shown(t, engineKey(m), m));
            }
        }
        return p;
    }

    /** The problem at its key, the message without the key it starts with (the key is shown beside it). */
    private static CloudProblem shown(LibvirtTemplateSpec t, String key, String m) {
        return new CloudProblem(t, "templates", key, m.startsWith(key + " ") ? m.substring(key.length() + 1) : m);
    }

    /** The template key a message of {@link LibvirtOptions#problems} is about. */
    private static String keyOf(String m) {
        if (m.startsWith("give either")) {
            return "domainXml";
        }
        if (m.contains("storagePool")) {
            return "storagePool";
        }
        if (m.startsWith("reused domains are always persistent")) {
            return "persistent";
        }
        if (m.startsWith("domain '") || m.startsWith("existingDomains")) {
            return "existingDomains";
        }
        for (String k : List.of("domainXml", "baseImage", "diskSizeGib", "memoryMib", "vcpus")) {
            if (m.startsWith(k) || m.startsWith("a " + k)) {
                return k;
            }
        }
        return "name";
    }

    /** The template key a message of cloud-core's {@code AgentTemplate} is about. */
    private static String engineKey(String m) {
        Set<String> keys = new HashSet<>();
        Arrays.stream(LibvirtTemplateSpec.class.getRecordComponents()).forEach(c -> keys.add(c.getName()));
        String first = m.split("[ .:\\[]", 2)[0];
        Map<String, String> engineKeys = Map.of("buildWaitTimeout", "buildWaitTimeoutSeconds",
                "missingTimeout", "missingTimeoutSeconds", "label", "labels", "labels", "labels");
        return keys.contains(first) ? first : engineKeys.getOrDefault(first, m.contains("pattern") ? "namePattern" : "name");
    }

    // ------------------------------------------------------------------ the engine's objects

    /** The engine's templates; IllegalArgumentException names every problem (see {@link #problems()}). */
    public List<AgentTemplate<LibvirtOptions>> agentTemplates() {
        CloudProblem.refuse(name, problems());
        return templates.stream().map(t -> agentTemplate(t, options(t, new JcascVars(false)))).toList();
    }

    /** The driver's configuration, with the same templates the engine's settings get. */
    public LibvirtCloudConfig libvirtConfig(List<AgentTemplate<LibvirtOptions>> agentTemplates) {
        return LibvirtCloudConfig.of(engineName(), uri.strip(), agentTemplates)
                .withShutdownTimeout(Duration.ofSeconds(shutdownTimeoutSeconds));
    }

    /** The cloud-wide engine settings on the builder. libvirt has no interruption notices: no check. */
    public CloudSettings.Builder configure(CloudSettings.Builder b) {
        Double rate = JcascVars.decimal(requestsPerSecond);
        return common().configure(b, rate == null ? 2 : rate).interruptionCheckInterval(Duration.ZERO);
    }

    /** The keys every cloud has, as cloud-core checks and maps them. */
    public CommonCloudFields common() {
        return new CommonCloudFields(instanceCap, requestsPerSecond, requestBurst, reaperGraceSeconds,
                describeIntervalSeconds, reaperIntervalSeconds, capacityCooldownSeconds, throttleBackoffSeconds,
                terminateBackoffSeconds, maxBackoffSeconds, recordRetentionMinutes);
    }

    /** One line for {@code tollgate validate}: the URI and what each template starts. */
    public String summary() {
        return "cloud " + name + " at " + uri + ", " + templates.size() + " template(s): " + String.join(", ",
                templates.stream().map(t -> t.name() + (t.existingDomains().isEmpty()
                        ? (t.persistent() ? " persistent" : " transient") + " domain" + (t.baseImage() == null ? ""
                        : " on an overlay of " + t.baseImage())
                        : " reusing " + t.existingDomains()) + " [" + t.labels() + "]").toList());
    }

    private static AgentTemplate<LibvirtOptions> agentTemplate(LibvirtTemplateSpec t, LibvirtOptions o) {
        return CloudTemplateSpec.agentTemplate(t, o);
    }

    private static LibvirtOptions options(LibvirtTemplateSpec t, JcascVars v) {
        return LibvirtOptions.builder()
                .domainXml(t.domainXml())
                .existingDomains(t.existingDomains())
                .baseImage(v.or(t.baseImage(), "/var/lib/libvirt/images/base.qcow2"))
                .storagePool(v.or(t.storagePool(), "default"))
                .diskSizeGib(t.diskSizeGib())
                .memoryMib(t.memoryMib())
                .vcpus(t.vcpus())
                .network(v.or(t.network(), "default"))
                .persistent(t.persistent())
                .smbiosAgentEnv(t.smbiosAgentEnv())
                .build();
    }
}
