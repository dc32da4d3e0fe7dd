package dev.tollgate.lxd.jenkins;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.tollgate.cloud.AgentState;
import dev.tollgate.cloud.CloudEngine;
import dev.tollgate.cloud.jenkins.CloudRuntime;
import dev.tollgate.cloud.jenkins.TollgateAgent;
import dev.tollgate.cloud.port.LaunchSpec;
import dev.tollgate.lxd.LxdCloudConfig;
import dev.tollgate.lxd.LxdEndpoint;
import dev.tollgate.lxd.LxdOptions;
import hudson.model.FreeStyleBuild;
import hudson.model.FreeStyleProject;
import hudson.util.FormValidation;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jenkins.slaves.JnlpAgentReceiver;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.jvnet.hudson.test.JenkinsRule;

/**
 * The LXD cloud end to end through Jenkins' own provisioning, on the test driver: a build on the
 * template's label makes the plugin build the driver's configuration (the socket, the template's
 * image, profiles, config and devices), start an instance whose agent gets only its own connection
 * settings, run the build there, and the retention rules delete the instance after its one build.
 * Endings are driven by the engine's {@code tick()}, never waited for on a timer.
 */
public class LxdProvisioningTest {
    @Rule
    public JenkinsRule r = new JenkinsRule();
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Before
    public void localCloud() throws Exception {
        LxdClouds.localDriverAndAgents(r);
        r.jenkins.setNumExecutors(0); // nothing runs on the controller: the build needs the cloud
    }

    @After
    public void reset() {
        LxdClouds.reset();
    }

    @Test
    public void everyBuildRunsInAFreshInstanceThatEndsAfterIt() throws Exception {
        LxdCloud cloud = LxdClouds.babune(tmp.getRoot().getPath());
        r.jenkins.clouds.add(cloud);
        CloudRuntime.get().awaitRefreshed();
        CloudEngine engine = cloud.engine().orElseThrow();

        LxdCloudConfig config = LocalLxdDriver.CONFIGS.get(LocalLxdDriver.CONFIGS.size() - 1);
        assertEquals(new LxdEndpoint.Unix(Path.of("/var/lib/lxd/unix.socket")), config.endpoint());
        assertEquals("ci", config.project());
        LxdOptions o = config.template("debian-12").orElseThrow().options();
        assertEquals("debian-12-ci", o.image());
        assertEquals(List.of("default", "ci"), o.profiles());
        assertEquals(Map.of("limits.cpu", "2"), o.config());
        assertEquals(Map.of("type", "disk", "path", "/cache", "source", "/srv/ci-cache"), o.devices().get("cache"));
        assertTrue("ephemeral by default", o.ephemeral());
        assertEquals(1000, o.agentUser());

        FreeStyleProject p = r.createFreeStyleProject();
        p.setAssignedLabel(r.jenkins.getLabel("lxd"));
        FreeStyleBuild b = r.buildAndAssertSuccess(p);
        assertTrue("built on the cloud's agent", b.getBuiltOn() instanceof TollgateAgent);
        String agent = b.getBuiltOn().getNodeName();
        assertEquals("the template's name pattern, '/' as '-'", "lxd-debian-12-0", agent);
        assertEquals("the template's agent root", tmp.getRoot().getPath(), ((TollgateAgent) b.getBuiltOn()).getRemoteFS());
        assertEquals(1, LocalLxdDriver.CREATES.get());

        // babune's rule: the instance gets the agent's own connection settings and nothing else
        LaunchSpec launch = LocalLxdDriver.LAUNCHES.get(0);
        assertEquals(agent, launch.agentName());
        assertEquals(Set.of("JENKINS_URL", "JENKINS_SECRET", "JENKINS_AGENT_NAME"), launch.agentEnv().keySet());
        assertEquals(JnlpAgentReceiver.SLAVE_SECRET.mac(agent), launch.agentEnv().get("JENKINS_SECRET"));
        assertEquals(agent, launch.fingerprint().agentName());
        assertEquals("lxd", launch.fingerprint().cloud());

        r.waitUntilNoActivity(); // the executor reported the end of the build to the retention strategy
        assertFalse("one build per instance", engine.acceptsBuilds(agent));
        engine.tick();
        assertNull("agent removed", r.jenkins.getNode(agent));
        engine.tick();
        assertEquals(AgentState.TERMINATED, engine.record(agent).orElseThrow().state());
        assertTrue("the instance was deleted", LocalLxdDriver.running().isEmpty());

        FreeStyleBuild again = r.buildAndAssertSuccess(p);
        assertEquals("the next build gets a fresh instance", 2, LocalLxdDriver.CREATES.get());
        assertNotEquals(agent, again.getBuiltOn().getNodeName());
    }

    @Test
    public void aRemoteDaemonGetsTheCredentialsCertificateAndThePin() throws Exception {
        TestCertificate.install(tmp.getRoot().toPath());
        LxdCloud cloud = LxdClouds.babune(tmp.getRoot().getPath());
        cloud.setSocketPath(null);
        cloud.setUrl("https://lxd.example.org:8443");
        cloud.setCredentialsId(TestCertificate.ID);
        String pin = "ab".repeat(32);
        cloud.setServerCertificateFingerprint(pin);
        r.jenkins.clouds.add(cloud);
        CloudRuntime.get().awaitRefreshed();
        assertTrue("the engine runs", cloud.engine().isPresent());

        LxdEndpoint e = LocalLxdDriver.CONFIGS.get(LocalLxdDriver.CONFIGS.size() - 1).endpoint();
        assertTrue(e.toString(), e instanceof LxdEndpoint.Https);
        LxdEndpoint.Https https = (LxdEndpoint.Https) e;
        assertEquals("https://lxd.example.org:8443", https.url().toString());
        assertEquals(pin, https.serverCertSha256());
        assertTrue(https.clientCertPem().startsWith("-----BEGIN CERTIFICATE-----"));
        assertTrue(https.clientKeyPem().startsWith("-----BEGIN PRIVATE KEY-----"));
        assertFalse("the key is never shown", https.toString().contains("PRIVATE KEY"));
        assertEquals(List.of(), cloud.toRecord().problems());
    }

    @Test
    public void aCloudWithoutAWayToItsDaemonDoesNotStartAndTheFormSaysWhy() throws Exception {
        LxdCloud cloud = LxdClouds.babune(tmp.getRoot().getPath());
        cloud.setSocketPath(null);
        r.jenkins.clouds.add(cloud);
        CloudRuntime.get().awaitRefreshed();
        assertTrue("no engine for an invalid cloud", cloud.engine().isEmpty());
        assertEquals("socketPath: give socketPath (a local daemon) or url (a remote one)",
                cloud.toRecord().problems().get(0).toString());

        LxdCloud.DescriptorImpl d = r.jenkins.getDescriptorByType(LxdCloud.DescriptorImpl.class);
        assertEquals(FormValidation.Kind.ERROR, d.doCheckSocketPath("relative.sock", null).kind);
        assertEquals(FormValidation.Kind.OK, d.doCheckSocketPath("/var/lib/lxd/unix.socket", null).kind);
        assertEquals(FormValidation.Kind.ERROR, d.doCheckUrl("https://h:8443", "/var/lib/lxd/unix.socket", null, null).kind);
        assertEquals(FormValidation.Kind.ERROR, d.doCheckServerCertificateFingerprint("abcd", "https://h:8443").kind);
        assertEquals(FormValidation.Kind.OK, d.doCheckServerCertificateFingerprint("AB:".repeat(31) + "AB", "https://h:8443").kind);
        assertEquals(FormValidation.Kind.ERROR, d.doCheckCredentialsId("", "https://h:8443").kind);
        assertEquals(FormValidation.Kind.ERROR, d.doCheckCredentialsId("nope", "https://h:8443").kind);
        assertEquals(FormValidation.Kind.ERROR, d.doCheckCredentialsId("lxd-client", null).kind);
        assertEquals(FormValidation.Kind.ERROR, d.doCheckProject("bad project").kind);
        assertEquals(FormValidation.Kind.ERROR, d.doCheckRequestsPerSecond("fast").kind);

        LxdTemplate.DescriptorImpl t = r.jenkins.getDescriptorByType(LxdTemplate.DescriptorImpl.class);
        assertEquals(FormValidation.Kind.ERROR, t.doCheckImage("").kind);
        assertEquals(FormValidation.Kind.ERROR, t.doCheckType("pod").kind);
        assertEquals(FormValidation.Kind.ERROR, t.doCheckProfiles("no/slash").kind);
        assertEquals(FormValidation.Kind.ERROR, t.doCheckAgentCommand("", "").kind);
        assertEquals(FormValidation.Kind.ERROR, t.doCheckCloudInitUserData("#cloud-config", "/bin/agent").kind);
        assertEquals("cloud-init works, with a warning about where the secret ends up", FormValidation.Kind.WARNING,
                t.doCheckCloudInitUserData("#cloud-config", "").kind);
        assertEquals(FormValidation.Kind.OK, t.doCheckAgentCommand("/bin/sh\n-c\nexec java -jar /tmp/agent.jar", "").kind);
        assertEquals(FormValidation.Kind.ERROR, t.doCheckNamePattern("lxd/{os}", "t", "lxd").kind);
        assertEquals(FormValidation.Kind.ERROR, t.doCheckRemoteFs("relative").kind);
        assertEquals(FormValidation.Kind.OK, t.doCheckBuildWaitTimeoutSeconds("0").kind);
        assertEquals(FormValidation.Kind.ERROR, r.jenkins.getDescriptorByType(LxdConfigEntry.DescriptorImpl.class)
                .doCheckKey("environment.TOKEN").kind);
        assertEquals(FormValidation.Kind.ERROR, r.jenkins.getDescriptorByType(LxdDevice.DescriptorImpl.class)
                .doCheckType("").kind);
        assertEquals(FormValidation.Kind.ERROR, r.jenkins.getDescriptorByType(LxdImageRemote.DescriptorImpl.class)
                .doCheckProtocol("oci").kind);
    }

    @Test
    public void theFormKeepsEveryValue() throws Exception {
        LxdCloud cloud = LxdClouds.babune(tmp.getRoot().getPath());
        cloud.setImageRemotes(List.of(new LxdImageRemote("images", "https://images.linuxcontainers.org")));
        cloud.setInstanceCap(8);
        r.jenkins.clouds.add(cloud);
        r.jenkins.save();
        JenkinsRule.WebClient wc = r.createWebClient();
        r.submit(wc.goTo(cloud.getUrl() + "configure").getFormByName("config"));
        LxdCloud saved = r.jenkins.clouds.getAll(LxdCloud.class).get(0);
        assertEquals(cloud.toRecord(), saved.toRecord());
    }
}
