package dev.tollgate.logs.jenkins;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import com.cloudbees.jenkins.plugins.sshcredentials.impl.BasicSSHUserPrivateKey;
import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.SystemCredentialsProvider;
import com.cloudbees.plugins.credentials.impl.UsernamePasswordCredentialsImpl;
import dev.tollgate.logs.jenkins.config.LogHostSpec;
import dev.tollgate.logs.jenkins.config.ScpLogsConfiguration;
import hudson.FilePath;
import hudson.Launcher;
import hudson.model.AbstractBuild;
import hudson.model.BuildListener;
import hudson.model.FreeStyleBuild;
import hudson.model.FreeStyleProject;
import hudson.model.Label;
import hudson.model.ParametersDefinitionProperty;
import hudson.model.Result;
import hudson.model.StringParameterDefinition;
import hudson.remoting.DelegatingCallable;
import hudson.slaves.DumbSlave;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.TestBuilder;
import org.jvnet.hudson.test.TestExtension;

/**
 * The publisher on a freestyle job and the {@code scpLogs} step in a Pipeline, each building on an
 * agent (a separate JVM connected over remoting), against an SFTP server started here: the files
 * arrive intact, the console log is published as an escaped page, a link out of the workspace is
 * left out, the log URL goes to the build, and the log host's credential never travels to the agent.
 */
public class PublishTest {
    static final String LOG_PATH = "21/12321/3/check/check-tempest-dsvm-metaplugin/abc1234";

    @Rule
    public JenkinsRule r = new JenkinsRule();

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private TestLogServer server;
    private DumbSlave agent;

    @Before
    public void logServerAndAgent() throws Exception {
        Path root = tmp.newFolder("log-server").toPath();
        Files.createDirectories(root.resolve("srv/logs"));
        server = new TestLogServer(root);
        SystemCredentialsProvider.getInstance().getCredentials().add(new UsernamePasswordCredentialsImpl(
                CredentialsScope.SYSTEM, "log-password", "", TestLogServer.USER, TestLogServer.PASSWORD));
        SystemCredentialsProvider.getInstance().getCredentials().add(new BasicSSHUserPrivateKey(
                CredentialsScope.SYSTEM, "log-key", TestLogServer.USER,
                new BasicSSHUserPrivateKey.DirectEntryPrivateKeySource(server.clientPrivateKey()), null, ""));
        SystemCredentialsProvider.getInstance().save();
        ScpLogsConfiguration.get().setHosts(List.of(host("log-server", "log-password", server.hostKeyLine()),
                host("log-server-key", "log-key", server.hostKeyLine()),
                host("impostor", "log-password", TestLogServer.ecKeyLine())));
        agent = r.createOnlineSlave(Label.get("logs-agent"));
    }

    private LogHostSpec host(String name, String credentialsId, String hostKey) {
        LogHostSpec h = new LogHostSpec(name, "127.0.0.1", "/srv/logs", TestLogServer.USER, credentialsId, hostKey,
                "http://logs.example.org/ci");
        h.setPort(server.port());
        return h;
    }

    @After
    public void stopServer() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    /** Writes a devstack-like logs/ folder into the build's workspace, on the agent, and a link out of it. */
    static final class WritesLogs extends TestBuilder {
        @Override
        public boolean perform(AbstractBuild<?, ?> build, Launcher launcher, BuildListener listener)
                throws InterruptedException, IOException {
            FilePath ws = build.getWorkspace();
            byte[] big = new byte[700_000];
            new Random(1).nextBytes(big);
            ws.child("logs/screen-n-cpu.bin").write().write(big);
            for (int i = 0; i < 25; i++) {
                ws.child("logs/etc/nova/f" + i + ".conf").write("option_" + i + " = <value & more>\n".repeat(i + 1),
                        "UTF-8");
            }
            ws.child("devstack/stack.sh").write("not a log\n", "UTF-8");
            FilePath secret = ws.getParent().child("agent-secret.txt");
            secret.write("SECRET of the agent\n", "UTF-8");
            ws.child("logs/secret.txt").symlinkTo(secret.getRemote(), listener);
            listener.getLogger().println("<script>alert('from the build')</script>");
            return true;
        }
    }

    private FreeStyleProject freestyle(ScpLogsPublisher publisher) throws Exception {
        FreeStyleProject job = r.createFreeStyleProject("check-tempest-dsvm-metaplugin");
        job.setAssignedNode(agent);
        job.addProperty(new ParametersDefinitionProperty(new StringParameterDefinition("LOG_PATH", LOG_PATH)));
        job.getBuildersList().add(new WritesLogs());
        job.getPublishersList().add(publisher);
        return job;
    }

    private static ScpLogsPublisher devstackLogs(String logHost) {
        ScpLogsPublisher p = new ScpLogsPublisher(logHost);
        p.setIncludes("logs/**");
        p.setConsoleLog(true);
        return p;
    }

    /** The files of the agent's workspace as they should arrive: logs/ without the link out of it. */
    private Map<String, String> expected(FreeStyleBuild b) throws Exception {
        Map<String, String> sums = new TreeMap<>();
        FilePath logs = b.getWorkspace().child("logs");
        for (FilePath f : logs.list("**/*", null, false)) {
            if (!f.getName().equals("secret.txt")) {
                try (var in = f.read()) {
                    sums.put("logs/" + f.getRemote().substring(logs.getRemote().length() + 1).replace('\\', '/'),
                            TestLogServer.sha256(in.readAllBytes()));
                }
            }
        }
        return sums;
    }

    @Test
    public void aFreestyleBuildOnAnAgentPublishesItsLogsAndConsoleAndLinksThem() throws Exception {
        FreeStyleProject job = freestyle(devstackLogs("log-server"));
        FreeStyleBuild b = r.buildAndAssertSuccess(job);

        Path published = server.root.resolve("srv/logs/" + LOG_PATH);
        Map<String, String> files = new TreeMap<>(TestLogServer.checksums(published));
        String console = TestLogServer.read(published.resolve("console.html"));
        files.remove("console.html");
        assertEquals(expected(b), files);
        assertTrue(console, console.contains("&lt;script&gt;alert(&#39;from the build&#39;)&lt;/script&gt;"));
        assertFalse(console, console.contains("<script>"));

        String url = "http://logs.example.org/ci/" + LOG_PATH + "/";
        LogsAction action = b.getAction(LogsAction.class);
        assertNotNull(action);
        assertEquals(url, action.getUrl());
        assertEquals(url, action.getUrlName());
        assertEquals(url, b.getEnvironment(r.createTaskListener()).get(LogsAction.LOG_URL));
        assertEquals("Logs: " + url, b.getDescription());
        r.assertLogContains("logs/secret.txt: symlink points outside the source directory", b);
        r.assertLogContains("[scp-logs] logs: " + url, b);
        r.assertLogNotContains(TestLogServer.PASSWORD, b);
    }

    @Test
    public void thePipelineStepOnAnAgentPublishesTheSameWayWithAKey() throws Exception {
        WorkflowJob job = r.jenkins.createProject(WorkflowJob.class, "check-pipeline");
        job.setDefinition(new CpsFlowDefinition(String.join("\n",
                "node('logs-agent') {",
                "  writeFile file: 'logs/screen-q-svc.txt', text: 'q-svc started\\nq-svc stopped\\n'",
                "  writeFile file: 'logs/deep/a/b/c.log', text: 'deep\\n'",
                "  echo 'done & <done>'",
                "  scpLogs logHost: 'log-server-key', includes: 'logs/**', consoleLog: true, gzip: true,",
                "      destination: \"pipeline/${env.BUILD_NUMBER}\"",
                "  echo \"published to ${env.LOG_URL}\"",
                "}"), true));
        WorkflowRun b = r.buildAndAssertSuccess(job);

        Path published = server.root.resolve("srv/logs/pipeline/1");
        assertEquals(Set.of("console.html.gz", "logs/screen-q-svc.txt.gz", "logs/deep/a/b/c.log.gz"),
                TestLogServer.checksums(published).keySet());
        String url = "http://logs.example.org/ci/pipeline/1/";
        assertEquals(url, b.getAction(LogsAction.class).getUrl());
        assertEquals("Logs: " + url, b.getDescription());
        r.assertLogContains("published to " + url, b);
    }

    @Test
    public void aPublishThatFailsFailsTheBuildOnlyWhenAsked() throws Exception {
        ScpLogsPublisher keepGoing = devstackLogs("impostor");
        FreeStyleBuild kept = r.buildAndAssertSuccess(freestyle(keepGoing));
        r.assertLogContains("[scp-logs] logs not published to log host 'impostor': log host 'impostor' (127.0.0.1:"
                + server.port() + ") presented host key", kept);
        r.assertLogContains("(the build goes on: failBuild is off)", kept);
        assertNull(kept.getAction(LogsAction.class));
        assertNull(kept.getDescription());

        FreeStyleProject job = r.jenkins.getItemByFullName("check-tempest-dsvm-metaplugin", FreeStyleProject.class);
        ScpLogsPublisher failing = devstackLogs("impostor");
        failing.setFailBuild(true);
        job.getPublishersList().replace(failing);
        FreeStyleBuild failed = r.assertBuildStatus(Result.FAILURE, job.scheduleBuild2(0));
        r.assertLogContains("logs not published to log host 'impostor'", failed);
    }

    @Test
    public void aBuildWithoutLogPathOrWithAnUnknownHostSaysWhy() throws Exception {
        FreeStyleProject job = r.createFreeStyleProject("no-params");
        job.setAssignedNode(agent);
        job.getPublishersList().add(devstackLogs("log-server"));
        FreeStyleBuild b = r.buildAndAssertSuccess(job);
        r.assertLogContains("destination '${LOG_PATH}' uses ${LOG_PATH} but the build has no such parameter", b);

        job.getPublishersList().replace(devstackLogs("elsewhere"));
        b = r.buildAndAssertSuccess(job);
        r.assertLogContains("no log host named 'elsewhere'", b);
        r.assertLogContains("(known: log-server, log-server-key, impostor)", b);
    }

    /**
     * Every callable the controller sends to an agent for a file operation, serialized as remoting
     * would serialize it (the workspace's FilePath written as its path), and the classes it holds.
     */
    @TestExtension("theCredentialNeverGoesToTheAgent")
    public static final class SentToAgents extends FilePath.FileCallableWrapperFactory {
        static final List<byte[]> SENT = Collections.synchronizedList(new ArrayList<>());
        static final Set<String> CLASSES = Collections.synchronizedSet(new TreeSet<>());

        @Override
        public <T> DelegatingCallable<T, IOException> wrap(DelegatingCallable<T, IOException> callable) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new Recording(bytes)) {
                out.writeObject(callable);
            } catch (IOException | RuntimeException e) {
                // a callable of another part of Jenkins that only remoting can write (a pipe): its classes
                // up to there are recorded, and its bytes so far
            }
            SENT.add(bytes.toByteArray());
            return callable;
        }

        private static final class Recording extends ObjectOutputStream {
            Recording(OutputStream out) throws IOException {
                super(out);
                enableReplaceObject(true);
            }

            @Override
            protected Object replaceObject(Object obj) {
                CLASSES.add(obj.getClass().getName());
                return obj instanceof FilePath f ? f.getRemote() : obj;
            }
        }
    }

    @Test
    public void theCredentialNeverGoesToTheAgent() throws Exception {
        r.buildAndAssertSuccess(freestyle(devstackLogs("log-server")));
        ScpLogsPublisher withKey = devstackLogs("log-server-key");
        withKey.setDestination("key/${BUILD_NUMBER}");
        FreeStyleProject job = r.jenkins.getItemByFullName("check-tempest-dsvm-metaplugin", FreeStyleProject.class);
        job.getPublishersList().replace(withKey);
        r.buildAndAssertSuccess(job);
        assertTrue(Files.exists(server.root.resolve("srv/logs/key/2/console.html")));

        Set<String> classes = new TreeSet<>(SentToAgents.CLASSES);
        assertTrue("the workspace was listed on the agent: " + classes,
                classes.contains(WorkspaceLogSource.ListLogFiles.class.getName()));
        assertTrue("files were opened on the agent: " + classes,
                classes.contains(WorkspaceLogSource.OpenLogFile.class.getName()));
        for (String c : classes) {
            assertFalse(c, c.startsWith("dev.tollgate.logs.Credential") || c.equals("hudson.util.Secret")
                    || c.startsWith("com.cloudbees.plugins.credentials") || c.startsWith("com.cloudbees.jenkins.plugins.sshcredentials")
                    || c.equals("dev.tollgate.logs.LogHost") || c.equals("dev.tollgate.logs.LogPublisher")
                    || c.startsWith("dev.tollgate.logs.jenkins.config."));
        }
        List<String> secrets = new ArrayList<>(List.of(TestLogServer.PASSWORD));
        // each line of the key's body (its first lines are the same for every key of a type: left out)
        server.clientPrivateKey().lines().filter(l -> !l.startsWith("-----")).skip(2).forEach(secrets::add);
        assertTrue(secrets.size() > 2);
        synchronized (SentToAgents.SENT) {
            assertFalse(SentToAgents.SENT.isEmpty());
            for (byte[] sent : SentToAgents.SENT) {
                String text = new String(sent, StandardCharsets.ISO_8859_1);
                for (String secret : secrets) {
                    assertFalse("a secret in a callable sent to the agent", text.contains(secret));
                }
            }
        }
    }
}
