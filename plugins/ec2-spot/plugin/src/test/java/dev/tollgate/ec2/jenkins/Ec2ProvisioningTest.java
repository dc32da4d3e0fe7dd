package dev.tollgate.ec2.jenkins;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.tollgate.cloud.AgentRecord;
import dev.tollgate.cloud.AgentState;
import dev.tollgate.cloud.CloudEngine;
import dev.tollgate.cloud.jenkins.CloudInterruption;
import dev.tollgate.cloud.jenkins.CloudRuntime;
import dev.tollgate.cloud.jenkins.TollgateAgent;
import dev.tollgate.cloud.jenkins.TollgateCloud;
import dev.tollgate.ec2.LocalEc2;
import hudson.Launcher;
import hudson.model.AbstractBuild;
import hudson.model.BuildListener;
import hudson.model.Computer;
import hudson.model.FreeStyleBuild;
import hudson.model.FreeStyleProject;
import hudson.model.Result;
import hudson.util.OneShotEvent;
import java.time.Instant;
import java.util.concurrent.Future;
import jenkins.model.InterruptedBuildAction;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.TestBuilder;

/**
 * The EC2 cloud end to end through Jenkins' own provisioning, against the engine's local EC2 Query
 * API server through the real SDK: a build on the template's label starts an instance (RunInstances
 * with the fingerprint), its agent (launched locally) runs the build, and the retention rules end it
 * (TerminateInstances). A spot notice read on the agent takes it offline with a cause that says so,
 * aborts its build and queues it again. Endings are driven by the engine's {@code tick()} and the
 * notice watch is run by the test, never waited for on a timer.
 */
public class Ec2ProvisioningTest {
    @Rule
    public JenkinsRule r = new JenkinsRule();

    private LocalEc2 ec2;

    @Before
    public void localCloud() throws Exception {
        ec2 = Ec2Clouds.localEc2();
        Ec2Clouds.localAgents(r);
        TestAwsCredentials.install();
        r.jenkins.setNumExecutors(0); // nothing runs on the controller: the build needs the cloud
    }

    @After
    public void stop() {
        SpotNoticeWatch.metadata = dev.tollgate.ec2.SpotNoticeReader.INSTANCE_METADATA;
        TollgateCloud.launchersForTests = null;
        ec2.close();
    }

    @Test
    public void aBuildOnTheLabelStartsAnInstanceRunsThereAndTheInstanceEnds() throws Exception {
        Ec2SpotCloud cloud = Ec2Clouds.cloud(ec2, 0); // one build per instance
        r.jenkins.clouds.add(cloud);
        CloudRuntime.get().awaitRefreshed();
        CloudEngine engine = cloud.engine().orElseThrow();

        FreeStyleProject p = r.createFreeStyleProject();
        p.setAssignedLabel(r.jenkins.getLabel("aws"));
        FreeStyleBuild b = r.buildAndAssertSuccess(p);
        assertTrue("built on the cloud's agent", b.getBuiltOn() instanceof TollgateAgent);
        String agent = b.getBuiltOn().getNodeName();
        assertEquals("the template's name pattern, '/' as '-'", "aws-fedora-20-0", agent);
        assertEquals(1, ec2.calls("RunInstances"));
        String instance = engine.record(agent).orElseThrow().instanceId();
        assertEquals("the instance carries the agent in its fingerprint", agent, ec2.agentOf(instance));
        assertTrue("the cost column knows the spot price", cloud.getAgentRows().get(0).getCost().endsWith("/h)"));

        r.waitUntilNoActivity();
        engine.tick(); // buildWaitTimeout 0: ended after its one build
        assertNull("agent removed", r.jenkins.getNode(agent));
        engine.tick();
        AgentRecord rec = engine.record(agent).orElseThrow();
        assertEquals(AgentState.TERMINATED, rec.state());
        assertTrue(ec2.calls("TerminateInstances") >= 1);
    }

    /** Blocks the build until the test lets it go; the second build (the rescheduled one) passes at once. */
    private static final class Held extends TestBuilder {
        final OneShotEvent started = new OneShotEvent();
        final OneShotEvent release = new OneShotEvent();

        @Override
        public boolean perform(AbstractBuild<?, ?> build, Launcher launcher, BuildListener listener)
                throws InterruptedException {
            if (build.getNumber() == 1) {
                started.signal();
                release.block();
            }
            return true;
        }
    }

    @Test
    public void aSpotNoticeReadOnTheAgentTakesItOfflineAndPutsItsBuildBackInTheQueue() throws Exception {
        SpotNoticeWatch.metadata = ec2.metadata();
        Ec2SpotCloud cloud = Ec2Clouds.cloud(ec2, 600);
        r.jenkins.clouds.add(cloud);
        CloudRuntime.get().awaitRefreshed();

        FreeStyleProject p = r.createFreeStyleProject();
        p.setAssignedLabel(r.jenkins.getLabel("aws"));
        Held held = new Held();
        p.getBuildersList().add(held);
        FreeStyleBuild first = p.scheduleBuild2(0).waitForStart();
        held.started.block();
        String agent = first.getBuiltOn().getNodeName();

        // no notice yet: the agent reports that it watches, and stays online
        for (Future<?> f : SpotNoticeWatch.get().watch(cloud)) {
            f.get();
        }
        Computer c = r.jenkins.getNode(agent).toComputer();
        assertFalse("still online", c.isOffline());

        ec2.noticeTerminateAt(Instant.now().plusSeconds(120));
        for (Future<?> f : SpotNoticeWatch.get().watch(cloud)) {
            f.get();
        }
        assertTrue("offline at once", c.isOffline());
        String cause = String.valueOf(r.jenkins.getNode(agent).getTemporaryOfflineCause());
        assertTrue(cause, cause.contains("spot interruption notice"));

        r.assertBuildStatus(Result.ABORTED, r.waitForCompletion(first));
        InterruptedBuildAction why = first.getAction(InterruptedBuildAction.class);
        assertTrue("aborted by the cloud's cause", why != null && why.getCauses().stream().anyMatch(CloudInterruption.class::isInstance));
        held.release.signal();
        r.waitUntilNoActivity();
        FreeStyleBuild again = p.getBuildByNumber(2);
        assertTrue("the build went back to the queue and ran", again != null && again.getResult() == Result.SUCCESS);
        assertNotEquals("on another agent", agent, again.getBuiltOn().getNodeName());
    }
}
