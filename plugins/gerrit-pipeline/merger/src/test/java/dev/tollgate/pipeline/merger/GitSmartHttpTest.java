package dev.tollgate.pipeline.merger;

import static dev.tollgate.pipeline.merger.GitCommand.changeRef;
import static dev.tollgate.pipeline.merger.GitCommand.commitOn;
import static dev.tollgate.pipeline.merger.GitCommand.git;
import static dev.tollgate.pipeline.merger.GitCommand.newProject;
import static dev.tollgate.pipeline.merger.GitCommand.patchset;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tollgate.pipeline.port.Merger.Item;
import dev.tollgate.pipeline.port.Merger.MergeRequest;
import dev.tollgate.pipeline.port.Merger.MergeResult;
import dev.tollgate.pipeline.port.Merger.Mode;
import dev.tollgate.testing.ManualClock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPOutputStream;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The smart-HTTP endpoint with the real {@code git} command, through a JDK {@link HttpServer} that
 * maps {@code /git/<server>/<project>} to {@link GitSmartHttp} as the Jenkins action does.
 */
public class GitSmartHttpTest {
    static final String P = "openstack/neutron";
    static final String SERVER = "review";

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private GitMerger merger;
    private HttpServer http;
    private ExecutorService httpThreads;
    private String base;
    private MergeResult.Merged merged;
    private String tip;
    private Path gerrit;

    @Before
    public void mergeAndServe() throws Exception {
        gerrit = tmp.newFolder("gerrit").toPath();
        Path upstream = newProject(gerrit, P, Map.of("README", "r\n"));
        tip = commitOn(upstream, "master", "Second", Map.of("b", "b\n"));
        patchset(upstream, tip, 12345, 2, "Change", Map.of("c", "c\n"));
        merger = new GitMerger(MergerSettings.local(tmp.newFolder("cache").toPath(), gerrit), new ManualClock(),
                Runnable::run);
        String uuid = "00000000000000000000000000000001";
        merged = (MergeResult.Merged) merger.mergeNow(new MergeRequest(uuid, "refs/zuul/master/Z" + uuid,
                List.of(new Item(P, "master", changeRef(12345, 2), null, Mode.MERGE_RESOLVE, false))));
        ServedRepositories served = new ServedRepositories();
        served.put(SERVER, merger);
        GitSmartHttp git = new GitSmartHttp(served);
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        httpThreads = Executors.newFixedThreadPool(4);
        http.setExecutor(httpThreads);
        http.createContext("/git/", x -> {
            try (x) {
                String path = x.getRequestURI().getRawPath().substring("/git/".length());
                git.serve(path, x.getRequestURI().getRawQuery(), new JdkExchange(x));
            }
        });
        http.start();
        base = "http://127.0.0.1:" + http.getAddress().getPort() + "/git/" + SERVER;
    }

    @After
    public void stop() {
        http.stop(0);
        httpThreads.shutdownNow();
        merger.close();
    }

    @Test
    public void gitFetchesZuulRefOverBothProtocolVersions() throws Exception {
        for (String version : List.of("0", "1", "2")) {
            Path agent = tmp.newFolder("agent-v" + version).toPath();
            git(agent, "init", "-q");
            String refs = git(agent, "-c", "protocol.version=" + version, "ls-remote", base + "/" + P);
            assertTrue(refs, refs.contains(merged.commit() + "\t" + merged.ref()));
            assertTrue(refs, refs.contains(tip + "\trefs/heads/master"));
            // what devstack-gate and zuul-cloner do: git fetch $ZUUL_URL/$ZUUL_PROJECT $ZUUL_REF
            git(agent, "-c", "protocol.version=" + version, "fetch", "-q", base + "/" + P, merged.ref());
            assertEquals(merged.commit(), git(agent, "rev-parse", "FETCH_HEAD"));
            assertEquals("c", git(agent, "show", "FETCH_HEAD:c"));
            git(agent, "-c", "protocol.version=" + version, "fetch", "-q", base + "/" + P + ".git", "master");
            assertEquals(tip, git(agent, "rev-parse", "FETCH_HEAD"));
        }
    }

    @Test
    public void aCloneWorksAndAPushIsRefused() throws Exception {
        Path agent = tmp.newFolder("agent").toPath();
        git(agent, "clone", "-q", base + "/" + P + ".git", "neutron");
        Path clone = agent.resolve("neutron");
        assertEquals(tip, git(clone, "rev-parse", "HEAD"));
        GitCommand.Result push = GitCommand.run(clone, null, "push", "origin", "HEAD:refs/heads/evil");
        assertNotEquals(0, push.exit());
        assertTrue(merger.repositories().existing(P).orElseThrow().exactRef("refs/heads/evil") == null);
    }

    @Test
    public void unknownAndEscapingNamesAreNotFound() throws Exception {
        Files.writeString(tmp.getRoot().toPath().resolve("secret"), "do not serve\n");
        for (String name : List.of("openstack/nova", "../cache/" + P, SERVER + "/../" + SERVER + "/" + P,
                ".mirrors/" + P, "%2e%2e/" + P, "/etc", "other/" + P, "")) {
            Response r = call("GET", "/" + name + "/info/refs", "service=git-upload-pack", Map.of(), null);
            assertEquals(name, 404, r.status);
            Response post = call("POST", "/" + name + "/git-upload-pack", null,
                    Map.of("Content-Type", GitSmartHttp.REQUEST_TYPE), new byte[0]);
            assertEquals(name, 404, post.status);
        }
        Path agent = tmp.newFolder("agent").toPath();
        git(agent, "init", "-q");
        GitCommand.Result r = GitCommand.run(agent, null, "ls-remote", base + "/openstack/nova");
        assertNotEquals(0, r.exit());
    }

    @Test
    public void onlyTheFetchServiceIsServed() throws Exception {
        assertEquals(403, call("GET", "/" + P + "/info/refs", "service=git-receive-pack", Map.of(), null).status);
        assertEquals(403, call("POST", "/" + P + "/git-receive-pack", null, Map.of(), new byte[0]).status);
        assertEquals("dumb protocol", 403, call("GET", "/" + P + "/info/refs", null, Map.of(), null).status);
        assertEquals(405, call("GET", "/" + P + "/git-upload-pack", null, Map.of(), null).status);
        assertEquals(415, call("POST", "/" + P + "/git-upload-pack", null, Map.of("Content-Type", "text/plain"),
                new byte[0]).status);
        assertEquals(404, call("GET", "/" + P + "/HEAD", null, Map.of(), null).status);
        Response ok = call("GET", "/" + P + "/info/refs", "service=git-upload-pack", Map.of(), null);
        assertEquals(200, ok.status);
        assertEquals(GitSmartHttp.ADVERTISEMENT_TYPE, ok.headers.get("Content-Type"));
        assertTrue(ok.text().startsWith("001e# service=git-upload-pack\n0000"));
    }

    @Test
    public void aGzippedV2RequestIsRead() throws Exception {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(body)) {
            gz.write(pkt("command=ls-refs\n"));
            gz.write("0001".getBytes(StandardCharsets.US_ASCII));
            gz.write(pkt("ref-prefix refs/zuul/\n"));
            gz.write("0000".getBytes(StandardCharsets.US_ASCII));
        }
        Response r = call("POST", "/" + P + "/git-upload-pack", null, Map.of("Content-Type", GitSmartHttp.REQUEST_TYPE,
                "Content-Encoding", "gzip", "Git-Protocol", "version=2"), body.toByteArray());
        assertEquals(200, r.status);
        assertEquals(GitSmartHttp.RESULT_TYPE, r.headers.get("Content-Type"));
        assertTrue(r.text(), r.text().contains(merged.commit() + " " + merged.ref()));
        assertFalse(r.text(), r.text().contains("refs/heads/master"));
    }

    private static byte[] pkt(String line) {
        return (String.format("%04x", line.length() + 4) + line).getBytes(StandardCharsets.US_ASCII);
    }

    record Response(int status, Map<String, String> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.ISO_8859_1);
        }
    }

    /** A request straight to the handler (the HTTP client would normalise some of these paths away). */
    private Response call(String method, String path, String query, Map<String, String> headers, byte[] body)
            throws IOException {
        ServedRepositories served = new ServedRepositories();
        served.put(SERVER, merger);
        Map<String, String> out = new HashMap<>();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int[] status = {0};
        new GitSmartHttp(served).serve(SERVER + path, query, new GitSmartHttp.Exchange() {
            @Override
            public String method() {
                return method;
            }

            @Override
            public String requestHeader(String name) {
                return headers.get(name);
            }

            @Override
            public InputStream requestBody() {
                return new ByteArrayInputStream(body == null ? new byte[0] : body);
            }

            @Override
            public void responseHeader(String name, String value) {
                out.put(name, value);
            }

            @Override
            public OutputStream respond(int code) {
                status[0] = code;
                return bytes;
            }
        });
        return new Response(status[0], out, bytes.toByteArray());
    }

    /** The JDK server's exchange as the handler's. */
    private record JdkExchange(HttpExchange x) implements GitSmartHttp.Exchange {
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
            x.sendResponseHeaders(status, x.getRequestMethod().equals("HEAD") ? -1 : 0);
            return x.getResponseBody();
        }
    }
}
