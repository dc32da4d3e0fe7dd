package dev.tollgate.lxd;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.tollgate.cloud.port.CloudException;
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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.After;
import org.junit.Test;

/** The hand-rolled HTTP/1.1 over the unix socket, against a scripted server on a unix socket. */
public class UnixSocketTransportTest {
    private final Path dir;
    private final Path socket;
    private ServerSocketChannel server;
    private Thread serving;
    private final BlockingQueue<String> requests = new LinkedBlockingQueue<>();
    private final CountDownLatch release = new CountDownLatch(1);

    public UnixSocketTransportTest() throws Exception {
        dir = Files.createTempDirectory("uds");
        socket = dir.resolve("s");
    }

    @After
    public void stop() throws Exception {
        release.countDown();
        if (server != null) {
            server.close();
        }
        if (serving != null) {
            serving.join(10_000);
        }
        Files.deleteIfExists(socket);
        Files.deleteIfExists(dir);
    }

    /** Answers each connection with what {@code answer} makes of the request head; null = never answer. */
    private void serve(Function<String, String> answer) throws Exception {
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        serving = new Thread(() -> {
            while (server.isOpen()) {
                try (SocketChannel c = server.accept()) {
                    ByteArrayOutputStream in = new ByteArrayOutputStream();
                    ByteBuffer b = ByteBuffer.allocate(4096);
                    while (!in.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n") && c.read(b) > 0) {
                        in.write(b.array(), 0, b.position());
                        b.clear();
                    }
                    String head = in.toString(StandardCharsets.ISO_8859_1);
                    requests.add(head);
                    String out = answer.apply(head);
                    if (out == null) {
                        release.await(30, TimeUnit.SECONDS);
                        continue;
                    }
                    ByteBuffer o = ByteBuffer.wrap(out.getBytes(StandardCharsets.ISO_8859_1));
                    while (o.hasRemaining()) {
                        c.write(o);
                    }
                } catch (Exception e) {
                    return; // closed
                }
            }
        }, "uds-server");
        serving.setDaemon(true);
        serving.start();
    }

    private LxdClient client(Duration timeout) {
        return new LxdClient(new UnixSocketTransport(socket), timeout, null);
    }

    @Test
    public void contentLengthAndHeaders() throws Exception {
        String body = "{\"type\":\"sync\",\"metadata\":{\"x\":1}}";
        serve(h -> "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
        assertEquals(1, client(Duration.ofSeconds(10)).get("/1.0/x").path("x").asInt());
        String head = requests.take();
        assertTrue(head, head.startsWith("GET /1.0/x HTTP/1.1\r\n"));
        assertTrue(head, head.contains("Host: lxd\r\n"));
    }

    @Test
    public void chunkedBodies() throws Exception {
        serve(h -> "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "a\r\n{\"type\":\"s\r\n" + "1c;ext=1\r\nync\",\"metadata\":[1,2,3,4,5]}\r\n" + "0\r\n\r\n");
        assertEquals(5, client(Duration.ofSeconds(10)).get("/1.0/instances?recursion=1").size());
    }

    @Test
    public void aBodyUntilTheConnectionCloses() throws Exception {
        serve(h -> "HTTP/1.1 200 OK\r\n\r\n{\"type\":\"sync\",\"metadata\":\"all\"}");
        assertEquals("all", client(Duration.ofSeconds(10)).get("/1.0").asText());
    }

    @Test
    public void lxdErrorsBecomeCloudExceptions() throws Exception {
        String body = "{\"type\":\"error\",\"error_code\":404,\"error\":\"Instance not found\"}";
        serve(h -> "HTTP/1.1 404 Not Found\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
        try {
            client(Duration.ofSeconds(10)).get("/1.0/instances/x");
            fail();
        } catch (CloudException e) {
            assertEquals(CloudException.Kind.NOT_FOUND, e.kind());
            assertTrue(e.getMessage(), e.getMessage().contains("Instance not found"));
        }
    }

    @Test
    public void anAnswerSentBeforeTheBodyWasReadIsStillRead() throws Exception {
        // LXD answers 404 for an instance that is gone and closes without reading the request body
        String body = "{\"type\":\"error\",\"error_code\":404,\"error\":\"Instance not found\"}";
        serve(h -> "HTTP/1.1 404 Not Found\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
        byte[] big = ("{\"pad\":\"" + "x".repeat(4 * 1024 * 1024) + "\"}").getBytes(StandardCharsets.US_ASCII);
        LxdTransport.Response r = new UnixSocketTransport(socket).send("PUT", "/1.0/instances/gone/state", big,
                Duration.ofSeconds(10));
        assertEquals(404, r.status());
    }

    @Test
    public void garbageIsAClearError() throws Exception {
        serve(h -> "SSH-2.0-OpenSSH\r\n\r\n");
        try {
            client(Duration.ofSeconds(10)).get("/1.0");
            fail();
        } catch (CloudException e) {
            assertEquals(CloudException.Kind.TRANSIENT, e.kind());
            assertTrue(e.getMessage(), e.getMessage().contains("not an HTTP answer"));
        }
    }

    @Test
    public void aDaemonThatNeverAnswersIsTransientAtTheDeadline() throws Exception {
        serve(h -> null);
        try {
            client(Duration.ofMillis(300)).get("/1.0");
            fail();
        } catch (CloudException e) {
            assertEquals(CloudException.Kind.TRANSIENT, e.kind());
            assertTrue(e.getMessage(), e.getMessage().contains("did not answer in time"));
        }
    }

    @Test
    public void noSocketIsTransient() {
        try {
            client(Duration.ofSeconds(5)).get("/1.0");
            fail();
        } catch (CloudException e) {
            assertEquals(CloudException.Kind.TRANSIENT, e.kind());
        }
    }
}
