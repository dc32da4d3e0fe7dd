package dev.tollgate.lxd.config;

import dev.tollgate.cloud.config.CloudProblem;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.CloudSettings;
import dev.tollgate.lxd.LxdCloudConfig;
import dev.tollgate.lxd.LxdEndpoint;
import dev.tollgate.lxd.LxdOptions;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.Test;

/** The JCasC records of an LXD cloud: every value reaches the engine, every bad value is named at its key. */
public class LxdCloudSpecTest {
    static final String PIN = "AB:".repeat(31) + "AB";

    static LxdTemplateSpec template(String name) {
        return new LxdTemplateSpec(name, "lxd debian-12", 2, 4, 0, 900, 3, "lxd/" + name + "/{n}", "debian-12-ci",
                "images", "container", List.of("default", "ci"),
                List.of(new LxdConfigSpec("limits.cpu", "2"), new LxdConfigSpec("security.nesting", "true")),
                List.of(new LxdDeviceSpec("cache", "disk", List.of(new LxdConfigSpec("path", "/cache"),
                        new LxdConfigSpec("source", "/srv/cache"), new LxdConfigSpec("readonly", "true")))),
                true, List.of("/usr/bin/java", "-jar", "/opt/agent.jar", "-name", "{{agentName}}"), 1000, "/home/ci",
                null, "/home/ci/agent");
    }

    static LxdCloudSpec local(LxdTemplateSpec... templates) {
        return new LxdCloudSpec("lxd/babune", "/var/lib/lxd/unix.socket", null, null, null, "ci",
                List.of(new LxdImageRemoteSpec("images", "https://images.linuxcontainers.org", "simplestreams")),
                List.of(templates), 10, "0.5", 5, 20, 600, 600, 90, 240, 180, 2, 10, 600, 30);
    }

    @Test
    public void everyValueReachesTheEngine() {
        LxdCloudSpec spec = local(template("debian"));
        assertEquals(List.of(), spec.problems());
        assertEquals("lxd-babune", spec.engineName());
        List<AgentTemplate<LxdOptions>> ts = spec.agentTemplates();
        AgentTemplate<LxdOptions> t = ts.get(0);
        assertEquals(Set.of("lxd", "debian-12"), t.labels());
        assertEquals(2, t.executors());
        assertEquals(4, t.instanceCap());
        assertEquals(Duration.ZERO, t.buildWaitTimeout());
        assertTrue("babune: one build per container", t.oneBuildPerInstance());
        assertEquals(Duration.ofMinutes(15), t.missingTimeout());
        assertEquals(3, t.maxUses());
        assertEquals("lxd/debian/{n}", t.namePattern());
        LxdOptions o = t.options();
        assertEquals("debian-12-ci", o.image());
        assertEquals("images", o.imageRemote());
        assertFalse(o.virtualMachine());
        assertEquals(List.of("default", "ci"), o.profiles());
        assertEquals(Map.of("limits.cpu", "2", "security.nesting", "true"), o.config());
        assertEquals(Map.of("cache", Map.of("type", "disk", "path", "/cache", "source", "/srv/cache", "readonly", "true")),
                o.devices());
        assertTrue(o.ephemeral());
        assertEquals(List.of("/usr/bin/java", "-jar", "/opt/agent.jar", "-name", "{{agentName}}"), o.agentCommand());
        assertEquals(1000, o.agentUser());
        assertEquals("/home/ci", o.agentCwd());

        LxdCloudConfig c = spec.lxdConfig(ts, spec.endpoint(null));
        assertEquals("lxd-babune", c.cloudName());
        assertEquals(new LxdEndpoint.Unix(Path.of("/var/lib/lxd/unix.socket")), c.endpoint());
        assertEquals("ci", c.project());
        assertEquals(URI.create("https://images.linuxcontainers.org"), c.imageRemotes().get("images").url());
        assertEquals("simplestreams", c.imageRemotes().get("images").protocol());
        assertEquals(Duration.ofSeconds(20), c.requestTimeout());
        assertEquals(Duration.ofSeconds(600), c.operationTimeout());

        CloudSettings s = spec.configure(CloudSettings.builder(spec.engineName(), "ctl")).templates(ts).build();
        assertEquals(10, s.instanceCap());
        assertEquals(0.5, s.requestsPerSecond(), 0);
        assertEquals(5, s.requestBurst());
        assertEquals(Duration.ofSeconds(600), s.reaperGrace());
        assertEquals(Duration.ofSeconds(90), s.describeInterval());
        assertEquals(Duration.ofSeconds(240), s.reaperInterval());
        assertEquals(Duration.ofSeconds(180), s.capacityCooldown());
        assertEquals(Duration.ofSeconds(2), s.throttleBackoff());
        assertEquals(Duration.ofSeconds(10), s.terminateBackoff());
        assertEquals(Duration.ofSeconds(600), s.maxBackoff());
        assertEquals(Duration.ofMinutes(30), s.recordRetention());
        assertEquals("cloud lxd/babune at /var/lib/lxd/unix.socket, 1 template(s): debian debian-12-ci@images ephemeral "
                + "one-shot [lxd debian-12]", spec.summary());
    }

    @Test
    public void aRemoteDaemonIsHttpsWithTheClientCertificateAndThePin() {
        LxdCloudSpec spec = new LxdCloudSpec("remote", null, "https://lxd.example.org:8443", "lxd-client", PIN, null,
                List.of(), List.of(template("vm")), null, "2", 20, 30, 300, 300, 120, 300, 120, 1, 5, 300, 60);
        List<CloudProblem> p = spec.problems();
        assertEquals(1, p.size()); // the template names a remote this cloud lacks
        assertEquals("imageRemote", p.get(0).key());
        LxdTemplateSpec vm = new LxdTemplateSpec("vm", "lxd", 1, null, 0, 600, 0, null, "0123456789ab", null,
                "virtual-machine", List.of(), List.of(), List.of(), false, List.of(), 0, null, "#cloud-config\n", "/root");
        spec = new LxdCloudSpec("remote", null, "https://lxd.example.org:8443", "lxd-client", PIN, null, List.of(),
                List.of(vm), null, "2", 20, 30, 300, 300, 120, 300, 120, 1, 5, 300, 60);
        assertEquals(List.of(), spec.problems());
        LxdOptions o = spec.agentTemplates().get(0).options();
        assertTrue(o.virtualMachine());
        assertTrue(o.imageIsFingerprint());
        assertEquals("#cloud-config\n", o.cloudInitUserData());
        try {
            spec.endpoint(null);
            fail("a remote endpoint without its client certificate");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("lxd-client"));
        }
        LxdEndpoint e = spec.endpoint(new LxdEndpoint.ClientCertificate("cert", "key-material"));
        assertTrue(e instanceof LxdEndpoint.Https);
        LxdEndpoint.Https h = (LxdEndpoint.Https) e;
        assertEquals(URI.create("https://lxd.example.org:8443"), h.url());
        assertEquals(PIN, h.serverCertSha256());
        assertFalse("the key is never shown", h.toString().contains("key-material"));
        assertTrue(spec.summary(), spec.summary().startsWith("cloud remote at https://lxd.example.org:8443 (credentials "
                + "lxd-client, pinned), 1 template(s): vm 0123456789ab vm one-shot [lxd]"));
    }

    private static List<String> problems(LxdCloudSpec spec) {
        return spec.problems().stream().map(p -> p.keyOfRecord() + "/" + p).toList();
    }

    private static void assertHas(List<String> p, String... expected) {
        for (String s : expected) {
            assertTrue(p + " lacks " + s, p.contains(s));
        }
    }

    @Test
    public void badCloudValuesAreNamedAtTheirKeys() {
        LxdTemplateSpec good = template("t");
        assertHas(problems(new LxdCloudSpec("", null, null, null, null, "bad project", List.of(
                        new LxdImageRemoteSpec("images", "ftp://x", "oci"), new LxdImageRemoteSpec("images", "https://y", null)),
                        List.of(good), -1, "fast", 0, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1)),
                "tollgateLxd/name: a name is required",
                "tollgateLxd/socketPath: give socketPath (a local daemon) or url (a remote one)",
                "tollgateLxd/project: must be an LXD project name (letters, digits, '.', '_', '-'), got bad project",
                "imageRemotes/url: must be an http(s) URL, got ftp://x",
                "imageRemotes/protocol: must be simplestreams or lxd, got oci",
                "imageRemotes/name: image remote 'images' is defined twice",
                "tollgateLxd/instanceCap: must be 0 or more (leave it out for no cap), got -1",
                "tollgateLxd/requestsPerSecond: must be a positive number, got fast",
                "tollgateLxd/requestBurst: must be at least 1, got 0",
                "tollgateLxd/requestTimeoutSeconds: must be at least 1, got 0",
                "tollgateLxd/reaperGraceSeconds: must be at least 1, got 0");
        assertHas(problems(new LxdCloudSpec("x", "/s", "https://h:8443", "id", PIN, null, List.of(), List.of(good(null)),
                        null, "2", 20, 30, 300, 300, 120, 300, 120, 1, 5, 300, 60)),
                "tollgateLxd/url: give socketPath or url, not both");
        assertHas(problems(new LxdCloudSpec("x", "relative.sock", null, "id", PIN, null, List.of(), List.of(good(null)),
                        null, "2", 20, 30, 300, 300, 120, 300, 120, 1, 5, 300, 60)),
                "tollgateLxd/socketPath: must be an absolute path such as /var/lib/lxd/unix.socket, got relative.sock",
                "tollgateLxd/credentialsId: is for a remote daemon (url); a local socket needs none",
                "tollgateLxd/serverCertificateFingerprint: is for a remote daemon (url); a local socket needs none");
        assertHas(problems(new LxdCloudSpec("x", null, "http://h:8443", null, null, null, List.of(), List.of(good(null)),
                        null, "2", 20, 30, 300, 300, 120, 300, 120, 1, 5, 300, 60)),
                "tollgateLxd/url: must be an https:// URL such as https://lxd.example.org:8443, got http://h:8443",
                "tollgateLxd/credentialsId: a remote daemon needs the controller's client certificate (a certificate "
                        + "credential the daemon trusts)",
                "tollgateLxd/serverCertificateFingerprint: a remote daemon's certificate must be pinned: its SHA-256 "
                        + "fingerprint as lxc info shows it (no pin, no connection)");
        assertHas(problems(new LxdCloudSpec("x", null, "https://h:8443", "id", "abcd", null, List.of(), List.of(good(null)),
                        null, "2", 20, 30, 300, 300, 120, 300, 120, 1, 5, 300, 60)),
                "tollgateLxd/serverCertificateFingerprint: must be 64 hex digits (SHA-256), colons allowed");
    }

    /** The template {@code t} on the daemon's own images. */
    static LxdTemplateSpec good(String remote) {
        LxdTemplateSpec t = template("t");
        return new LxdTemplateSpec(t.name(), t.labels(), 1, null, 0, 600, 0, null, "debian-12", remote, "container",
                List.of(), List.of(), List.of(), true, List.of("/bin/agent"), 0, null, null, "/home/jenkins/agent");
    }

    @Test
    public void templateProblemsAreNamedAtTheirKeysTheEnginesIncluded() {
        LxdTemplateSpec bad = new LxdTemplateSpec("t", "lxd", 1, null, 0, 600, 0, null, "debian", "nowhere", "pod",
                List.of(), List.of(new LxdConfigSpec("limits.cpu", "1"), new LxdConfigSpec("limits.cpu", "2")),
                List.of(new LxdDeviceSpec("d", "disk", List.of(new LxdConfigSpec("type", "nic")))), true, List.of("/a"), 0,
                null, null, "relative");
        assertHas(problems(local(bad)),
                "templates/type: must be container or virtual-machine, got pod",
                "templates/imageRemote: 'nowhere' is not one of the cloud's imageRemotes [images]",
                "templates/remoteFs: must be an absolute path in the instance, got relative",
                "config/key: config key 'limits.cpu' is given twice",
                "options/key: the device's type is its own key, not an option");
        // once the values can be read, the engine's own checks speak, each at its key
        LxdTemplateSpec engine = new LxdTemplateSpec("bad name", "a|b", 0, null, 0, 600, 0, "x/{os}", "debian", null,
                "container", List.of("no/slash"), List.of(new LxdConfigSpec("environment.SECRET", "x"),
                new LxdConfigSpec("user.tollgate.agent", "x")), List.of(new LxdDeviceSpec("bad/dev", "disk", List.of())),
                true, List.of(), -1, null, null, "/home/jenkins/agent");
        List<String> p = problems(local(engine));
        assertHas(p,
                "templates/profiles: profile name 'no/slash' is not a valid LXD name",
                "templates/config: config key 'environment.SECRET' would reach every process in the instance; the agent "
                        + "gets its settings through its own environment",
                "templates/config: config key 'user.tollgate.agent' is reserved for the fingerprint",
                "templates/devices: device name 'bad/dev' is not a valid LXD name",
                "templates/agentCommand: agentCommand or cloudInitUserData is required (nothing would start the agent)",
                "templates/agentUser: must be a uid (0 or more), was -1");
        LxdTemplateSpec both = new LxdTemplateSpec("t", "lxd", 0, null, 0, 600, 0, "x/{os}", "debian", null, "container",
                List.of(), List.of(), List.of(), true, List.of("/a"), 0, null, "#cloud-config", "/home/jenkins/agent");
        assertHas(problems(local(both)),
                "templates/cloudInitUserData: give agentCommand or cloudInitUserData, not both (two agents would start)");
        // the engine's template checks after the driver's: executors, name pattern
        LxdTemplateSpec caps = new LxdTemplateSpec("t", "lxd", 0, null, 0, 600, 0, "x/{os}", "debian", null, "container",
                List.of(), List.of(), List.of(), true, List.of("/a"), 0, null, null, "/home/jenkins/agent");
        assertHas(problems(local(caps)),
                "templates/executors: must be at least 1, was 0",
                "templates/namePattern: has an unknown placeholder {os} (known: {cloud}, {template}, {n}, {id})");
        assertHas(problems(local(template("t"), template("t"))), "templates/name: template 't' is defined twice");
    }

    @Test
    public void variablesStandForValidValuesOnlyWhenAsked() {
        LxdCloudSpec spec = new LxdCloudSpec("remote", null, "${LXD_URL}", "lxd-client", "${LXD_SERVER_FINGERPRINT}", null,
                List.of(), List.of(good(null)), null, "2", 20, 30, 300, 300, 120, 300, 120, 1, 5, 300, 60);
        assertEquals(List.of(), spec.problemsWithVariables());
        assertEquals(List.of("tollgateLxd/url: must be an https:// URL such as https://lxd.example.org:8443, got ${LXD_URL}",
                "tollgateLxd/serverCertificateFingerprint: must be 64 hex digits (SHA-256), colons allowed"), problems(spec));
        LxdCloudSpec withDefault = new LxdCloudSpec("remote", null, "${LXD_URL:-ftp://x}", "lxd-client", PIN, null,
                List.of(), List.of(good(null)), null, "2", 20, 30, 300, 300, 120, 300, 120, 1, 5, 300, 60);
        assertEquals("a variable's default is checked", 1, withDefault.problemsWithVariables().size());
    }

    @Test
    public void theTemplatesOfABadConfigurationAreRefusedWithEveryProblem() {
        try {
            local(template("t"), template("t")).agentTemplates();
            fail();
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("template 't' name: template 't' is defined twice"));
        }
    }
}
