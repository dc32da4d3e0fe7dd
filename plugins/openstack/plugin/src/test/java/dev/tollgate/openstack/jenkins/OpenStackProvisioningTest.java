package dev.tollgate.openstack.jenkins;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.tollgate.cloud.AgentState;
import dev.tollgate.cloud.CloudEngine;
import dev.tollgate.cloud.ProvisionResult;
import dev.tollgate.cloud.jenkins.CloudRuntime;
import dev.tollgate.cloud.jenkins.TollgateAgent;
import dev.tollgate.cloud.port.LaunchSpec;
import dev.tollgate.openstack.ImageSelector;
import dev.tollgate.openstack.OpenStackCloudConfig;
import dev.tollgate.openstack.OpenStackCredentials;
import dev.tollgate.openstack.OpenStackOptions;
import hudson.model.FreeStyleBuild;
import hudson.model.FreeStyleProject;
import hudson.util.FormValidation;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import jenkins.slaves.JnlpAgentReceiver;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.LoggerRule;

/**
 * The OpenStack cloud end to end through Jenkins' own provisioning, on the test driver: a build on the
 * template's label makes the plugin sign in with the credential's user and password, build the
 * driver's configuration (the image rule, networks, floating IP pool, metadata, user data), boot a
 * server whose user data gets the agent's own connection settings, run the build there, and the
 * retention rules delete the server after its one build. At most {@code maxConcurrentBoots} agents
 * start at once. Endings are driven by the engine's {@code tick()}, never waited for on a timer.
 */
public class OpenStackProvisioningTest {
    @Rule
    public JenkinsRule r = new JenkinsRule();
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();
    @Rule
    public LoggerRule logs = new LoggerRule().record(CloudRuntime.class, Level.WARNING).capture(100);

    @Before
    public void localCloud() throws Exception {
        OpenStackClouds.localDriverAndAgents(r);
        r.jenkins.setNumExecutors(0); // nothing runs on the controller: the build needs the cloud
    }

    @After
    public void reset() {
        OpenStackClouds.reset();
    }

    @Test
    public void everyBuildRunsOnAFreshServerThatEndsAfterIt() throws Exception {
        OpenStackCloud cloud = OpenStackClouds.ci(tmp.getRoot().getPath());
        r.jenkins.clouds.add(cloud);
        CloudRuntime.get().awaitRefreshed();
        CloudEngine engine = cloud.engine().orElseThrow();

        OpenStackCloudConfig config = LocalOpenStackDriver.CONFIGS.get(LocalOpenStackDriver.CONFIGS.size() - 1);
        assertEquals(URI.create("https://keystone.example.org:5000/v3"), config.authUrl());
        assertEquals(new OpenStackCredentials.Password("ci-user", OpenStackClouds.PASSWORD, "Default", "ci", "Default"),
                config.credentials());
        assertFalse("the password is never shown", config.toString().contains(OpenStackClouds.PASSWORD));
        assertEquals("RegionOne", config.region());
        OpenStackOptions o = config.template("debian-12").orElseThrow().options();
        assertEquals("m1.large", o.flavor());
        assertEquals(ImageSelector.rule("^debian-12-", Map.of("tollgate_role", "agent"), ImageSelector.Order.NEWEST), o.image());
        assertEquals(List.of("ci-agents"), o.networks());
        assertEquals("public", o.floatingIpPool());
        assertEquals(Map.of("purpose", "ci-agent"), o.metadata());

        FreeStyleProject p = r.createFreeStyleProject();
        p.setAssignedLabel(r.jenkins.getLabel("openstack"));
        FreeStyleBuild b = r.buildAndAssertSuccess(p);
        assertTrue("built on the cloud's agent", b.getBuiltOn() instanceof TollgateAgent);
        String agent = b.getBuiltOn().getNodeName();
        assertEquals("the template's name pattern, '/' as '-'", "os-debian-12-0", agent);
        assertEquals("the template's agent root", tmp.getRoot().getPath(), ((TollgateAgent) b.getBuiltOn()).getRemoteFS());
        assertEquals(1, LocalOpenStackDriver.CREATES.get());

        // the server's user data is filled from the agent's own connection settings and nothing else
        LaunchSpec launch = LocalOpenStackDriver.LAUNCHES.get(0);
        assertEquals(agent, launch.agentName());
        assertEquals(Set.of("JENKINS_URL", "JENKINS_SECRET", "JENKINS_AGENT_NAME"), launch.agentEnv().keySet());
        assertEquals(JnlpAgentReceiver.SLAVE_SECRET.mac(agent), launch.agentEnv().get("JENKINS_SECRET"));
        assertEquals("openstack", launch.fingerprint().cloud());

        r.waitUntilNoActivity(); // the executor reported the end of the build to the retention strategy
        assertFalse("one build per server", engine.acceptsBuilds(agent));
        engine.tick();
        assertNull("agent removed", r.jenkins.getNode(agent));
        engine.tick();
        assertEquals(AgentState.TERMINATED, engine.record(agent).orElseThrow().state());
        assertTrue("the server was deleted", LocalOpenStackDriver.live().isEmpty());

        FreeStyleBuild again = r.buildAndAssertSuccess(p);
        assertEquals("the next build gets a fresh server", 2, LocalOpenStackDriver.CREATES.get());
        assertNotEquals(agent, again.getBuiltOn().getNodeName());
    }

    @Test
    public void noMoreThanMaxConcurrentBootsStartAtOnce() throws Exception {
        OpenStackCloud cloud = OpenStackClouds.ci(tmp.getRoot().getPath());
        OpenStackClouds.reset(); // agents that never connect: every start stays a boot in progress
        OpenStackCloud.driversForTests = LocalOpenStackDriver::new;
        r.jenkins.clouds.add(cloud);
        CloudRuntime.get().awaitRefreshed();
        CloudEngine engine = cloud.engine().orElseThrow();
        assertEquals(2, engine.settings().maxStarting());

        ProvisionResult burst = engine.provision("openstack", 5);
        assertEquals(2, burst.started());
        assertEquals("the rest waits for a boot to end", 3, burst.deferred());
        assertEquals(0, engine.provision("openstack", 3).started());
        assertEquals(2, LocalOpenStackDriver.CREATES.get());
    }

    @Test
    public void anApplicationCredentialIsTheCredentialsIdAndSecret() throws Exception {
        OpenStackCloud cloud = OpenStackClouds.ci(tmp.getRoot().getPath());
        cloud.setAuthentication("applicationCredential");
        cloud.setProject(null);
        r.jenkins.clouds.add(cloud);
        CloudRuntime.get().awaitRefreshed();
        assertTrue("the engine runs", cloud.engine().isPresent());
        assertEquals(new OpenStackCredentials.ApplicationCredential("ci-user", OpenStackClouds.PASSWORD),
                LocalOpenStackDriver.CONFIGS.get(LocalOpenStackDriver.CONFIGS.size() - 1).credentials());
    }

    @Test
    public void anInvalidCloudDoesNotStartAndTheFormSaysWhy() throws Exception {
        OpenStackCloud cloud = OpenStackClouds.ci(tmp.getRoot().getPath());
        cloud.setProject(null);
        r.jenkins.clouds.add(cloud);
        CloudRuntime.get().awaitRefreshed();
        assertTrue("no engine for an invalid cloud", cloud.engine().isEmpty());
        assertEquals("project: a password needs the project the servers are made in",
                cloud.toRecord().problems().get(0).toString());

        OpenStackCloud unknownCredentials = new OpenStackCloud("other", "https://keystone.example.org:5000/v3", "nope",
                cloud.getTemplates());
        unknownCredentials.setProject("ci");
        r.jenkins.clouds.add(unknownCredentials);
        CloudRuntime.get().awaitRefreshed();
        CloudRuntime.get().awaitRefreshed();
        CloudRuntime.get().awaitRefreshed();
        assertTrue("no engine without its credentials", unknownCredentials.engine().isEmpty());
        List<String> startFailures = logs.getMessages().stream().filter(m -> m.contains("other did not start")).toList();
        assertEquals("tried at every refresh, logged once: " + startFailures, 1, startFailures.size());
        assertTrue(startFailures.get(0), startFailures.get(0).contains("no username-and-password credentials with id 'nope'"));

        OpenStackCloud.DescriptorImpl d = r.jenkins.getDescriptorByType(OpenStackCloud.DescriptorImpl.class);
        assertEquals(FormValidation.Kind.ERROR, d.doCheckAuthUrl("https://keystone.example.org:5000/v2.0").kind);
        assertEquals(FormValidation.Kind.OK, d.doCheckAuthUrl("https://keystone.example.org:5000/v3").kind);
        assertEquals(FormValidation.Kind.ERROR, d.doCheckCredentialsId("").kind);
        assertEquals(FormValidation.Kind.ERROR, d.doCheckCredentialsId("nope").kind);
        assertEquals(FormValidation.Kind.OK, d.doCheckCredentialsId(OpenStackClouds.CREDENTIALS).kind);
        assertEquals(FormValidation.Kind.ERROR, d.doCheckProject("", "password").kind);
        assertEquals(FormValidation.Kind.ERROR, d.doCheckProject("ci", "applicationCredential").kind);
        assertEquals(FormValidation.Kind.OK, d.doCheckProject("", "applicationCredential").kind);
        assertEquals(FormValidation.Kind.ERROR, d.doCheckMaxConcurrentBoots("0").kind);
        assertEquals(FormValidation.Kind.ERROR, d.doCheckLookupCacheSeconds("-1").kind);
        assertEquals(FormValidation.Kind.ERROR, d.doCheckRequestsPerSecond("fast").kind);

        OpenStackTemplate.DescriptorImpl t = r.jenkins.getDescriptorByType(OpenStackTemplate.DescriptorImpl.class);
        assertEquals(FormValidation.Kind.ERROR, t.doCheckFlavor("").kind);
        assertEquals(FormValidation.Kind.ERROR, t.doCheckFloatingIpPool("public", "").kind);
        assertEquals(FormValidation.Kind.OK, t.doCheckFloatingIpPool("public", "ci-agents").kind);
        assertEquals(FormValidation.Kind.ERROR, t.doCheckBootVolumeSizeGb("0").kind);
        assertEquals(FormValidation.Kind.WARNING, t.doCheckUserData("").kind);
        assertEquals(FormValidation.Kind.ERROR, t.doCheckNamePattern("os/{os}", "t", "openstack").kind);
        assertEquals(FormValidation.Kind.ERROR, t.doCheckRemoteFs("relative").kind);
        OpenStackImage.DescriptorImpl i = r.jenkins.getDescriptorByType(OpenStackImage.DescriptorImpl.class);
        assertEquals(FormValidation.Kind.ERROR, i.doCheckId("not-a-uuid").kind);
        assertEquals(FormValidation.Kind.OK, i.doCheckId("").kind);
        assertEquals(FormValidation.Kind.ERROR, i.doCheckNameRegex("(").kind);
        assertEquals(FormValidation.Kind.ERROR, r.jenkins.getDescriptorByType(OpenStackProperty.DescriptorImpl.class)
                .doCheckKey("tollgate:agent").kind);
    }

    @Test
    public void theFormKeepsEveryValue() throws Exception {
        OpenStackCloud cloud = OpenStackClouds.ci(tmp.getRoot().getPath());
        cloud.setInstanceCap(20);
        cloud.getTemplates().get(0).setBootVolumeSizeGb(40);
        cloud.getTemplates().get(0).setConfigDrive(true);
        r.jenkins.clouds.add(cloud);
        r.jenkins.save();
        JenkinsRule.WebClient wc = r.createWebClient();
        r.submit(wc.goTo(cloud.getUrl() + "configure").getFormByName("config"));
        OpenStackCloud saved = r.jenkins.clouds.getAll(OpenStackCloud.class).get(0);
        assertEquals(cloud.toRecord(), saved.toRecord());
    }
}
