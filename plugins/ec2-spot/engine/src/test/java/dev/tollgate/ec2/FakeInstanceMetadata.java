package dev.tollgate.ec2;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;

/**
 * The instance metadata service as IMDSv2 speaks it, on 127.0.0.1 and a free port:
 * {@code PUT /latest/api/token} needs {@code X-aws-ec2-metadata-token-ttl-seconds} (1-21600, else 400)
 * and answers a token as text; any GET without a valid token gets 401; {@code GET
 * /latest/meta-data/spot/instance-action} is 404 until a notice is set, then its JSON. Records each
 * request as "METHOD path".
 */
final class FakeInstanceMetadata implements AutoCloseable {
    final List<String> requests = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final List<String> tokens = new CopyOnWriteArrayList<>();
    volatile String noticeJson;
    /** When set, the notice GET holds its answer until the latch opens (a hung service). */
    volatile CountDownLatch hang;

    FakeInstanceMetadata() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(pool);
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The service forgets its tokens (as after the instance's metadata service restarted). */
    void revokeTokens() {
        tokens.clear();
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String path = x.getRequestURI().getPath();
            requests.add(x.getRequestMethod() + " " + path);
            if (x.getRequestMethod().equals("PUT") && path.equals(SpotNoticeReader.TOKEN_PATH)) {
                String ttl = x.getRequestHeaders().getFirst(SpotNoticeReader.TTL_HEADER);
                int s;
                try {
                    s = ttl == null ? -1 : Integer.parseInt(ttl);
                } catch (NumberFormatException e) {
                    s = -1;
                }
                if (s < 1 || s > 21600) {
                    send(x, 400, "");
                    return;
                }
                String t = "AQAEA" + UUID.randomUUID().toString().replace("-", "") + "==";
                tokens.add(t);
                x.getResponseHeaders().add(SpotNoticeReader.TTL_HEADER, ttl);
                send(x, 200, t);
                return;
            }
            if (!x.getRequestMethod().equals("GET")) {
                send(x, 405, "");
                return;
            }
            String t = x.getRequestHeaders().getFirst(SpotNoticeReader.TOKEN_HEADER);
            if (t == null || !tokens.contains(t)) {
                send(x, 401, "");
                return;
            }
            if (path.equals(SpotNoticeReader.NOTICE_PATH)) {
                CountDownLatch h = hang;
                if (h != null) {
                    try {
                        h.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                String n = noticeJson;
                if (n == null) {
                    send(x, 404, "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n<title>404 - Not Found</title>");
                } else {
                    x.getResponseHeaders().add("Content-Type", "text/plain");
                    send(x, 200, n);
                }
                return;
            }
            send(x, 404, "");
        }
    }

    private static void send(HttpExchange x, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            x.getResponseBody().write(b);
        }
    }

    @Override
    public void close() {
        CountDownLatch h = hang;
        if (h != null) {
            h.countDown();
        }
        server.stop(0);
        pool.shutdownNow();
    }
}
