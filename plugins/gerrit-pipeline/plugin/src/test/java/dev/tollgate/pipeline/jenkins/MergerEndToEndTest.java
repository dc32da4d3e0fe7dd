package dev.tollgate.pipeline.jenkins;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.SystemCredentialsProvider;
import com.cloudbees.plugins.credentials.impl.UsernamePasswordCredentialsImpl;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.pipeline.event.EventParser;
import dev.tollgate.pipeline.gerrit.PipelineServer;
import dev.tollgate.pipeline.jenkins.config.GerritPipelineConfiguration;
import dev.tollgate.pipeline.jenkins.config.MergerSpec;
import dev.tollgate.pipeline.merger.GitSmartHttp;
import hudson.EnvVars;
import hudson.model.FreeStyleBuild;
import hudson.model.FreeStyleProject;
import hudson.model.Result;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.RefSpec;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.jvnet.hudson.test.JenkinsRule;

/**
 * Test as merge in Jenkins: with the merger on, a build of a pipeline's job gets ZUUL_REF = a
 * {@code refs/zuul} ref, and an agent fetches it over the Jenkins URL ({@code ZUUL_URL}, smart HTTP
 * through the status page's {@code git} child, a POST without a crumb). Gerrit is a JDK HTTP server
 * serving the project's repository at {@code /a/<project>} (the merger fetches over HTTP with the
 * server's REST credential) and recording reviews.
 */
public class MergerEndToEndTest {
    private static final String PROJECT = "openstack/neutron";

    @Rule
    public JenkinsRule r = new JenkinsRule();

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private HttpServer gerrit;
    private final Map<String, Repository> upstream = new ConcurrentHashMap<>();
    private String patchset;

    @Before
    public void gerritWithARepository() throws Exception {
        Path root = tmp.newFolder("gerrit").toPath();
        File dir = root.resolve(PROJECT).toFile();
        try (Git git = Git.init().setDirectory(dir).setInitialBranch("master").call()) {
            Files.writeString(dir.toPath().resolve("README"), "r\n");
            git.add().addFilepattern(".").call();
            RevCommit base = git.commit().setMessage("Initial").setAuthor("Alice", "alice@example.org")
                    .setCommitter("Alice", "alice@example.org").call();
            git.checkout().setName(base.name()).call();
            Files.writeString(dir.toPath().resolve("feature.py"), "x = 1\n");
            git.add().addFilepattern(".").call();
            RevCommit change = git.commit().setMessage("Add a feature").setAuthor("Alice", "alice@example.org")
                    .setCommitter("Alice", "alice@example.org").call();
            var u = git.getRepository().updateRef("refs/changes/42/4242/3");
            u.setNewObjectId(change);
            u.update();
            git.checkout().setName("master").call();
            patchset = change.name();
        }
        upstream.put(PROJECT, new FileRepositoryBuilder().setGitDir(new File(dir, ".git")).setMustExist(true).build());
        GitSmartHttp served = new GitSmartHttp(name -> Optional.ofNullable(upstream.get(name.replaceAll("\\.git$", ""))));
        gerrit = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        gerrit.createContext("/a/" + PROJECT, x -> {
            try (x) {
                served.serve(x.getRequestURI().getRawPath().substring("/a/".length()), x.getRequestURI().getRawQuery(),
                        exchange(x));
            }
        });
        gerrit.createContext("/", x -> {
            x.getRequestBody().readAllBytes();
            byte[] answer = ")]}'\n{}".getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, answer.length);
            x.getResponseBody().write(answer);
            x.close();
        });
        gerrit.start();
        SystemCredentialsProvider.getInstance().getCredentials().add(new UsernamePasswordCredentialsImpl(
                CredentialsScope.GLOBAL, "gerrit-http", "", "metaplugin-ci", "not-a-real-password"));
        GerritPipelineConfiguration c = GerritPipelineConfiguration.get();
        GerritPipelineConfigurationTest.metapluginCi(c);
        c.getServers().get(0).setRestUrl("http://127.0.0.1:" + gerrit.getAddress().getPort() + "/");
        MergerSpec merger = new MergerSpec();
        merger.setFetch("http");
        merger.setCacheDir(tmp.newFolder("merger").getAbsolutePath());
        c.setMerger(merger);
        c.save();
    }

    @After
    public void stop() {
        gerrit.stop(0);
        upstream.values().forEach(Repository::close);
    }

    private static GitSmartHttp.Exchange exchange(HttpExchange x) {
        return new GitSmartHttp.Exchange() {
            @Override
            public String method() {
                return x.getRequestMethod();
            }

            @Override
            public String requestHeader(String name) {
                return x.getRequestHeaders().getFirst(name);
            }

            @Override
            public InputStream requestBody() {
                return x.getRequestBody();
            }

            @Override
            public void responseHeader(String name, String value) {
                x.getResponseHeaders().set(name, value);
            }

            @Override
            public OutputStream respond(int status) throws IOException {
                x.sendResponseHeaders(status, 0);
                return x.getResponseBody();
            }
        };
    }

    private static String event(String revision) {
        return "{\"type\":\"patchset-created\",\"eventCreatedOn\":1700000000,"
                + "\"change\":{\"project\":\"" + PROJECT + "\",\"branch\":\"master\",\"id\":\"I0123\",\"number\":4242,"
                + "\"url\":\"http://review.example.org/4242\",\"subject\":\"x\",\"owner\":{\"username\":\"dev\"}},"
                + "\"patchSet\":{\"number\":3,\"revision\":\"" + revision + "\","
                + "\"ref\":\"refs/changes/42/4242/3\",\"uploader\":{\"username\":\"dev\"}},"
                + "\"uploader\":{\"username\":\"dev\"}}";
    }

    @Test
    public void aBuildTestsTheMergeAndTheAgentFetchesItOverTheJenkinsUrl() throws Exception {
        FreeStyleProject job = r.createFreeStyleProject("check-tempest-dsvm-metaplugin");
        PipelineRuntime.get().apply();
        PipelineServer server = PipelineRuntime.get().server("review");
        assertNotNull("server review is running", server);
        assertNotNull("with its merger", server.merger());
        server.accept(new EventParser().parse(event(patchset)));
        r.waitUntilNoActivity();
        FreeStyleBuild build = job.getLastBuild();
        assertNotNull("the merge launched the job", build);
        r.assertBuildStatus(Result.SUCCESS, build);
        EnvVars env = build.getEnvironment(r.createTaskListener());
        String ref = env.get("ZUUL_REF");
        assertTrue(ref, ref.startsWith("refs/zuul/master/Z"));
        assertEquals(r.getURL() + "tollgate/git/review", env.get("ZUUL_URL"));

        // the agent's side: git fetch $ZUUL_URL/$ZUUL_PROJECT $ZUUL_REF (a POST without a crumb)
        File agent = tmp.newFolder("agent");
        try (Git git = Git.init().setDirectory(agent).call()) {
            git.fetch().setRemote(env.get("ZUUL_URL") + "/" + env.get("ZUUL_PROJECT"))
                    .setRefSpecs(new RefSpec(ref + ":refs/heads/tested")).call();
            ObjectId tested = git.getRepository().resolve("refs/heads/tested");
            assertEquals(env.get("ZUUL_COMMIT"), tested.name());
            assertEquals(patchset, git.getRepository().resolve("refs/heads/tested^2").name());
        }
    }
}
