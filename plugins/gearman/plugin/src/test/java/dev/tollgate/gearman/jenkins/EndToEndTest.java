package dev.tollgate.gearman.jenkins;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gearman.WorkerStatus;
import dev.tollgate.gearman.jenkins.config.GearmanConfiguration;
import dev.tollgate.gearman.jenkins.config.GearmanServer;
import dev.tollgate.testing.GearmandServer;
import hudson.EnvVars;
import hudson.Launcher;
import hudson.model.AbstractBuild;
import hudson.model.BuildListener;
import hudson.model.FreeStyleBuild;
import hudson.model.FreeStyleProject;
import hudson.model.Label;
import hudson.model.ParametersDefinitionProperty;
import hudson.model.Result;
import hudson.model.StringParameterDefinition;
import hudson.slaves.DumbSlave;
import hudson.slaves.OfflineCause;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import jenkins.model.InterruptedBuildAction;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.TestBuilder;

/**
 * Zuul's side of the conversation against Debian's gearmand and a Jenkins with agents: a
 * {@code build:} job runs the freestyle job on the node whose executor took it, with the job's
 * arguments as parameters, and its start and result go back; {@code stop:} aborts a running build;
 * {@code set_description:} describes one; a node marked temporarily offline takes no job until it
 * is back; OFFLINE_NODE_WHEN_COMPLETE takes the node offline after its build.
 */
public class EndToEndTest {
    private static GearmandServer gearmand;

    @Rule
    public JenkinsRule r = new JenkinsRule();

    /** What each build saw, by build id: its environment. */
    static final Map<String, EnvVars> SEEN = new ConcurrentHashMap<>();
    /** Released by nothing: a blocked build ends only when it is interrupted. */
    static final CountDownLatch NEVER = new CountDownLatch(1);
    static volatile CountDownLatch blockedStarted = new CountDownLatch(1);

    @BeforeClass
    public static void startGearmand() {
        gearmand = GearmandServer.start();
    }

    @AfterClass
    public static void stopGearmand() {
        if (gearmand != null) {
            gearmand.stop();
        }
    }

    @Before
    public void builtInNodeRunsNothing() throws Exception {
        r.jenkins.setNumExecutors(0);
        blockedStarted = new CountDownLatch(1);
    }

    @After
    public void gearmanOff() {
        GearmanConfiguration.get().setEnabled(false);
    }

    /** Records the build's environment. */
    public static final class Record extends TestBuilder {
        @Override
        public boolean perform(AbstractBuild<?, ?> build, Launcher launcher, BuildListener listener) throws java.io.IOException, InterruptedException {
            SEEN.put(build.getExternalizableId(), build.getEnvironment(listener));
            return true;
        }
    }

    /** Runs until the build is interrupted. */
    public static final class Block extends TestBuilder {
        @Override
        public boolean perform(AbstractBuild<?, ?> build, Launcher launcher, BuildListener listener) throws InterruptedException {
            blockedStarted.countDown();
            NEVER.await();
            return true;
        }
    }

    private FreeStyleProject job(String name, String label, TestBuilder builder) throws Exception {
        FreeStyleProject p = r.createFreeStyleProject(name);
        p.setAssignedLabel(label == null ? null : Label.get(label));
        p.getBuildersList().add(builder);
        return p;
    }

    /** Gearman on, and every executor of these nodes registered for the job at gearmand. */
    private String gearmanOn(String job, String... nodes) throws Exception {
        GearmanServer s = new GearmanServer(gearmand.host());
        s.setPort(gearmand.port());
        GearmanConfiguration.get().setServers(List.of(s));
        GearmanConfiguration.get().setEnabled(true);
        for (String node : nodes) {
            Await.until("build:" + job + ":" + node + " registered", () -> available("build:" + job + ":" + node) > 0);
        }
        String manager = GearmanRuntime.get().manager();
        assertNotNull(manager);
        Await.until("stop:" + manager + " registered", () -> available("stop:" + manager) > 0);
        // every executor asked for work once and was told there is none: no GRAB is on its way, so
        // what a test submits next goes only to executors that may take it
        for (String node : nodes) {
            Await.until(node + "'s connections sleep", () -> GearmanRuntime.get().status().connections().stream()
                    .filter(c -> c.owner().contains(":" + node + ":exec-"))
                    .allMatch(c -> c.state() == WorkerStatus.ConnectionState.SLEEPING));
        }
        return manager;
    }

    private static int available(String function) {
        int[] s = gearmand.status().get(function);
        return s == null ? 0 : s[2];
    }

    private static WorkerStatus.Executor executorOf(String node) {
        return GearmanRuntime.get().status().executors().stream().filter(e -> e.nodeName().equals(node))
                .findFirst().orElseThrow();
    }

    @Test
    public void aBuildJobRunsTheFreestyleJobOnTheTakingNodeWithTheParameters() throws Exception {
        DumbSlave agent = r.createOnlineSlave(Label.get("devstack"));
        FreeStyleProject p = job("check-tempest-dsvm-metaplugin", "devstack", new Record());
        p.addProperty(new ParametersDefinitionProperty(new StringParameterDefinition("BRANCH", "master", "")));
        String manager = gearmanOn(p.getName(), agent.getNodeName());

        JsonNode start;
        JsonNode done;
        try (ZuulClient zuul = new ZuulClient(gearmand)) {
            zuul.submit("build:" + p.getName() + ":devstack", "u-1", "{\"ZUUL_UUID\":\"u-1\",\"ZUUL_PIPELINE\":\"check\","
                    + "\"ZUUL_PROJECT\":\"openstack/neutron\",\"ZUUL_CHANGE_IDS\":\"4242,3\",\"LOG_PATH\":\"42/4242/3/check\"}");
            start = zuul.nextData();
            done = zuul.completed();
        }
        assertEquals(p.getName(), start.get("name").asText());
        assertEquals(1, start.get("number").asInt());
        assertEquals(manager, start.get("manager").asText());
        assertEquals(agent.getNodeName(), start.get("node_name").asText());
        assertEquals("[\"devstack\"]", start.get("node_labels").toString());
        assertTrue(start.get("url").asText(), start.get("url").asText().endsWith("job/" + p.getName() + "/1/"));
        assertEquals("SUCCESS", done.get("result").asText());

        FreeStyleBuild b = r.waitForCompletion(p.getBuildByNumber(1));
        r.assertBuildStatus(Result.SUCCESS, b);
        assertEquals(agent.getNodeName(), b.getBuiltOnStr());
        EnvVars env = SEEN.get(b.getExternalizableId());
        assertEquals("openstack/neutron", env.get("ZUUL_PROJECT"));
        assertEquals("42/4242/3/check", env.get("LOG_PATH"));
        assertEquals("a defined parameter Zuul did not send keeps its default", "master", env.get("BRANCH"));
        GearmanCause cause = b.getCause(GearmanCause.class);
        assertEquals("Started by Gearman, Zuul pipeline check, changes 4242,3 (job u-1)", cause.getShortDescription());
        assertEquals("u-1", b.getAction(GearmanBuildAction.class).getUniqueId());
    }

    @Test
    public void stopAbortsTheRunningBuildAndSetDescriptionDescribesIt() throws Exception {
        DumbSlave agent = r.createOnlineSlave(Label.get("devstack"));
        FreeStyleProject p = job("check-blocking", "devstack", new Block());
        String manager = gearmanOn(p.getName(), agent.getNodeName());

        try (ZuulClient zuul = new ZuulClient(gearmand)) {
            zuul.submit("build:" + p.getName(), "u-stop", "{\"ZUUL_UUID\":\"u-stop\"}");
            int number = zuul.nextData().get("number").asInt();
            assertTrue("the build runs", blockedStarted.await(120, TimeUnit.SECONDS));
            try (ZuulClient stop = new ZuulClient(gearmand)) {
                JsonNode answer = stop.submit("stop:" + manager, "stop-1",
                        "{\"name\":\"" + p.getName() + "\",\"number\":" + number + "}").completed();
                assertTrue(answer.toString(), answer.get("ok").asBoolean());
            }
            assertEquals("ABORTED", zuul.completed().get("result").asText());
        }
        FreeStyleBuild b = r.waitForCompletion(p.getBuildByNumber(1));
        r.assertBuildStatus(Result.ABORTED, b);
        InterruptedBuildAction why = b.getAction(InterruptedBuildAction.class);
        assertTrue(why.getCauses().get(0) instanceof GearmanStop);

        try (ZuulClient describe = new ZuulClient(gearmand)) {
            JsonNode answer = describe.submit("set_description:" + manager, "d-1", "{\"name\":\"" + p.getName()
                    + "\",\"number\":1,\"html_description\":\"<a href='http://logs.example.org/1'>Logs</a>\"}").completed();
            assertTrue(answer.toString(), answer.get("ok").asBoolean());
        }
        assertEquals("<a href='http://logs.example.org/1'>Logs</a>", b.getDescription());

        // a build Zuul did not start is not Zuul's to describe
        FreeStyleProject other = job("by-hand", null, new Record());
        FreeStyleBuild byHand = r.buildAndAssertSuccess(other);
        try (ZuulClient describe = new ZuulClient(gearmand)) {
            JsonNode answer = describe.submit("set_description:" + manager, "d-2",
                    "{\"name\":\"by-hand\",\"number\":1,\"html_description\":\"x\"}").completed();
            assertFalse(answer.toString(), answer.get("ok").asBoolean());
        }
        assertNull(byHand.getDescription());
    }

    @Test
    public void aNodeMarkedTemporarilyOfflineTakesNoJobUntilItIsBack() throws Exception {
        DumbSlave recycled = r.createOnlineSlave(Label.get("pool"));
        DumbSlave other = r.createOnlineSlave(Label.get("pool"));
        FreeStyleProject p = job("check-pool", "pool", new Record());
        gearmanOn(p.getName(), recycled.getNodeName(), other.getNodeName());

        // node recycling takes it offline to reboot it: the worker knows before the call returns
        recycled.toComputer().setTemporaryOfflineCause(new OfflineCause.ByCLI("rebooting"));
        assertFalse(executorOf(recycled.getNodeName()).acceptingJobs());
        assertTrue(executorOf(other.getNodeName()).acceptingJobs());

        try (ZuulClient pinned = new ZuulClient(gearmand)) {
            pinned.submit("build:" + p.getName() + ":" + recycled.getNodeName(), "u-pinned", "{}");
            try (ZuulClient any = new ZuulClient(gearmand)) {
                any.submit("build:" + p.getName() + ":pool", "u-any", "{}");
                assertEquals("the pool job goes to the node that is up", other.getNodeName(),
                        any.nextData().get("node_name").asText());
                assertEquals("SUCCESS", any.completed().get("result").asText());
            }
            int[] queued = gearmand.status().get("build:" + p.getName() + ":" + recycled.getNodeName());
            assertEquals("the pinned job still waits in gearmand, not in Jenkins", 1, queued[0]);
            assertEquals(0, queued[1]);
            assertTrue(r.jenkins.getQueue().isEmpty());

            recycled.toComputer().setTemporaryOfflineCause(null); // back from its reboot
            assertEquals(recycled.getNodeName(), pinned.nextData().get("node_name").asText());
            assertEquals("SUCCESS", pinned.completed().get("result").asText());
        }
        assertEquals(recycled.getNodeName(), r.waitForCompletion(p.getBuildByNumber(2)).getBuiltOnStr());
    }

    @Test
    public void offlineNodeWhenCompleteTakesTheNodeOfflineAfterItsBuild() throws Exception {
        DumbSlave single = r.createOnlineSlave(Label.get("devstack"));
        FreeStyleProject p = job("check-single-use", "devstack", new Record());
        gearmanOn(p.getName(), single.getNodeName());
        try (ZuulClient zuul = new ZuulClient(gearmand)) {
            zuul.submit("build:" + p.getName(), "u-single", "{\"OFFLINE_NODE_WHEN_COMPLETE\":\"1\"}");
            assertEquals("SUCCESS", zuul.completed().get("result").asText());
        }
        // taken offline before the result went out
        assertTrue(single.toComputer().isOffline());
        assertTrue(single.toComputer().getOfflineCause() instanceof SingleUseOffline);
        assertFalse(executorOf(single.getNodeName()).acceptingJobs());
        r.assertBuildStatusSuccess(r.waitForCompletion(p.getBuildByNumber(1)));
    }
}
