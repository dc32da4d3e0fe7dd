package dev.tollgate.lxd;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.CloudSettings;
import dev.tollgate.cloud.port.CloudException.Kind;
import dev.tollgate.cloud.port.CloudInstance;
import dev.tollgate.cloud.port.Fingerprint;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.Test;

/** Template validation, instance names, fingerprints in config, states and error kinds: no daemon needed. */
public class LxdOptionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<String> problems(LxdOptions.Builder b) {
        return b.build().problems("template 't'");
    }

    @Test
    public void everyProblemIsListedAtOnce() {
        List<String> p = problems(LxdOptions.builder()
                .profiles(List.of("ok", "bad name"))
                .config(Map.of("user.tollgate.agent", "x", "environment.TOKEN", "y", "cloud-init.user-data", "z"))
                .devices(Map.of("d", Map.of("path", "/x")))
                .agentUser(-1));
        String all = String.join("\n", p);
        assertTrue(all, all.contains("image (alias or fingerprint) is required"));
        assertTrue(all, all.contains("profile name 'bad name'"));
        assertTrue(all, all.contains("'user.tollgate.agent' is reserved"));
        assertTrue(all, all.contains("'environment.TOKEN' would reach every process"));
        assertTrue(all, all.contains("'cloud-init.user-data' is set from cloudInitUserData"));
        assertTrue(all, all.contains("device 'd' needs a type"));
        assertTrue(all, all.contains("agentCommand or cloudInitUserData is required"));
        assertTrue(all, all.contains("agentUser must be a uid"));
        assertTrue(all, p.stream().allMatch(s -> s.startsWith("template 't': ")));
        assertTrue(problems(LxdOptions.builder().image("debian").agentCommand("/opt/agent")).isEmpty());
        assertEquals(1, problems(LxdOptions.builder().image("debian").agentCommand("/opt/agent")
                .cloudInitUserData("#cloud-config\n")).size());
    }

    @Test
    public void theEnginesSettingsReportTheOptionsProblems() {
        try {
            CloudSettings.builder("lxd", "ctl").template(AgentTemplate.builder("bad").options(LxdOptions.builder().build())
                    .build()).build();
            fail();
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("template 'bad': image (alias or fingerprint) is required"));
        }
    }

    @Test
    public void anImageRemoteMustBeConfigured() {
        AgentTemplate<LxdOptions> t = AgentTemplate.builder("t").options(LxdOptions.builder().image("debian/12")
                .imageRemote("images").agentCommand("/a").build()).build();
        try {
            LxdCloudConfig.of("lxd", new LxdEndpoint.Unix(Path.of("/nowhere")), List.of(t));
            fail();
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("image remote 'images' is not configured"));
        }
    }

    @Test
    public void imagesByFingerprintOrAlias() {
        assertTrue(LxdOptions.builder().image("8755dbe037a8").build().imageIsFingerprint());
        assertTrue(LxdOptions.builder().image("8755DBE037A806AF76B26044B13B47A1332B298B0F8A448CCA6B442B63246946").build()
                .imageIsFingerprint());
        assertFalse(LxdOptions.builder().image("debian/12").build().imageIsFingerprint());
        assertFalse(LxdOptions.builder().image("cafe").build().imageIsFingerprint());
    }

    @Test
    public void instanceNamesAreValidStableAndUnique() {
        Set<String> seen = new HashSet<>();
        Instant at = Instant.parse("2026-01-01T00:00:00Z");
        for (String agent : List.of("lxd-small-abcd1234", "LXD.big_ONE-x", "9-starts-with-digit", "---",
                "a-very-long-cloud-name-that-goes-on-and-on-big-template-name-too-abcdefgh")) {
            for (String ctl : List.of("ctl-1", "ctl-2")) {
                String n = LxdDriver.instanceName(new Fingerprint(ctl, "lxd", "t", agent, at));
                assertTrue(n, n.matches("[a-z][a-z0-9-]{0,61}[a-z0-9]") && !n.contains("--"));
                assertEquals("stable", n, LxdDriver.instanceName(new Fingerprint(ctl, "lxd", "t", agent, at.plusSeconds(9))));
                assertTrue("unique: " + n, seen.add(n));
            }
        }
    }

    @Test
    public void theFingerprintRoundTripsThroughUserKeys() throws Exception {
        Fingerprint fp = new Fingerprint("ctl-1", "lxd", "small", "lxd-small-x", Instant.parse("2026-03-04T05:06:07.123Z"));
        Map<String, String> cfg = LxdDriver.fingerprintConfig(fp);
        assertEquals(Set.of("user.tollgate.controller", "user.tollgate.cloud", "user.tollgate.template",
                "user.tollgate.agent", "user.tollgate.created-at"), cfg.keySet());
        assertEquals(fp, LxdDriver.fingerprintOf(JSON.valueToTree(cfg)));
        assertNull(LxdDriver.fingerprintOf(JSON.readTree("{\"user.tollgate.controller\":\"c\"}")));
        assertNull(LxdDriver.fingerprintOf(JSON.readTree("{}")));
    }

    private static CloudInstance.State state(String json) throws Exception {
        JsonNode n = JSON.readTree(json);
        return LxdDriver.state(n);
    }

    @Test
    public void statusesMapOntoThePortsStates() throws Exception {
        assertEquals(CloudInstance.State.RUNNING, state("{\"status\":\"Running\"}"));
        assertEquals(CloudInstance.State.PENDING, state("{\"status\":\"Stopped\",\"config\":{}}"));
        assertEquals(CloudInstance.State.STOPPING,
                state("{\"status\":\"Stopped\",\"config\":{\"volatile.last_state.power\":\"STOPPED\"}}"));
        assertEquals(CloudInstance.State.PENDING, state("{\"status\":\"Starting\"}"));
        assertEquals(CloudInstance.State.STOPPING, state("{\"status\":\"Frozen\"}"));
        assertEquals(CloudInstance.State.STOPPING, state("{\"status\":\"Error\"}"));
        assertFalse("present is never gone", LxdDriver.toCloud(JSON.readTree("{\"name\":\"x\",\"status\":\"Error\"}")).isGone());
    }

    @Test
    public void errorsMapOntoKinds() {
        assertEquals(Kind.NOT_FOUND, LxdClient.kindOf(404, "Instance not found"));
        assertEquals(Kind.THROTTLED, LxdClient.kindOf(429, "slow down"));
        assertEquals(Kind.TRANSIENT, LxdClient.kindOf(500, "database is locked"));
        assertEquals(Kind.TRANSIENT, LxdClient.kindOf(503, "cluster member down"));
        assertEquals(Kind.CAPACITY, LxdClient.kindOf(500, "write /var/lib/lxd: no space left on device"));
        assertEquals(Kind.PERMANENT, LxdClient.kindOf(403, "not authorized"));
        assertEquals(Kind.PERMANENT, LxdClient.kindOf(400, "Invalid config: Unknown configuration key: foo"));
        assertEquals(Kind.PERMANENT, LxdClient.operationFailureKind("Failed getting image: Image not found"));
        assertEquals(Kind.CAPACITY, LxdClient.operationFailureKind("Failed to create: no space left on device"));
        assertEquals(Kind.TRANSIENT, LxdClient.operationFailureKind("Get \"https://images\": dial tcp: i/o timeout"));
    }

    @Test
    public void optionsNeverPrintUserData() {
        String s = LxdOptions.builder().image("debian").cloudInitUserData("#cloud-config\npassword: hunter2\n").build().toString();
        assertFalse(s, s.contains("hunter2"));
    }
}
