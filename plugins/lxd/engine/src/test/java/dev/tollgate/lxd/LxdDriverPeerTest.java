package dev.tollgate.lxd;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.cloud.AgentRecord;
import dev.tollgate.cloud.AgentState;
import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.CloudEngine;
import dev.tollgate.cloud.CloudSettings;
import dev.tollgate.cloud.ConnectDecision;
import dev.tollgate.cloud.InMemoryAgentRegistry;
import dev.tollgate.cloud.port.CloudException;
import dev.tollgate.cloud.port.CloudInstance;
import dev.tollgate.cloud.port.Fingerprint;
import dev.tollgate.cloud.port.LaunchSpec;
import dev.tollgate.testing.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/** The LXD driver's templates on a real daemon: what each option does to the instance LXD makes. */
public class LxdDriverPeerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger SEQ = new AtomicInteger();
    /** The agent writes its environment where the test can read it, then runs on. */
    static final List<String> ENV_DUMPING_AGENT = List.of("/bin/sh", "-c",
            "env > /tmp/agent.env.part && mv /tmp/agent.env.part /tmp/agent.env && echo {{agentName}} > /tmp/agent.name"
                    + " && exec sleep 2147483647");
    static LxdPeer peer;
    private static Path scratch;
    private static String imageFingerprint;

    private final ManualClock clock = new ManualClock();
    private final String controller = "ctl-peer-" + SEQ.incrementAndGet();
    private LxdDriver driver;

    @BeforeClass
    public static void startPeer() throws Exception {
        startPeer(LxdPeer.Flavor.LXD);
    }

    static void startPeer(LxdPeer.Flavor flavor) throws Exception {
        peer = LxdPeer.start(flavor);
        peer.lxc("profile", "create", "tollgate-extra");
        peer.lxc("profile", "set", "tollgate-extra", "limits.processes", "500");
        scratch = Files.createDirectories(peer.dir.resolve("scratch"));
        Files.writeString(scratch.resolve("hello"), "from the host\n");
        Files.setPosixFilePermissions(scratch.resolve("hello"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(scratch, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        imageFingerprint = JSON.readTree(peer.lxc("image", "list", "--format", "json")).get(0).path("fingerprint").asText();
    }

    @AfterClass
    public static void stopPeer() {
        if (peer != null) {
            peer.close();
        }
    }

    @After
    public void endEverything() throws Exception {
        if (driver != null) {
            driver.terminate(LxdPeerView.instancesOf(peer, controller));
            assertEquals(Set.of(), LxdPeerView.instancesOf(peer, controller));
            driver.close();
        }
    }

    private static AgentTemplate<LxdOptions> template(String name, LxdOptions.Builder o) {
        return AgentTemplate.builder(name).labels("linux").options(o.build()).build();
    }

    private LxdDriver driver(List<AgentTemplate<LxdOptions>> templates) throws Exception {
        driver = new LxdDriver(LxdCloudConfig.of("lxd", new LxdEndpoint.Unix(peer.socket()), templates));
        return driver;
    }

    private LaunchSpec spec(String template, String agent) {
        return new LaunchSpec(template, agent, new Fingerprint(controller, "lxd", template, agent, clock.instant()),
                Map.of("TOLLGATE_AGENT_SECRET", "peer-test-secret"));
    }

    private static JsonNode instance(String name) throws Exception {
        return JSON.readTree(peer.lxc("query", "/1.0/instances/" + name));
    }

    /** Waits inside the container (bounded by the peer's command timeout) until the agent wrote the file. */
    static String agentFile(LxdPeer peer, String name, String file) throws Exception {
        return peer.lxc("exec", name, "--", "/bin/sh", "-c",
                "while [ ! -f " + file + " ]; do sleep 0.05; done; cat " + file);
    }

    @Test
    public void aTemplatesImageProfilesConfigAndDevicesReachTheInstance() throws Exception {
        driver(List.of(template("full", LxdOptions.builder().image(LxdPeer.IMAGE)
                .profiles(List.of("default", "tollgate-extra"))
                .config(Map.of("limits.cpu", "1", "limits.memory", "256MiB", "security.nesting", "true"))
                .devices(Map.of("scratch", Map.of("type", "disk", "path", "/srv/scratch", "source", scratch.toString(),
                        "readonly", "true")))
                .agentCommand(ENV_DUMPING_AGENT))));
        CloudInstance ci = driver.create(spec("full", "lxd-full-AbC_9"));
        assertEquals(CloudInstance.State.RUNNING, ci.state());
        assertTrue("an LXD-safe name: " + ci.id(), ci.id().matches("lxd-full-abc-9-[0-9a-f]{8}"));

        JsonNode i = instance(ci.id());
        assertEquals("Running", i.path("status").asText());
        assertEquals(List.of("default", "tollgate-extra"), JSON.convertValue(i.path("profiles"), List.class));
        JsonNode cfg = i.path("config");
        assertEquals("1", cfg.path("limits.cpu").asText());
        assertEquals("256MiB", cfg.path("limits.memory").asText());
        assertEquals("true", cfg.path("security.nesting").asText());
        assertEquals("500", i.path("expanded_config").path("limits.processes").asText());
        assertEquals(controller, cfg.path("user.tollgate.controller").asText());
        assertEquals("lxd-full-AbC_9", cfg.path("user.tollgate.agent").asText());
        assertEquals(clock.instant().toString(), cfg.path("user.tollgate.created-at").asText());
        assertFalse(i.path("ephemeral").asBoolean());
        assertEquals("disk", i.path("devices").path("scratch").path("type").asText());

        assertEquals("lxd-full-AbC_9\n", agentFile(peer, ci.id(), "/tmp/agent.name"));
        assertEquals("from the host\n", peer.lxc("exec", ci.id(), "--", "cat", "/srv/scratch/hello"));
        assertEquals(Set.of(ci.id()), LxdPeerView.instancesOf(peer, controller));

        driver.terminate(List.of(ci.id()));
        assertEquals(Set.of(), LxdPeerView.instancesOf(peer, controller));
    }

    @Test
    public void anEphemeralInstanceIsGoneOnceStopped() throws Exception {
        driver(List.of(template("eph", LxdOptions.builder().image(LxdPeer.IMAGE).ephemeral(true)
                .agentCommand("/bin/sleep", "2147483647"))));
        CloudInstance ci = driver.create(spec("eph", "eph-1"));
        assertTrue(instance(ci.id()).path("ephemeral").asBoolean());
        driver.terminate(List.of(ci.id())); // the stop deletes it; the delete finds nothing, which is fine
        driver.terminate(List.of(ci.id()));
        assertEquals(Set.of(), LxdPeerView.instancesOf(peer, controller));
    }

    @Test
    public void anImageByFingerprint() throws Exception {
        driver(List.of(template("byfp", LxdOptions.builder().image(imageFingerprint.substring(0, 16))
                .agentCommand(ENV_DUMPING_AGENT))));
        CloudInstance ci = driver.create(spec("byfp", "fp-1"));
        assertEquals(imageFingerprint, instance(ci.id()).path("config").path("volatile.base_image").asText());
    }

    @Test
    public void aMissingImageIsPermanentAndLeavesNothing() throws Exception {
        driver(List.of(template("missing", LxdOptions.builder().image("no-such-image").agentCommand("/bin/true"))));
        try {
            driver.create(spec("missing", "m-1"));
            fail();
        } catch (CloudException e) {
            assertEquals(e.getMessage(), CloudException.Kind.PERMANENT, e.kind());
        }
        assertEquals(Set.of(), LxdPeerView.instancesOf(peer, controller));
    }

    @Test
    public void anImageFromAnUnreachableRemoteFailsCleanly() throws Exception {
        AgentTemplate<LxdOptions> t = template("remote", LxdOptions.builder().image("debian/12").imageRemote("images")
                .agentCommand("/bin/true"));
        driver = new LxdDriver(new LxdCloudConfig("lxd", new LxdEndpoint.Unix(peer.socket()), List.of(t), null,
                Map.of("images", new LxdCloudConfig.ImageRemote(
                        java.net.URI.create("https://127.0.0.1:" + dev.tollgate.testing.Peers.freePort()), "simplestreams")),
                null, null));
        try {
            driver.create(spec("remote", "r-1"));
            fail();
        } catch (CloudException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("Creating instance failed") || e.getMessage().contains("127.0.0.1"));
        }
        assertEquals(Set.of(), LxdPeerView.instancesOf(peer, controller));
    }

    @Test
    public void cloudInitUserDataGoesIntoTheInstanceConfig() throws Exception {
        driver(List.of(template("ci", LxdOptions.builder().image(LxdPeer.IMAGE)
                .cloudInitUserData("#cloud-config\nruncmd:\n- [/opt/agent, '{{agentName}}', '{{TOLLGATE_AGENT_SECRET}}']\n"))));
        CloudInstance ci = driver.create(spec("ci", "ci-1"));
        assertEquals("#cloud-config\nruncmd:\n- [/opt/agent, 'ci-1', 'peer-test-secret']\n",
                instance(ci.id()).path("config").path("cloud-init.user-data").asText());
    }

    @Test
    public void aLaunchSentAgainFindsTheFirstInstance() throws Exception {
        driver(List.of(template("bb", LxdOptions.builder().image(LxdPeer.IMAGE).agentCommand(ENV_DUMPING_AGENT))));
        LaunchSpec s = spec("bb", "again-1");
        String first = driver.create(s).id();
        assertEquals(first, driver.create(s).id());
        assertEquals(Set.of(first), LxdPeerView.instancesOf(peer, controller));
        // the same agent name from another controller is another instance
        LaunchSpec other = new LaunchSpec("bb", "again-1", new Fingerprint("ctl-else-" + SEQ.incrementAndGet(), "lxd", "bb",
                "again-1", clock.instant()), Map.of());
        String theirs = driver.create(other).id();
        assertFalse(theirs.equals(first));
        driver.terminate(List.of(theirs));
    }

    @Test
    public void aCreatedButNeverStartedInstanceIsPendingAndFinishedByTheRetry() throws Exception {
        driver(List.of(template("bb", LxdOptions.builder().image(LxdPeer.IMAGE).agentCommand(ENV_DUMPING_AGENT))));
        LaunchSpec s = spec("bb", "half-1");
        String name = LxdDriver.instanceName(s.fingerprint());
        // an earlier attempt made the instance and died before starting it
        List<String> init = new java.util.ArrayList<>(List.of("init", LxdPeer.IMAGE, name));
        LxdDriver.fingerprintConfig(s.fingerprint()).forEach((k, v) -> {
            init.add("-c");
            init.add(k + "=" + v);
        });
        peer.lxc(init.toArray(String[]::new));
        assertEquals(CloudInstance.State.PENDING, driver.describe(List.of(name)).get(0).state());
        assertEquals(name, driver.create(s).id());
        assertEquals(CloudInstance.State.RUNNING, driver.describe(List.of(name)).get(0).state());
        assertEquals("half-1\n", agentFile(peer, name, "/tmp/agent.name"));
        // stopped after it ran: the agent is lost
        peer.lxc("stop", "--force", name);
        assertEquals(CloudInstance.State.STOPPING, driver.listOwned(controller).get(0).state());
    }

    @Test
    public void theReaperListsOnceWithRecursionPerCycle() throws Exception {
        driver(List.of(template("bb", LxdOptions.builder().image(LxdPeer.IMAGE).agentCommand(ENV_DUMPING_AGENT))));
        InMemoryAgentRegistry registry = new InMemoryAgentRegistry(Map.of("TOLLGATE_AGENT_SECRET", "s"));
        CloudEngine engine = CloudEngine.builder(CloudSettings.builder("lxd", controller)
                        .template(AgentTemplate.builder("bb").labels("linux").buildWaitTimeout(Duration.ZERO).build()).build())
                .driver(driver).registry(registry).clock(clock).executor(Runnable::run).random(new Random(3)).build();
        List<String> agents = engine.provision("linux", 3).planned().stream().map(p -> p.agentName()).toList();
        long before = driver.client().totalCalls();
        Map<String, Long> was = driver.client().calls();
        engine.reap();
        Map<String, Long> now = driver.client().calls();
        assertEquals("one call per reaper cycle: " + now, 1, driver.client().totalCalls() - before);
        assertEquals(was.getOrDefault("GET /1.0/instances?recursion=1", 0L) + 1,
                (long) now.get("GET /1.0/instances?recursion=1"));
        for (String a : agents) {
            AgentRecord r = engine.record(a).orElseThrow();
            assertEquals(ConnectDecision.ACCEPTED, engine.agentConnected(a, r.instanceId()));
            engine.buildStarted(a);
            engine.buildFinished(a);
        }
        engine.tick();
        for (String a : agents) {
            assertEquals(AgentState.TERMINATED, engine.record(a).orElseThrow().state());
        }
        assertEquals(Set.of(), LxdPeerView.instancesOf(peer, controller));
        assertNull(engine.records().stream().filter(r -> r.state().isLive()).findAny().orElse(null));
    }
}
