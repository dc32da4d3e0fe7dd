package dev.tollgate.lxd;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.port.CloudException;
import dev.tollgate.cloud.port.Fingerprint;
import dev.tollgate.cloud.port.LaunchSpec;
import java.io.ByteArrayOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.After;
import org.junit.Test;

/** The driver against a scripted LXD on a unix socket, for answers a real daemon does not give on demand. */
public class ScriptedLxdTest {
    private final Path dir = Files.createTempDirectory("lxds");
    private final Path socket = dir.resolve("s");
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private ServerSocketChannel server;
    private Thread serving;

    public ScriptedLxdTest() throws Exception {
    }

    @After
    public void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (serving != null) {
            serving.join(10_000);
        }
        Files.deleteIfExists(socket);
        Files.deleteIfExists(dir);
    }

    private static String json(int status, String body) {
        return "HTTP/1.1 " + status + " X\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                + "\r\n\r\n" + body;
    }

    /** Answers each request line ("METHOD path") with what {@code answer} gives. */
    private void serve(Function<String, String> answer) throws Exception {
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        serving = new Thread(() -> {
            while (server.isOpen()) {
                try (SocketChannel c = server.accept()) {
                    ByteArrayOutputStream in = new ByteArrayOutputStream();
                    ByteBuffer b = ByteBuffer.allocate(8192);
                    while (!in.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n") && c.read(b) > 0) {
                        in.write(b.array(), 0, b.position());
                        b.clear();
                    }
                    String line = in.toString(StandardCharsets.ISO_8859_1).split("\r\n")[0];
                    line = line.substring(0, line.lastIndexOf(' '));
                    requests.add(line);
                    ByteBuffer o = ByteBuffer.wrap(answer.apply(line).getBytes(StandardCharsets.ISO_8859_1));
                    while (o.hasRemaining()) {
                        c.write(o);
                    }
                } catch (Exception e) {
                    return;
                }
            }
        }, "scripted-lxd");
        serving.setDaemon(true);
        serving.start();
    }

    private LxdDriver driver() throws Exception {
        AgentTemplate<LxdOptions> t = AgentTemplate.builder("bb").options(LxdOptions.builder().image("img")
                .agentCommand("/bin/agent").build()).build();
        return new LxdDriver(LxdCloudConfig.of("lxd", new LxdEndpoint.Unix(socket), List.of(t))
                .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(1)));
    }

    private static LaunchSpec spec() {
        return new LaunchSpec("bb", "agent-1", new Fingerprint("ctl", "lxd", "bb", "agent-1",
                Instant.parse("2026-01-01T00:00:00Z")), Map.of("S", "secret-value"));
    }

    @Test
    public void aCloudInitPlaceholderWithoutAValueFailsTheLaunchBeforeAnythingIsSent() throws Exception {
        serve(line -> json(500, "{\"type\":\"error\",\"error_code\":500,\"error\":\"not expected\"}"));
        AgentTemplate<LxdOptions> t = AgentTemplate.builder("bb").options(LxdOptions.builder().image("img")
                .cloudInitUserData("#cloud-config\nruncmd: [[agent, '{{S}}', '{{JENKINS_SECRET}}', '{{templateName}}']]\n")
                .build()).build();
        try (LxdDriver d = new LxdDriver(LxdCloudConfig.of("lxd", new LxdEndpoint.Unix(socket), List.of(t)))) {
            d.create(spec());
            fail("a placeholder without a value went out as literal text");
        } catch (CloudException e) {
            assertEquals(CloudException.Kind.PERMANENT, e.kind());
            assertTrue(e.getMessage(), e.getMessage().contains("JENKINS_SECRET"));
            assertFalse("no value in the message", e.getMessage().contains("secret-value"));
        }
        assertEquals("nothing sent", List.of(), requests);
    }

    @Test
    public void aCreateStillRunningAtTheTimeoutIsTransientAndNotTakenOver() throws Exception {
        serve(line -> switch (line) {
            case "POST /1.0/instances" -> json(202, "{\"type\":\"async\",\"operation\":\"/1.0/operations/op1\"}");
            case "GET /1.0/operations/op1/wait?timeout=1" -> json(200,
                    "{\"type\":\"sync\",\"metadata\":{\"status\":\"Running\",\"description\":\"Creating instance\"}}");
            default -> json(200, "{\"type\":\"sync\",\"metadata\":{\"name\":\"x\",\"status\":\"Stopped\",\"config\":"
                    + "{\"user.tollgate.controller\":\"ctl\",\"user.tollgate.cloud\":\"lxd\",\"user.tollgate.template\":\"bb\","
                    + "\"user.tollgate.agent\":\"agent-1\",\"user.tollgate.created-at\":\"2026-01-01T00:00:00Z\"}}}");
        });
        try (LxdDriver d = driver()) {
            d.create(spec());
            fail("a create still running was reported done");
        } catch (CloudException e) {
            assertEquals(CloudException.Kind.TRANSIENT, e.kind());
        }
        assertEquals("nothing after the unknown outcome: no takeover, no start",
                List.of("POST /1.0/instances", "GET /1.0/operations/op1/wait?timeout=1"), requests);
    }

    @Test
    public void aFailedStartDeletesTheInstanceAndReportsTheStart() throws Exception {
        serve(line -> switch (line) {
            case "POST /1.0/instances" -> json(202, "{\"type\":\"async\",\"operation\":\"/1.0/operations/c\"}");
            default -> {
                if (line.startsWith("PUT ") && line.endsWith("/state")) {
                    yield json(202, "{\"type\":\"async\",\"operation\":\"/1.0/operations/s\"}");
                }
                if (line.startsWith("DELETE ")) {
                    yield json(202, "{\"type\":\"async\",\"operation\":\"/1.0/operations/d\"}");
                }
                if (line.startsWith("GET /1.0/operations/s/")) {
                    yield json(200, "{\"type\":\"sync\",\"metadata\":{\"status\":\"Failure\",\"description\":"
                            + "\"Starting instance\",\"err\":\"Failed to run: forkstart: exit status 1\"}}");
                }
                yield json(200, "{\"type\":\"sync\",\"metadata\":{\"status\":\"Success\"}}");
            }
        });
        try (LxdDriver d = driver()) {
            d.create(spec());
            fail();
        } catch (CloudException e) {
            assertEquals(CloudException.Kind.PERMANENT, e.kind());
            assertTrue(e.getMessage(), e.getMessage().contains("Starting instance failed"));
            assertFalse("the secret stays out of messages", e.getMessage().contains("secret-value"));
        }
        String name = LxdDriver.instanceName(spec().fingerprint());
        assertEquals(List.of("POST /1.0/instances", "GET /1.0/operations/c/wait?timeout=1",
                "PUT /1.0/instances/" + name + "/state", "GET /1.0/operations/s/wait?timeout=1",
                "DELETE /1.0/instances/" + name, "GET /1.0/operations/d/wait?timeout=1"), requests);
    }

    /** Incus answers the wait for a failed operation with HTTP 200 and an error envelope holding its err. */
    private static String incusFailedOperation(String err) {
        return json(200, "{\"type\":\"error\",\"error_code\":500,\"error\":\"" + err + "\",\"metadata\":null}");
    }

    @Test
    public void aCreateWhoseOperationFailsLikeIncusForAMissingImageIsPermanent() throws Exception {
        String name = LxdDriver.instanceName(spec().fingerprint());
        serve(line -> switch (line) {
            case "POST /1.0/instances" -> json(202, "{\"type\":\"async\",\"operation\":\"/1.0/operations/c\"}");
            case "GET /1.0/operations/c/wait?timeout=1" -> incusFailedOperation("Image not provided for instance creation");
            default -> json(404, "{\"type\":\"error\",\"error_code\":404,\"error\":\"Instance not found\"}");
        });
        try (LxdDriver d = driver()) {
            d.create(spec());
            fail();
        } catch (CloudException e) {
            assertEquals("a failed create is configuration, not an outage", CloudException.Kind.PERMANENT, e.kind());
            assertTrue(e.getMessage(), e.getMessage().contains("Image not provided"));
        }
        assertEquals("the driver looks for an instance of that name, and starts nothing",
                List.of("POST /1.0/instances", "GET /1.0/operations/c/wait?timeout=1", "GET /1.0/instances/" + name),
                requests);
    }

    @Test
    public void aCreateSentAgainThatIncusFailsInItsOperationFinishesTheFirstInstance() throws Exception {
        String name = LxdDriver.instanceName(spec().fingerprint());
        serve(line -> {
            if (line.equals("POST /1.0/instances")) {
                return json(202, "{\"type\":\"async\",\"operation\":\"/1.0/operations/c\"}");
            }
            if (line.equals("GET /1.0/operations/c/wait?timeout=1")) {
                // Incus finds a name in use only inside the operation, where LXD answers the POST with 409
                return incusFailedOperation("Failed creating instance record: Add instance info to the database: "
                        + "Failed to create instances entry: UNIQUE constraint failed: instances.project_id, instances.name");
            }
            if (line.equals("GET /1.0/instances/" + name)) {
                return json(200, "{\"type\":\"sync\",\"metadata\":{\"name\":\"" + name + "\",\"status\":\"Stopped\","
                        + "\"config\":{\"user.tollgate.controller\":\"ctl\",\"user.tollgate.cloud\":\"lxd\","
                        + "\"user.tollgate.template\":\"bb\",\"user.tollgate.agent\":\"agent-1\","
                        + "\"user.tollgate.created-at\":\"2026-01-01T00:00:00Z\"}}}");
            }
            if (line.startsWith("PUT ") || line.endsWith("/exec")) {
                return json(202, "{\"type\":\"async\",\"operation\":\"/1.0/operations/s\"}");
            }
            return json(200, "{\"type\":\"sync\",\"metadata\":{\"status\":\"Success\"}}");
        });
        try (LxdDriver d = driver()) {
            assertEquals(name, d.create(spec()).id());
        }
        assertEquals("the first attempt's instance is started and given its agent",
                List.of("POST /1.0/instances", "GET /1.0/operations/c/wait?timeout=1", "GET /1.0/instances/" + name,
                        "PUT /1.0/instances/" + name + "/state", "GET /1.0/operations/s/wait?timeout=1",
                        "POST /1.0/instances/" + name + "/exec"), requests);
    }
}
