package dev.tollgate.pipeline.jenkins;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.SystemCredentialsProvider;
import com.cloudbees.plugins.credentials.impl.UsernamePasswordCredentialsImpl;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.pipeline.event.EventParser;
import dev.tollgate.pipeline.gerrit.PipelineServer;
import dev.tollgate.pipeline.jenkins.config.GerritPipelineConfiguration;
import hudson.model.FreeStyleBuild;
import hudson.model.FreeStyleProject;
import hudson.model.Result;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.jvnet.hudson.test.JenkinsRule;

/**
 * A Gerrit event runs the job through Jenkins' queue with the ZUUL_* parameters, and the result is
 * posted back as a review, over HTTP to a recording stand-in for Gerrit's review endpoint.
 */
public class EndToEndTest {
    private static final String PATCHSET_CREATED = "{\"type\":\"patchset-created\",\"eventCreatedOn\":1700000000,"
            + "\"change\":{\"project\":\"openstack/neutron\",\"branch\":\"master\",\"id\":\"I0123\",\"number\":4242,"
            + "\"url\":\"http://review.example.org/4242\",\"subject\":\"x\",\"owner\":{\"username\":\"dev\"}},"
            + "\"patchSet\":{\"number\":3,\"revision\":\"0123456789abcdef0123456789abcdef01234567\","
            + "\"ref\":\"refs/changes/42/4242/3\",\"uploader\":{\"username\":\"dev\"}},"
            + "\"uploader\":{\"username\":\"dev\"}}";

    @Rule
    public JenkinsRule r = new JenkinsRule();

    private HttpServer gerrit;
    private final BlockingQueue<String> reviews = new LinkedBlockingQueue<>();

    @Before
    public void gerritReviewEndpoint() throws Exception {
        gerrit = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        gerrit.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if ("POST".equals(exchange.getRequestMethod()) && exchange.getRequestURI().getPath().endsWith("/review")) {
                reviews.add(body);
            }
            byte[] answer = ")]}'\n{}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        gerrit.start();
        SystemCredentialsProvider.getInstance().getCredentials().add(new UsernamePasswordCredentialsImpl(
                CredentialsScope.GLOBAL, "gerrit-http", "", "metaplugin-ci", "not-a-real-password"));
        GerritPipelineConfiguration c = GerritPipelineConfiguration.get();
        GerritPipelineConfigurationTest.metapluginCi(c);
        c.getServers().get(0).setRestUrl("http://127.0.0.1:" + gerrit.getAddress().getPort() + "/");
        c.save();
    }

    @After
    public void stop() {
        gerrit.stop(0);
    }

    private PipelineServer server() {
        PipelineRuntime.get().apply();
        PipelineServer s = PipelineRuntime.get().server("review");
        assertNotNull("server review is running", s);
        return s;
    }

    @Test
    public void aFreestyleJobRunsAndItsResultIsVoted() throws Exception {
        FreeStyleProject job = r.createFreeStyleProject("check-tempest-dsvm-metaplugin");
        server().accept(new EventParser().parse(PATCHSET_CREATED));
        r.waitUntilNoActivity();
        FreeStyleBuild build = job.getLastBuild();
        assertNotNull("the event built the job", build);
        r.assertBuildStatus(Result.SUCCESS, build);
        assertEquals("4242", build.getEnvironment(r.createTaskListener()).get("ZUUL_CHANGE"));
        assertEquals("check", build.getEnvironment(r.createTaskListener()).get("ZUUL_PIPELINE"));
        String review = reviews.poll(60, TimeUnit.SECONDS);
        assertNotNull("a review was posted", review);
        assertTrue(review, review.contains("\"Verified\":1"));
        assertTrue(review, review.contains(r.getURL() + build.getUrl()));
    }

    @Test
    public void theReviewLinksToTheBuildsPublishedLogs() throws Exception {
        FreeStyleProject job = r.createFreeStyleProject("check-tempest-dsvm-metaplugin");
        String logs = "http://logs.example.org/metaplugin-ci/42/4242/3/check/check-tempest-dsvm-metaplugin/abc1234/";
        job.getBuildersList().add(new BuildEventsTest.Publishes(logs));
        server().accept(new EventParser().parse(PATCHSET_CREATED));
        r.waitUntilNoActivity();
        r.assertBuildStatus(Result.SUCCESS, job.getLastBuild());
        String review = reviews.poll(60, TimeUnit.SECONDS);
        assertNotNull("a review was posted", review);
        assertTrue(review, review.contains(logs));
        assertTrue(review, !review.contains(r.getURL() + job.getLastBuild().getUrl()));
    }

    @Test
    public void aPipelineJobRunsTheSameWay() throws Exception {
        WorkflowJob job = r.jenkins.createProject(WorkflowJob.class, "check-tempest-dsvm-metaplugin");
        job.setDefinition(new CpsFlowDefinition("echo \"change ${env.ZUUL_CHANGE}\"", true));
        server().accept(new EventParser().parse(PATCHSET_CREATED));
        r.waitUntilNoActivity();
        r.assertLogContains("change 4242", r.assertBuildStatusSuccess(job.getLastBuild()));
        String review = reviews.poll(60, TimeUnit.SECONDS);
        assertNotNull(review);
        assertTrue(review, review.contains("\"Verified\":1"));
    }

    @Test
    public void theQueueSurvivesARestartOfTheEngine() throws Exception {
        FreeStyleProject job = r.createFreeStyleProject("check-tempest-dsvm-metaplugin");
        job.setConcurrentBuild(false);
        r.jenkins.setNumExecutors(0); // the build stays queued across the restart
        server().accept(new EventParser().parse(PATCHSET_CREATED));
        PipelineRuntime.get().stop(); // saves the queue, as Jenkins' shutdown does
        PipelineRuntime.get().apply(); // a fresh engine restores it and re-attaches the queued build
        r.jenkins.setNumExecutors(1);
        r.waitUntilNoActivity();
        assertEquals("launched once", 1, job.getLastBuild().getNumber());
        assertNotNull(reviews.poll(60, TimeUnit.SECONDS));
        assertEquals("voted once", null, reviews.poll(2, TimeUnit.SECONDS));
    }
}
