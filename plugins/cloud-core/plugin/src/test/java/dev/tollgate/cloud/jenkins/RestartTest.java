package dev.tollgate.cloud.jenkins;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import dev.tollgate.cloud.AgentRecord;
import dev.tollgate.cloud.CloudEngine;
import dev.tollgate.cloud.ReaperReport;
import hudson.model.FreeStyleProject;
import hudson.model.Node;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.Rule;
import org.junit.Test;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.JenkinsSessionRule;

/**
 * A restart of Jenkins with agents alive: the agent, its record and its instance are all still there
 * afterwards (none lost), the reaper finds nothing to end and nothing is created twice (none leaked),
 * and the agent takes the next build.
 */
public class RestartTest {
    @Rule
    public JenkinsSessionRule sessions = new JenkinsSessionRule();

    private static void localAgents(JenkinsRule r) {
        LocalCloud.launchers = () -> {
            try {
                return r.createComputerLauncher(null);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    @Test
    public void agentsAliveAtRestartAreKeptAndNothingLeaks() throws Throwable {
        AtomicReference<String> agent = new AtomicReference<>();
        LocalDriver.reset();
        sessions.then(r -> {
            localAgents(r);
            r.jenkins.setNumExecutors(0);
            r.jenkins.clouds.add(new LocalCloud("kept", "local", 3600, 0));
            r.jenkins.save();
            CloudRuntime.get().awaitRefreshed();
            FreeStyleProject p = r.createFreeStyleProject("job");
            p.setAssignedLabel(r.jenkins.getLabel("local"));
            agent.set(r.buildAndAssertSuccess(p).getBuiltOn().getNodeName());
            r.waitUntilNoActivity();
            assertEquals(1, LocalDriver.running().size());
        });
        sessions.then(r -> {
            localAgents(r);
            CloudRuntime.get().awaitRefreshed();
            Node node = r.jenkins.getNode(agent.get());
            assertNotNull("agent kept across the restart", node);
            CloudEngine engine = CloudRuntime.get().engine("kept").orElseThrow();
            AgentRecord rec = engine.record(agent.get()).orElseThrow();
            assertTrue("record live: " + rec, rec.state().isLive());

            ReaperReport report = engine.reap();
            assertEquals("nothing stray: " + report, 0, report.strays());
            assertEquals("no ghost agents: " + report, 0, report.ghostAgents());
            assertEquals("instance still running", 1, LocalDriver.running().size());

            r.waitOnline((hudson.model.Slave) node);
            FreeStyleProject p = r.jenkins.getItemByFullName("job", FreeStyleProject.class);
            assertEquals("the kept agent takes the next build", agent.get(), r.buildAndAssertSuccess(p).getBuiltOn().getNodeName());
            assertEquals("no second instance", 1, LocalDriver.CREATES.get());
            assertEquals(0, LocalDriver.TERMINATES.get());
        });
    }
}
