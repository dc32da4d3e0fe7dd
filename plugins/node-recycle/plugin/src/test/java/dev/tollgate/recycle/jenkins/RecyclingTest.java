package dev.tollgate.recycle.jenkins;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.tollgate.recycle.RecycleEvent;
import dev.tollgate.recycle.RecycleEvent.Kind;
import dev.tollgate.recycle.RecycleState;
import dev.tollgate.recycle.jenkins.config.NodeRecycleConfiguration;
import dev.tollgate.recycle.jenkins.config.RecycleJobProperty;
import dev.tollgate.recycle.jenkins.config.RecycleRuleSpec;
import hudson.ExtensionList;
import hudson.model.Computer;
import hudson.model.FreeStyleBuild;
import hudson.model.FreeStyleProject;
import hudson.model.Label;
import hudson.model.Node;
import hudson.model.Queue;
import hudson.model.queue.CauseOfBlockage;
import hudson.model.queue.QueueTaskFuture;
import hudson.slaves.DumbSlave;
import hudson.slaves.OfflineCause;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.htmlunit.html.HtmlPage;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.TestExtension;

/**
 * The behaviour end to end in a real Jenkins with real agents (local agent processes): a build on
 * a labelled agent takes it offline before its executor is free, with a cause on its page; the
 * reboot command runs on the agent (a harmless one here); the agent is brought back once it has
 * disconnected and connected again (the test does what a reboot does to the connection). Each
 * step is awaited on the recycler's own events, never on time.
 */
public class RecyclingTest {
    private static final String LABEL = "recycle_me";

    @Rule
    public JenkinsRule r = new JenkinsRule();

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /** Every recycling event, in order, for the test to wait on. */
    @TestExtension
    public static final class Heard implements RecycleEventListener {
        final BlockingQueue<RecycleEvent> events = new LinkedBlockingQueue<>();

        @Override
        public void onEvent(RecycleEvent event) {
            events.add(event);
        }

        RecycleEvent next(Kind expected) throws InterruptedException {
            RecycleEvent e = events.poll(60, TimeUnit.SECONDS);
            assertNotNull("no recycling event within 60 s, expected " + expected, e);
            assertEquals(e.toString(), expected, e.kind());
            return e;
        }
    }

    private static Heard heard() {
        return ExtensionList.lookupSingleton(Heard.class);
    }

    private static RecycleRuleSpec rule(String label, String mode, String command) {
        RecycleRuleSpec rule = new RecycleRuleSpec(label, mode);
        rule.setRebootCommand(command);
        return rule;
    }

    private static void rules(RecycleRuleSpec... rules) {
        NodeRecycleConfiguration.get().setRules(List.of(rules));
    }

    private Node node(DumbSlave agent) {
        return r.jenkins.getNode(agent.getNodeName());
    }

    private FreeStyleProject job(String name, String label) throws IOException {
        FreeStyleProject p = r.createFreeStyleProject(name);
        p.setAssignedLabel(Label.get(label));
        return p;
    }

    /** What a reboot does to the agent's connection: it drops, then the agent connects again. */
    private static void rebootConnection(DumbSlave agent) throws Exception {
        Computer c = agent.toComputer();
        c.disconnect(new OfflineCause.ChannelTermination(new IOException("the machine rebooted (test)")))
                .get(60, TimeUnit.SECONDS);
        c.connect(false).get(60, TimeUnit.SECONDS);
    }

    @Test
    public void aBuildTakesItsAgentOfflineRebootsItAndBringsItBack() throws Exception {
        Path marker = tmp.getRoot().toPath().resolve("rebooted");
        rules(rule(LABEL, "REBOOT", "echo reboot requested > '" + marker + "'"));
        DumbSlave agent = r.createOnlineSlave(Label.get(LABEL));
        FreeStyleProject p = job("check-tempest", LABEL);

        FreeStyleBuild b = r.buildAndAssertSuccess(p);
        assertEquals(agent.getNodeName(), b.getBuiltOnStr());
        String cause = "Tollgate: rebooting after check-tempest #1 (SUCCESS) — back in up to 15 min";
        assertEquals(cause, heard().next(Kind.STARTED).message());
        assertTrue(agent.toComputer().isOffline());
        assertTrue(node(agent).getTemporaryOfflineCause() instanceof RecycleOfflineCause);
        assertEquals(cause, node(agent).getTemporaryOfflineCause().toString());
        HtmlPage page = r.createWebClient().getPage(agent);
        assertTrue(page.asNormalizedText(), page.asNormalizedText().contains(cause));

        heard().next(Kind.REBOOT_ACCEPTED);
        assertEquals("reboot requested", Files.readString(marker).strip());
        assertTrue("still offline until it has rebooted", agent.toComputer().isOffline());
        assertEquals(RecycleState.WAITING_DISCONNECT,
                RecycleRuntime.get().status(agent.getNodeName()).orElseThrow().state());

        rebootConnection(agent);
        heard().next(Kind.BACK_ONLINE);
        assertNull(node(agent).getTemporaryOfflineCause());
        assertTrue(agent.toComputer().isOnline());
        r.buildAndAssertSuccess(p); // and it takes builds again
        assertEquals(Kind.STARTED, heard().next(Kind.STARTED).kind());
    }

    @Test
    public void aFailingRebootCommandLeavesTheAgentOfflineAndItsPageSaysWhy() throws Exception {
        rules(rule(LABEL, "REBOOT", "echo '<b>sudo: a password is required</b>'; exit 3"));
        DumbSlave agent = r.createOnlineSlave(Label.get(LABEL));
        r.buildAndAssertSuccess(job("check-tempest", LABEL));
        heard().next(Kind.STARTED);
        String expected = "Tollgate: reboot command `echo '<b>sudo: a password is required</b>'; exit 3` failed with exit "
                + "code 3: <b>sudo: a password is required</b>; left offline. Last build: check-tempest #1 (SUCCESS)";
        assertEquals(expected, heard().next(Kind.REBOOT_COMMAND_FAILED).message());
        assertEquals(expected, node(agent).getTemporaryOfflineCause().toString());
        assertTrue(agent.toComputer().isOffline());
        // the agent's output is shown as text, never as markup
        HtmlPage page = r.createWebClient().getPage(agent);
        assertTrue(page.asNormalizedText(), page.asNormalizedText().contains("<b>sudo: a password is required</b>"));
    }

    @Test
    public void offlineModeLeavesTheAgentForAPerson() throws Exception {
        rules(rule(LABEL, "OFFLINE", null));
        DumbSlave agent = r.createOnlineSlave(Label.get(LABEL));
        r.buildAndAssertSuccess(job("check-tempest", LABEL));
        assertEquals("Tollgate: taken offline after check-tempest #1 (SUCCESS) by the recycling rule; check the machine, "
                + "then bring it back online", heard().next(Kind.LEFT_OFFLINE).message());
        assertTrue(agent.toComputer().isOffline());
        assertTrue("still connected: nothing was run on it", agent.toComputer().isConnected());
    }

    @Test
    public void aJobsOwnOptionReplacesTheRule() throws Exception {
        rules(rule(LABEL, "REBOOT", "true"));
        DumbSlave devstack = r.createOnlineSlave(Label.get(LABEL));
        FreeStyleProject cheap = job("cheap-lint", LABEL);
        cheap.addProperty(new RecycleJobProperty("NONE"));
        r.buildAndAssertSuccess(cheap);
        r.waitUntilNoActivity(); // the hook ran before the executor was released
        assertTrue(devstack.toComputer().isOnline());
        assertTrue(RecycleRuntime.get().status(devstack.getNodeName()).isEmpty());

        DumbSlave docs = r.createOnlineSlave(Label.get("docs")); // no rule for its label
        FreeStyleProject dirty = job("dirty-docs", "docs");
        RecycleJobProperty offline = new RecycleJobProperty("OFFLINE");
        offline.setResults(List.of("SUCCESS"));
        dirty.addProperty(offline);
        r.buildAndAssertSuccess(dirty);
        assertTrue(heard().next(Kind.LEFT_OFFLINE).message().contains("dirty-docs #1 (SUCCESS)"));
        assertTrue(docs.toComputer().isOffline());
    }

    @Test
    public void noBuildStartsOnAnAgentWhoseRecycleIsRunning() throws Exception {
        rules(rule(LABEL, "REBOOT", "true"));
        DumbSlave agent = r.createOnlineSlave(Label.get(LABEL));
        FreeStyleProject p = job("check-tempest", LABEL);
        r.buildAndAssertSuccess(p);
        heard().next(Kind.STARTED);
        heard().next(Kind.REBOOT_ACCEPTED);

        // a person brings it back online by hand before it has rebooted
        agent.toComputer().setTemporaryOfflineCause(null);
        assertTrue(agent.toComputer().isOnline());
        QueueTaskFuture<FreeStyleBuild> second = p.scheduleBuild2(0);
        r.jenkins.getQueue().scheduleMaintenance().get(60, TimeUnit.SECONDS);
        assertFalse("the build started on an agent about to reboot", second.getStartCondition().isDone());
        Queue.Item item = r.jenkins.getQueue().getItem(p);
        assertTrue(String.valueOf(item), item instanceof Queue.BuildableItem);
        CauseOfBlockage why = new RecyclingBlocksDispatch().canTake(node(agent), (Queue.BuildableItem) item);
        assertNotNull(why);
        assertEquals(agent.getNodeName() + " is being recycled after check-tempest #1 (SUCCESS)", why.getShortDescription());

        rebootConnection(agent);
        heard().next(Kind.BACK_ONLINE);
        FreeStyleBuild b = second.get(60, TimeUnit.SECONDS);
        r.assertBuildStatusSuccess(b);
        assertEquals(agent.getNodeName(), b.getBuiltOnStr());
    }

    @Test
    public void aPipelineNodeBlockRecyclesItsAgentBeforeTheRunEnds() throws Exception {
        rules(rule(LABEL, "OFFLINE", null));
        DumbSlave agent = r.createOnlineSlave(Label.get(LABEL));
        WorkflowJob p = r.createProject(WorkflowJob.class, "check-pipeline");
        p.setDefinition(new CpsFlowDefinition("node('" + LABEL + "') { echo 'on the agent' }\necho 'after the block'", true));
        r.buildAndAssertSuccess(p);
        // the run was still going when its node block ended: its result so far counts as SUCCESS
        assertEquals("Tollgate: taken offline after check-pipeline #1 (SUCCESS) by the recycling rule; check the "
                + "machine, then bring it back online", heard().next(Kind.LEFT_OFFLINE).message());
        assertTrue(agent.toComputer().isOffline());
    }

    @Test
    public void theControllerIsNeverRecycled() throws Exception {
        rules(rule("built-in", "OFFLINE", null));
        r.jenkins.setNumExecutors(1);
        FreeStyleProject p = job("on-the-controller", "built-in");
        r.buildAndAssertSuccess(p);
        r.waitUntilNoActivity();
        assertTrue(r.jenkins.toComputer().isOnline());
        assertTrue(RecycleRuntime.get().status().isEmpty());
        assertTrue(heard().events.isEmpty());
    }
}
