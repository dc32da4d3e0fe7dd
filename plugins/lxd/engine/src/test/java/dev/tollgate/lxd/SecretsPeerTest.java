package dev.tollgate.lxd;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import dev.tollgate.cloud.AgentRecord;
import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.CloudEngine;
import dev.tollgate.cloud.CloudSettings;
import dev.tollgate.cloud.InMemoryAgentRegistry;
import dev.tollgate.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Babune's rule: a test container holds no secret of the controller's. The agent process gets its own
 * connection settings, in its own environment, and nothing else: not the controller's environment, not
 * the instance's config (which anyone who can read the config, or the container's other processes,
 * would see), not the logs.
 */
public class SecretsPeerTest {
    private static final String SECRET = "agent-secret-0c9b4e7f";
    private static final String URL = "https://ci.example.org/";
    /** What LXD itself puts into an exec'd process's environment. */
    private static final Set<String> LXD_DEFAULTS = Set.of("PATH", "HOME", "USER", "LANG", "TERM", "container", "SHLVL", "PWD");
    static LxdPeer peer;

    private final List<String> logged = new ArrayList<>();
    private final Handler capture = new Handler() {
        private final SimpleFormatter f = new SimpleFormatter();

        @Override
        public void publish(LogRecord r) {
            synchronized (logged) {
                logged.add(f.format(r));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeClass
    public static void startPeer() throws Exception {
        peer = LxdPeer.start(LxdPeer.Flavor.LXD);
    }

    @AfterClass
    public static void stopPeer() {
        if (peer != null) {
            peer.close();
        }
    }

    @Before
    public void captureLogs() {
        Logger root = Logger.getLogger("");
        root.addHandler(capture);
        Logger.getLogger("dev.tollgate").setLevel(Level.ALL);
    }

    @After
    public void releaseLogs() {
        Logger.getLogger("").removeHandler(capture);
    }

    private static Map<String, String> parseEnv(String text) {
        Map<String, String> env = new TreeMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                env.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return env;
    }

    @Test
    public void theAgentAloneGetsItsSecretAndNothingOfTheControllers() throws Exception {
        assertNotNull("the build sets a variable only the controller has", System.getenv("TOLLGATE_CONTROLLER_ONLY"));
        ManualClock clock = new ManualClock();
        AgentTemplate<LxdOptions> t = AgentTemplate.builder("bb").labels("linux").options(LxdOptions.builder()
                .image(LxdPeer.IMAGE).agentCommand(LxdDriverPeerTest.ENV_DUMPING_AGENT).build()).build();
        try (LxdDriver driver = new LxdDriver(LxdCloudConfig.of("lxd", new LxdEndpoint.Unix(peer.socket()), List.of(t)))) {
            InMemoryAgentRegistry registry = new InMemoryAgentRegistry(Map.of("JENKINS_URL", URL, "JENKINS_SECRET", SECRET));
            CloudEngine engine = CloudEngine.builder(CloudSettings.builder("lxd", "ctl-secrets").template(t).build())
                    .driver(driver).registry(registry).clock(clock).executor(Runnable::run).random(new Random(1)).build();
            String agent = engine.provision("linux", 1).planned().get(0).agentName();
            AgentRecord rec = engine.record(agent).orElseThrow();
            String name = rec.instanceId();

            // the agent's own environment: its settings, LXD's defaults, nothing else
            Map<String, String> env = parseEnv(LxdDriverPeerTest.agentFile(peer, name, "/tmp/agent.env"));
            assertEquals(SECRET, env.get("JENKINS_SECRET"));
            assertEquals(URL, env.get("JENKINS_URL"));
            assertEquals(agent, env.get("TOLLGATE_AGENT_NAME"));
            for (String k : env.keySet()) {
                assertTrue("unexpected variable in the agent's environment: " + k,
                        LXD_DEFAULTS.contains(k) || Set.of("JENKINS_SECRET", "JENKINS_URL", "TOLLGATE_AGENT_NAME").contains(k));
            }
            assertFalse(env.containsKey("TOLLGATE_CONTROLLER_ONLY"));
            assertFalse(env.containsValue(System.getenv("TOLLGATE_CONTROLLER_ONLY")));

            // nowhere else in the container or its config
            assertFalse("secret in the instance config", peer.lxc("config", "show", "--expanded", name).contains(SECRET));
            assertFalse("secret in the listing", peer.lxc("list", "--format", "json").contains(SECRET));
            String init = peer.lxc("exec", name, "--", "/bin/sh", "-c", "tr '\\0' '\\n' < /proc/1/environ");
            assertFalse("secret in init's environment", init.contains(SECRET));
            String other = peer.lxc("exec", name, "--", "env");
            assertFalse("secret in another process's environment", other.contains(SECRET));
            assertFalse(other.contains("controller-env-7d2a"));

            engine.release(agent, "test over");
            engine.tick();
            assertEquals(Set.of(), LxdPeerView.instancesOf(peer, "ctl-secrets"));
        }
        synchronized (logged) {
            assertFalse("the driver logged", logged.isEmpty());
            for (String line : logged) {
                assertFalse("secret logged: " + line, line.contains(SECRET));
            }
        }
    }
}
