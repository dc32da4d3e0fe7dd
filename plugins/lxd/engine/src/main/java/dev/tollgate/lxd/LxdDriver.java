package dev.tollgate.lxd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.UserDataTemplate;
import dev.tollgate.cloud.port.CloudDriver;
import dev.tollgate.cloud.port.CloudException;
import dev.tollgate.cloud.port.CloudException.Kind;
import dev.tollgate.cloud.port.CloudInstance;
import dev.tollgate.cloud.port.Fingerprint;
import dev.tollgate.cloud.port.LaunchSpec;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * cloud-core's {@link CloudDriver} on LXD's REST API: every agent in a fresh container (or VM) made
 * from a template's image, profiles, config and devices, its agent started inside with exec (or
 * cloud-init), stopped and deleted at the end.
 *
 * <ul>
 * <li><b>Names.</b> The instance is named after the agent (LXD's name rules, at most 63 characters)
 *     plus a short hash of the controller and agent: the same launch always has the same name, so a
 *     create sent again cannot make a second instance; LXD refuses the duplicate and the driver
 *     answers the instance the first call made.</li>
 * <li><b>Fingerprint.</b> In the instance's config, set at creation: {@code user.tollgate.controller},
 *     {@code .cloud}, {@code .template}, {@code .agent}, {@code .created-at}.</li>
 * <li><b>Listing.</b> {@code describe} and {@code listOwned} are one {@code GET /1.0/instances?recursion=1}
 *     each, filtered here: LXD has no batched get by names.</li>
 * <li><b>Secrets.</b> The agent's connection settings ({@link LaunchSpec#agentEnv()}) go into the exec
 *     request's environment, for the agent process alone: never into the instance's config, never
 *     into logs or messages. Nothing of the controller's own environment is passed on.</li>
 * <li><b>Errors.</b> LXD's HTTP status and operation failures map onto {@link CloudException.Kind}
 *     ({@link LxdClient#kindOf}). A start or agent start that fails deletes the instance before the
 *     error is reported.</li>
 * </ul>
 *
 * <p>Thread-safe: no mutable state besides the client's counters; creates run at once.
 */
public final class LxdDriver implements CloudDriver, AutoCloseable {
    private static final Logger LOG = System.getLogger(LxdDriver.class.getName());
    static final String KEY_PREFIX = LxdOptions.RESERVED_PREFIX;
    private static final Pattern VALID_NAME = Pattern.compile("[a-zA-Z][a-zA-Z0-9-]{0,62}");

    private final LxdCloudConfig config;
    private final LxdClient client;

    public LxdDriver(LxdCloudConfig config) throws GeneralSecurityException {
        this(config, new LxdClient(config.endpoint().open(config.requestTimeout()), config.requestTimeout(), config.project()));
    }

    LxdDriver(LxdCloudConfig config, LxdClient client) {
        this.config = config;
        this.client = client;
    }

    /** The client, for its call counts. */
    public LxdClient client() {
        return client;
    }

    // ---------------------------------------------------------------- names and fingerprints

    /** The instance name for a launch: the agent's name made LXD-safe, and a hash that keeps it unique. */
    static String instanceName(Fingerprint fp) {
        String base = fp.agentName().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-").replaceAll("-{2,}", "-");
        base = base.replaceAll("^[^a-z]+", "").replaceAll("-+$", "");
        if (base.isEmpty()) {
            base = "tg";
        }
        if (base.length() > 54) {
            base = base.substring(0, 54).replaceAll("-+$", "");
        }
        return base + "-" + hash(fp.controllerId() + "|" + fp.cloud() + "|" + fp.agentName(), 4);
    }

    private static String hash(String s, int bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)),
                    0, bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The fingerprint as LXD config keys ({@code tollgate:agent} becomes {@code user.tollgate.agent}). */
    static Map<String, String> fingerprintConfig(Fingerprint fp) {
        Map<String, String> out = new LinkedHashMap<>();
        fp.toTags().forEach((k, v) -> out.put(KEY_PREFIX + k.substring(k.indexOf(':') + 1), v));
        return out;
    }

    /** The fingerprint read back from an instance's config, or null. */
    static Fingerprint fingerprintOf(JsonNode instanceConfig) {
        Map<String, String> tags = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = instanceConfig.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().startsWith(KEY_PREFIX)) {
                tags.put("tollgate:" + e.getKey().substring(KEY_PREFIX.length()), e.getValue().asText());
            }
        }
        return Fingerprint.fromTags(tags);
    }

    // ---------------------------------------------------------------- create

    @Override
    public CloudInstance create(LaunchSpec spec) throws CloudException {
        AgentTemplate<LxdOptions> t = config.template(spec.templateName()).orElseThrow(() -> new CloudException(
                Kind.PERMANENT, "UnknownTemplate", "LXD cloud '" + config.cloudName() + "' has no template named '"
                + spec.templateName() + "'"));
        LxdOptions o = t.options();
        String name = instanceName(spec.fingerprint());
        Map<String, Object> body = createBody(name, o, spec); // a user data placeholder without a value: nothing is sent
        try {
            client.callAndWait("POST", "/1.0/instances", body, config.operationTimeout());
        } catch (CloudException e) {
            if (e.kind() == Kind.TRANSIENT || e.kind() == Kind.THROTTLED) {
                // the outcome is unknown (an operation still running, a lost answer): the engine keeps
                // the record and the reaper adopts the instance if it appears; taking it over here could
                // race the create that is still going on
                throw e;
            }
            JsonNode existing = instanceOrNull(name);
            if (existing == null) {
                if (e.kind() == Kind.NOT_FOUND) {
                    // the image (or a profile) is not there: configuration, not a missing instance
                    throw new CloudException(Kind.PERMANENT, e.code(), e.getMessage(), e);
                }
                throw e;
            }
            if (!spec.fingerprint().equals(fingerprintOf(existing.path("config")))) {
                throw new CloudException(Kind.PERMANENT, "NameInUse", "LXD instance " + name
                        + " exists and is not this launch's (" + e.getMessage() + ")", e);
            }
            if ("Running".equals(existing.path("status").asText())) {
                LOG.log(Level.INFO, "LXD instance {0} for agent {1} exists already (the launch was sent again)", name,
                        spec.agentName());
                return new CloudInstance(name, CloudInstance.State.RUNNING, spec.fingerprint(), null, false, Double.NaN);
            }
            // made by an earlier attempt that did not get to start it: finish that launch
        }
        try {
            client.callAndWait("PUT", "/1.0/instances/" + LxdClient.encode(name) + "/state",
                    Map.of("action", "start", "timeout", 30), config.operationTimeout());
            if (!o.agentCommand().isEmpty()) {
                client.call("POST", "/1.0/instances/" + LxdClient.encode(name) + "/exec", execBody(o, spec));
            }
        } catch (CloudException e) {
            discard(name, e);
            throw e;
        }
        LOG.log(Level.INFO, "started LXD instance {0} for agent {1} (template {2}, image {3})", name, spec.agentName(),
                t.name(), o.image());
        return new CloudInstance(name, CloudInstance.State.RUNNING, spec.fingerprint(), null, false, Double.NaN);
    }

    private Map<String, Object> createBody(String name, LxdOptions o, LaunchSpec spec) throws CloudException {
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("type", "image");
        source.put(o.imageIsFingerprint() ? "fingerprint" : "alias", o.image());
        if (o.imageRemote() != null) {
            LxdCloudConfig.ImageRemote r = config.imageRemotes().get(o.imageRemote());
            source.put("mode", "pull");
            source.put("server", r.url().toString());
            source.put("protocol", r.protocol());
        }
        Map<String, String> cfg = new LinkedHashMap<>(o.config());
        cfg.putAll(fingerprintConfig(spec.fingerprint()));
        if (o.cloudInitUserData() != null && !o.cloudInitUserData().isBlank()) {
            cfg.put("cloud-init.user-data", UserDataTemplate.fill(o.cloudInitUserData(), spec));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("type", o.virtualMachine() ? "virtual-machine" : "container");
        body.put("source", source);
        if (!o.profiles().isEmpty()) {
            body.put("profiles", o.profiles());
        }
        body.put("config", cfg);
        body.put("devices", o.devices());
        body.put("ephemeral", o.ephemeral());
        body.put("description", "tollgate agent " + spec.agentName());
        return body;
    }

    /** The exec request: the agent's own environment only (LXD adds PATH, HOME and the like). */
    private static Map<String, Object> execBody(LxdOptions o, LaunchSpec spec) {
        List<String> cmd = new ArrayList<>();
        for (String a : o.agentCommand()) {
            cmd.add(a.replace("{{agentName}}", spec.agentName()));
        }
        Map<String, String> env = new LinkedHashMap<>(spec.agentEnv());
        env.put("TOLLGATE_AGENT_NAME", spec.agentName());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("command", cmd);
        body.put("environment", env);
        body.put("wait-for-websocket", false);
        body.put("interactive", false);
        body.put("record-output", false);
        body.put("user", o.agentUser());
        body.put("group", o.agentUser());
        if (o.agentCwd() != null) {
            body.put("cwd", o.agentCwd());
        }
        return body;
    }

    /**
     * Best effort after a failed start or agent start: the instance would cost disk until the reaper
     * came. A start that failed left it stopped, so a delete is tried first; a stop only if it runs.
     */
    private void discard(String name, CloudException why) {
        try {
            try {
                JsonNode env = client.call("DELETE", "/1.0/instances/" + LxdClient.encode(name), null);
                client.waitFor(env.path("operation").asText(), config.operationTimeout());
            } catch (CloudException e) {
                if (e.kind() != Kind.NOT_FOUND) {
                    terminate(List.of(name)); // still running (the agent's exec failed): stop, then delete
                }
            }
        } catch (CloudException e) {
            why.addSuppressed(e);
            LOG.log(Level.WARNING, "could not delete LXD instance {0} after a failed start: {1}", name, e.getMessage());
        }
    }

    private JsonNode instanceOrNull(String name) throws CloudException {
        try {
            return client.get("/1.0/instances/" + LxdClient.encode(name));
        } catch (CloudException e) {
            if (e.kind() == Kind.NOT_FOUND) {
                return null;
            }
            throw e;
        }
    }

    // ---------------------------------------------------------------- describe / list

    /** Every instance, with its config and status, in one call. */
    private List<JsonNode> all() throws CloudException {
        JsonNode list = client.get("/1.0/instances?recursion=1");
        List<JsonNode> out = new ArrayList<>();
        list.forEach(out::add);
        return out;
    }

    @Override
    public List<CloudInstance> describe(Collection<String> instanceIds) throws CloudException {
        Set<String> wanted = new LinkedHashSet<>(instanceIds);
        if (wanted.isEmpty()) {
            return List.of();
        }
        List<CloudInstance> out = new ArrayList<>();
        for (JsonNode i : all()) {
            if (wanted.contains(i.path("name").asText())) {
                out.add(toCloud(i));
            }
        }
        return out;
    }

    @Override
    public List<CloudInstance> listOwned(String controllerId) throws CloudException {
        List<CloudInstance> out = new ArrayList<>();
        for (JsonNode i : all()) {
            if (controllerId.equals(i.path("config").path(KEY_PREFIX + "controller").asText(null))) {
                out.add(toCloud(i));
            }
        }
        return out;
    }

    static CloudInstance toCloud(JsonNode i) {
        return new CloudInstance(i.path("name").asText(), state(i), fingerprintOf(i.path("config")), null, false, Double.NaN);
    }

    /**
     * LXD's status onto the port's states. A stopped instance that never ran is still being made
     * (created, not started yet); one that ran and stopped has lost its agent: STOPPING, so the engine
     * ends the agent and deletes it. Anything present is not gone: it holds disk until deleted.
     */
    static CloudInstance.State state(JsonNode i) {
        String status = i.path("status").asText("");
        return switch (status) {
            case "Running" -> CloudInstance.State.RUNNING;
            case "Created", "Starting", "Pending" -> CloudInstance.State.PENDING;
            case "Stopped" -> i.path("config").has("volatile.last_state.power") ? CloudInstance.State.STOPPING
                    : CloudInstance.State.PENDING;
            default -> CloudInstance.State.STOPPING; // Stopping, Aborting, Freezing, Frozen, Thawed, Error
        };
    }

    // ---------------------------------------------------------------- terminate

    /**
     * Stops (forced) and deletes each instance: all stops are sent, then awaited, then all deletes.
     * An instance that is gone, or already stopped, is not an error. The first other failure is
     * thrown after every instance was tried, so one bad id does not keep the others alive.
     */
    @Override
    public void terminate(Collection<String> instanceIds) throws CloudException {
        List<String> names = new ArrayList<>();
        for (String id : new LinkedHashSet<>(instanceIds)) {
            if (id != null && VALID_NAME.matcher(id).matches()) {
                names.add(id); // anything else cannot be an LXD instance: nothing to end
            }
        }
        CloudException first = null;
        Map<String, String> stopping = new LinkedHashMap<>();
        for (String n : names) {
            try {
                JsonNode env = client.call("PUT", "/1.0/instances/" + LxdClient.encode(n) + "/state",
                        Map.of("action", "stop", "force", true, "timeout", -1));
                stopping.put(n, env.path("operation").asText(""));
            } catch (CloudException e) {
                if (e.kind() == Kind.NOT_FOUND) {
                    continue;
                }
                if (!alreadyStopped(e)) {
                    first = first == null ? e : first;
                    continue;
                }
                stopping.put(n, "");
            }
        }
        Map<String, String> deleting = new LinkedHashMap<>();
        for (Map.Entry<String, String> s : stopping.entrySet()) {
            try {
                if (!s.getValue().isEmpty()) {
                    try {
                        client.waitFor(s.getValue(), config.operationTimeout());
                    } catch (CloudException e) {
                        if (!alreadyStopped(e)) { // stopped meanwhile (it was stopping when asked)
                            throw e;
                        }
                    }
                }
                JsonNode env = client.call("DELETE", "/1.0/instances/" + LxdClient.encode(s.getKey()), null);
                deleting.put(s.getKey(), env.path("operation").asText(""));
            } catch (CloudException e) {
                if (e.kind() != Kind.NOT_FOUND) { // an ephemeral instance deletes itself when it stops
                    first = first == null ? e : first;
                }
            }
        }
        for (Map.Entry<String, String> d : deleting.entrySet()) {
            try {
                if (!d.getValue().isEmpty()) {
                    client.waitFor(d.getValue(), config.operationTimeout());
                }
                LOG.log(Level.INFO, "deleted LXD instance {0}", d.getKey());
            } catch (CloudException e) {
                if (e.kind() != Kind.NOT_FOUND) {
                    first = first == null ? e : first;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private static boolean alreadyStopped(CloudException e) {
        String m = e.getMessage().toLowerCase(Locale.ROOT);
        return m.contains("already stopped") || m.contains("not running");
    }

    // ---------------------------------------------------------------- connection report

    /**
     * What the daemon shows this controller, for an administrator's "Test connection": one line each.
     *
     * @param lines    server version, API extensions, trust, storage pools, profiles, then each template's
     *                 image and profiles as the daemon has them
     * @param problems the lines that mean a launch would fail (untrusted, image or profile not found)
     */
    public record ConnectionReport(List<String> lines, List<String> problems) {
        public ConnectionReport {
            lines = List.copyOf(lines);
            problems = List.copyOf(problems);
        }
    }

    /**
     * Asks the daemon (read-only: {@code GET} requests only, nothing is made) for its version, its
     * storage pools and profiles, and each template's image: by alias or fingerprint on the daemon,
     * or, for an image remote, named only (it is pulled at the first launch). A daemon that cannot
     * be reached is the CloudException.
     */
    public ConnectionReport connectionReport() throws CloudException {
        List<String> lines = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        JsonNode server = client.get("/1.0");
        JsonNode env = server.path("environment");
        lines.add(product(env.path("server").asText("")) + " " + env.path("server_version").asText("?") + " at " + client.endpoint() + " (API "
                + server.path("api_version").asText("?") + ", " + server.path("api_extensions").size()
                + " API extensions, " + (env.path("server_clustered").asBoolean(false) ? "clustered" : "standalone") + ")");
        if (!"trusted".equals(server.path("auth").asText())) {
            String p = "the daemon does not trust this client (auth: " + server.path("auth").asText("?")
                    + "): add its certificate with lxc config trust add (Incus: incus config trust add-certificate)";
            lines.add(p);
            problems.add(p);
            return new ConnectionReport(lines, problems);
        }
        lines.add("storage pools: " + names(client.get("/1.0/storage-pools")));
        List<String> profiles = names(client.get("/1.0/profiles"));
        lines.add("profiles: " + profiles);
        for (AgentTemplate<LxdOptions> t : config.templates()) {
            LxdOptions o = t.options();
            String where = "template " + t.name() + ": ";
            if (o.imageRemote() != null) {
                lines.add(where + "image " + o.image() + " from remote " + o.imageRemote() + " ("
                        + config.imageRemotes().get(o.imageRemote()).url() + "), pulled at the first launch");
            } else {
                String path = o.imageIsFingerprint() ? "/1.0/images/" + LxdClient.encode(o.image())
                        : "/1.0/images/aliases/" + LxdClient.encode(o.image());
                try {
                    JsonNode img = client.get(path);
                    String fp = o.imageIsFingerprint() ? img.path("fingerprint").asText() : img.path("target").asText();
                    lines.add(where + "image " + o.image() + " found (" + fp.substring(0, Math.min(12, fp.length())) + ")");
                } catch (CloudException e) {
                    if (e.kind() != Kind.NOT_FOUND) {
                        throw e;
                    }
                    String p = where + "image " + o.image() + " not found on the daemon";
                    lines.add(p);
                    problems.add(p);
                }
            }
            for (String pr : o.profiles()) {
                if (!profiles.contains(pr)) {
                    String p = where + "profile " + pr + " not found";
                    lines.add(p);
                    problems.add(p);
                }
            }
        }
        return new ConnectionReport(lines, problems);
    }

    /** The daemon's name for the report: LXD, or Incus (LXD's fork, same API), from {@code environment.server}. */
    static String product(String server) {
        return switch (server) {
            case "incus" -> "Incus";
            case "lxd", "" -> "LXD";
            default -> server;
        };
    }

    /** The last path segment of each URL of a listing ({@code /1.0/profiles/default} → {@code default}). */
    private static List<String> names(JsonNode urls) {
        List<String> out = new ArrayList<>();
        urls.forEach(u -> {
            String s = u.asText();
            s = s.replaceAll("\\?.*$", "");
            out.add(java.net.URLDecoder.decode(s.substring(s.lastIndexOf('/') + 1), StandardCharsets.UTF_8));
        });
        return out;
    }

    @Override
    public void close() {
        client.close();
    }

    @Override
    public String toString() {
        return "LxdDriver[" + config.cloudName() + " at " + client.endpoint() + "]";
    }
}
