package dev.tollgate.ec2.jenkins;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import dev.tollgate.cloud.AgentRecord;
import dev.tollgate.cloud.CloudEngine;
import dev.tollgate.cloud.ReaperReport;
import dev.tollgate.cloud.jenkins.CloudRuntime;
import dev.tollgate.cloud.jenkins.TollgateCloud;
import dev.tollgate.ec2.LocalEc2;
import hudson.model.FreeStyleProject;
import hudson.model.Node;
import hudson.model.Slave;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.jvnet.hudson.test.JenkinsSessionRule;

/**
 * A restart of Jenkins with an EC2 agent alive: its node, its record and its instance on the local EC2
 * server are all there afterwards (none lost); the reaper finds nothing stray and no ghost, no second
 * instance is started and none is terminated (none leaked); the agent takes the next build. The EC2
 * server outlives the restart, as EC2 outlives a controller.
 */
public class RestartTest {
    @Rule
    public JenkinsSessionRule sessions = new JenkinsSessionRule();

    private static LocalEc2 ec2;

    @BeforeClass
    public static void startEc2() throws Exception {
        ec2 = Ec2Clouds.localEc2();
    }

    @AfterClass
    public static void stopEc2() {
        TollgateCloud.launchersForTests = null;
        ec2.close();
    }

    @Test
    public void anAgentAliveAtARestartIsKeptAndNothingLeaks() throws Throwable {
        AtomicReference<String> agent = new AtomicReference<>();
        sessions.then(r -> {
            Ec2Clouds.localAgents(r);
            TestAwsCredentials.install();
            r.jenkins.setNumExecutors(0);
            r.jenkins.clouds.add(Ec2Clouds.cloud(ec2, 3600));
            r.jenkins.save();
            CloudRuntime.get().awaitRefreshed();
            FreeStyleProject p = r.createFreeStyleProject("job");
            p.setAssignedLabel(r.jenkins.getLabel("aws"));
            agent.set(r.buildAndAssertSuccess(p).getBuiltOn().getNodeName());
            r.waitUntilNoActivity();
            assertEquals(1, ec2.liveInstances());
        });
        sessions.then(r -> {
            Ec2Clouds.localAgents(r);
            CloudRuntime.get().awaitRefreshed();
            Node node = r.jenkins.getNode(agent.get());
            assertNotNull("agent kept across the restart", node);
            CloudEngine engine = CloudRuntime.get().engine("aws").orElseThrow();
            AgentRecord rec = engine.record(agent.get()).orElseThrow();
            assertTrue("record live: " + rec, rec.state().isLive());

            ReaperReport report = engine.reap();
            assertEquals("nothing stray: " + report, 0, report.strays());
            assertEquals("no ghost agents: " + report, 0, report.ghostAgents());
            assertEquals("instance still running", 1, ec2.liveInstances());

            r.waitOnline((Slave) node);
            FreeStyleProject p = r.jenkins.getItemByFullName("job", FreeStyleProject.class);
            assertEquals("the kept agent takes the next build", agent.get(), r.buildAndAssertSuccess(p).getBuiltOn().getNodeName());
            assertEquals("no second instance", 1, ec2.calls("RunInstances"));
            assertEquals("none terminated", 0, ec2.calls("TerminateInstances"));
        });
    }
}
