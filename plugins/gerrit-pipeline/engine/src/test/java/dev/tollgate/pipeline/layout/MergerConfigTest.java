package dev.tollgate.pipeline.layout;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.Test;

/** The gerrit-pipeline section's {@code merger:} key: defaults, rules, and what it needs of the servers. */
public class MergerConfigTest {
    private static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHu1jKFzGxr0u7gUfy5JKbq9C6P0H3YWnKeyxyzabcde";

    private static String section(String... mergerLines) {
        return String.join("\n",
                "unclassified:",
                "  tollgateGerritPipeline:",
                "    servers:",
                "      - name: review",
                "        host: review.example.org",
                "        username: ci-bot",
                "        hostKey: '" + KEY + "'",
                "        credentialsId: gerrit-ssh",
                "        restUrl: https://review.example.org/",
                "        restCredentialsId: gerrit-http",
                "      - name: upstream",
                "        gerritTriggerServer: upstream-gerrit",
                "    merger:",
                String.join("\n", mergerLines),
                "    pipelines:",
                "      - name: check",
                "        manager: IndependentPipelineManager",
                "        triggers:",
                "          - events: [patchset-created]",
                "");
    }

    private static List<String> errors(String yaml) {
        try {
            CascConfig.parseSettings(yaml, "c.yaml");
            fail("accepted:\n" + yaml);
            return null;
        } catch (ConfigException e) {
            return e.errors().stream().map(ConfigError::toString).collect(Collectors.toList());
        }
    }

    @Test
    public void absentMeansNoMerger() throws Exception {
        PipelineSettings s = CascConfig.parseSettings(String.join("\n",
                "unclassified:",
                "  tollgateGerritPipeline:",
                "    pipelines:",
                "      - name: check",
                "        manager: IndependentPipelineManager",
                ""), "c.yaml");
        assertNull(s.merger());
        assertFalse(s.mergerOn());
    }

    @Test
    public void defaults() throws Exception {
        PipelineSettings s = CascConfig.parseSettings(section("      fetch: http"), "c.yaml");
        MergerConfig m = s.merger();
        assertTrue(s.mergerOn());
        assertNull(m.cacheDir());
        assertFalse(m.fetchesOverSsh());
        assertEquals(48, m.zuulRefMaxAgeHours());
        assertEquals(50, m.maxCacheGigabytes());
        assertEquals(60, m.pruneMinutes());
        assertNull(m.daemon());
    }

    @Test
    public void readsEveryKey() throws Exception {
        PipelineSettings s = CascConfig.parseSettings(section(
                "      enabled: false",
                "      cacheDir: /var/lib/tollgate/merger",
                "      fetch: ssh",
                "      zuulUrl: git://10.0.0.5:9418",
                "      committerName: CI Merger",
                "      committerEmail: ci@example.org",
                "      zuulRefMaxAgeHours: 24",
                "      maxCacheGigabytes: 10",
                "      pruneMinutes: 30",
                "      daemon:",
                "        address: 10.0.0.5",
                "        port: 9419",
                "        allowedNetworks: [10.0.0.0/16, 'fd00::/8']"), "c.yaml");
        MergerConfig m = s.merger();
        assertFalse(s.mergerOn());
        assertEquals("/var/lib/tollgate/merger", m.cacheDir());
        assertEquals(24, m.zuulRefMaxAgeHours());
        assertEquals(new MergerDaemonConfig("10.0.0.5", 9419, List.of("10.0.0.0/16", "fd00::/8")), m.daemon());
    }

    @Test
    public void badValuesAreNamed() {
        List<String> e = errors(section(
                "      fetch: ftp",
                "      zuulRefMaxAgeHours: 0",
                "      zuulUrl: review.example.org",
                "      daemon:",
                "        address: agents.example.org",
                "        port: 70000",
                "        allowedNetworks: [10.0.0.0/33, 300.1.1.1, 'fd00::/129']"));
        String all = String.join("\n", e);
        assertTrue(all, all.contains("fetch") && all.contains("`ftp`"));
        assertTrue(all, all.contains("zuulRefMaxAgeHours"));
        assertTrue(all, all.contains("zuulUrl"));
        assertTrue(all, all.contains("address") && all.contains("agents.example.org"));
        assertTrue(all, all.contains("port") && all.contains("70000"));
        assertTrue(all, all.contains("`10.0.0.0/33`: the prefix length"));
        assertTrue(all, all.contains("`300.1.1.1`"));
        assertTrue(all, all.contains("`fd00::/129`"));
    }

    @Test
    public void aDaemonNeedsItsNetworks() {
        String all = String.join("\n", errors(section(
                "      fetch: http",
                "      daemon:",
                "        address: 10.0.0.5")));
        assertTrue(all, all.contains("allowedNetworks"));
    }

    @Test
    public void aDaemonOnEveryAddressNeedsTheUrlAgentsReachItAt() {
        String all = String.join("\n", errors(section(
                "      fetch: http",
                "      daemon:",
                "        address: 0.0.0.0",
                "        allowedNetworks: [10.0.0.0/8]")));
        assertTrue(all, all.contains("zuulUrl: required when the daemon listens on every address (0.0.0.0)"));
    }

    @Test
    public void sshFetchNeedsTheServersOwnConnection() {
        String all = String.join("\n", errors(section("      fetch: ssh")));
        assertTrue(all, all.contains("gerritTriggerServer") && all.contains("fetch: http"));
    }

    @Test
    public void cidrAndAddressForms() {
        assertNull(MergerConfig.cidrProblem("10.0.0.0/8"));
        assertNull(MergerConfig.cidrProblem("192.168.1.7"));
        assertNull(MergerConfig.cidrProblem("::1/128"));
        assertNull(MergerConfig.cidrProblem("fd00::/8"));
        assertTrue(MergerConfig.cidrProblem("10.0.0/8") != null);
        assertTrue(MergerConfig.cidrProblem("10.0.0.0/x") != null);
        assertTrue(MergerConfig.cidrProblem("host.example.org/24") != null);
        assertTrue(MergerConfig.cidrProblem(" ") != null);
        assertNull(MergerConfig.addressProblem("0.0.0.0"));
        assertTrue(MergerConfig.addressProblem("1:::2") != null);
    }
}
