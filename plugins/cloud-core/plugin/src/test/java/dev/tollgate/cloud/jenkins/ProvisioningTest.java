package dev.tollgate.cloud.jenkins;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.tollgate.cloud.AgentRecord;
import dev.tollgate.cloud.AgentState;
import dev.tollgate.cloud.CloudEngine;
import dev.tollgate.recycle.jenkins.ReplaceableAgents;
import hudson.ExtensionList;
import hudson.model.FreeStyleBuild;
import hudson.model.FreeStyleProject;
import hudson.model.Node;
import java.io.File;
import java.util.concurrent.CompletableFuture;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.jvnet.hudson.test.JenkinsRule;

/**
 * End to end through Jenkins' own provisioning: a build on the template's label makes the cloud plan
 * an agent, the test driver "creates" it, Jenkins launches it locally, the build runs there, and the
 * retention rules end it. The engine's clock is real here, so the endings are driven by calling the
 * engine's {@code tick()} once the executors are idle, never by waiting for a timer.
 */
public class ProvisioningTest {
    @Rule
    public JenkinsRule r = new JenkinsRule();

    @Before
    public void localAgents() throws Exception {
        LocalDriver.reset();
        LocalCloud.launchers = () -> {
            try {
                return r.createComputerLauncher(null);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        r.jenkins.setNumExecutors(0); // nothing runs on the controller: the build needs the cloud
    }

    @Test
    public void oneShotAgentIsProvisionedRunsItsBuildAndEnds() throws Exception {
        LocalCloud cloud = new LocalCloud("local cloud/one-shot", "local", 0, 0);
        r.jenkins.clouds.add(cloud);
        CloudRuntime.get().awaitRefreshed();
        CloudEngine engine = cloud.engine().orElseThrow();
        assertEquals("'/' and spaces map to '-'", "local-cloud-one-shot", cloud.engineName());

        FreeStyleProject p = r.createFreeStyleProject();
        p.setAssignedLabel(r.jenkins.getLabel("local"));
        FreeStyleBuild b = r.buildAndAssertSuccess(p);
        Node ranOn = b.getBuiltOn();
        assertTrue("built on a cloud agent, was " + ranOn, ranOn instanceof TollgateAgent);
        String agent = ranOn.getNodeName();
        assertEquals(1, LocalDriver.CREATES.get());
        r.waitUntilNoActivity(); // the executor reported the end of the build to the retention strategy

        assertFalse("one build per instance", engine.acceptsBuilds(agent));
        engine.tick();
        assertNull("agent removed", r.jenkins.getNode(agent));
        AgentRecord rec = engine.record(agent).orElseThrow();
        assertEquals(AgentState.TERMINATED, rec.state());
        assertTrue("instance ended", LocalDriver.running().isEmpty());
        assertTrue("the lifecycle file was written", new File(r.jenkins.getRootDir(), "tollgate-cloud-local-cloud-one-shot.xml").exists());
    }

    @Test
    public void cloudNamesMapSlashesToDashesAndAreChecked() {
        assertEquals("eu-linux-small", AgentNames.nodeSafe("eu/linux/small"));
        assertNull(AgentNames.problem("eu/linux/small"));
        assertTrue(AgentNames.problem("bad?name") != null);
        assertTrue("the engine's length rule", AgentNames.problem("x".repeat(41)) != null);
        assertEquals("a name is required", AgentNames.problem(" "));
    }

    @Test
    public void theNamePatternFormCheckShowsTheNamesOrTheEnginesProblems() {
        hudson.util.FormValidation ok = AgentNames.checkNamePattern("aws", "zfs-head", "{cloud}/fedora-20/{template}/{n}");
        assertEquals(hudson.util.FormValidation.Kind.OK, ok.kind);
        assertTrue(ok.getMessage(), ok.getMessage().contains("aws-fedora-20-zfs-head-0, aws-fedora-20-zfs-head-1"));
        hudson.util.FormValidation bad = AgentNames.checkNamePattern("aws", "t", "aws/{os}");
        assertEquals(hudson.util.FormValidation.Kind.ERROR, bad.kind);
        assertTrue(bad.getMessage(), bad.getMessage().contains("unknown placeholder {os}"));
    }

    @Test
    public void maxUsesEndsTheAgentAfterItsLastBuild() throws Exception {
        LocalCloud cloud = new LocalCloud("reused", "local", 600, 2);
        r.jenkins.clouds.add(cloud);
        CloudRuntime.get().awaitRefreshed();
        CloudEngine engine = cloud.engine().orElseThrow();
        FreeStyleProject p = r.createFreeStyleProject();
        p.setAssignedLabel(r.jenkins.getLabel("local"));

        String first = r.buildAndAssertSuccess(p).getBuiltOn().getNodeName();
        r.waitUntilNoActivity();
        engine.tick();
        assertTrue("kept for its second use", engine.acceptsBuilds(first));
        String second = r.buildAndAssertSuccess(p).getBuiltOn().getNodeName();
        assertEquals("the same agent ran both builds", first, second);
        r.waitUntilNoActivity();
        engine.tick();
        assertNull("ended after maxUses", r.jenkins.getNode(first));
        assertEquals(1, LocalDriver.CREATES.get());
        assertTrue(LocalDriver.running().isEmpty());
    }

    @Test
    public void nodeRecycleReplacesACloudAgent() throws Exception {
        LocalCloud cloud = new LocalCloud("recycled", "local", 600, 0);
        r.jenkins.clouds.add(cloud);
        CloudRuntime.get().awaitRefreshed();
        CloudEngine engine = cloud.engine().orElseThrow();
        FreeStyleProject p = r.createFreeStyleProject();
        p.setAssignedLabel(r.jenkins.getLabel("local"));
        String first = r.buildAndAssertSuccess(p).getBuiltOn().getNodeName();
        r.waitUntilNoActivity();

        ReplaceableAgents clouds = ExtensionList.lookupSingleton(CloudAgentReplacement.class);
        assertTrue(clouds.owns(first));
        assertFalse("the built-in node is no cloud agent", clouds.owns(""));
        CompletableFuture<Void> replaced = clouds.replace(first).toCompletableFuture();
        engine.tick();
        replaced.get(); // completes once the record has ended; fails the test if it could not
        assertNull(r.jenkins.getNode(first));

        String second = r.buildAndAssertSuccess(p).getBuiltOn().getNodeName();
        assertNotEquals("the planner started another agent", first, second);
        assertEquals(2, LocalDriver.CREATES.get());
        assertEquals(1, LocalDriver.running().size());
    }

    @Test
    public void cloudPageListsTheAgents() throws Exception {
        LocalCloud cloud = new LocalCloud("paged", "local", 600, 0);
        r.jenkins.clouds.add(cloud);
        CloudRuntime.get().awaitRefreshed();
        FreeStyleProject p = r.createFreeStyleProject();
        p.setAssignedLabel(r.jenkins.getLabel("local"));
        String agent = r.buildAndAssertSuccess(p).getBuiltOn().getNodeName();

        String page = r.createWebClient().goTo("cloud/paged/").asNormalizedText();
        assertTrue(page, page.contains(agent));
        assertTrue(page, page.contains("local-1"));
        assertTrue(page, page.contains("Reaper"));
    }
}
