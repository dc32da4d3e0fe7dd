package dev.tollgate.openstack;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP server in front of one real OpenStack API, for the faults a real control plane will not give
 * on demand: it forwards every request to the real service, except those matched by a queued fault,
 * which get the fault's status and body instead (5xx, 429 with Retry-After, quota 403) or no answer at
 * all until the proxy closes (a hang, which the client's read timeout ends). Faults apply once each,
 * in order, to the first request whose method and path (with its query) match. Thread-safe.
 */
final class FaultyApiProxy implements AutoCloseable {
    private static final Set<String> HOP = Set.of("host", "connection", "content-length", "transfer-encoding", "upgrade",
            "keep-alive", "expect");

    record Fault(String method, String pathContains, int status, String body, boolean hang) {
    }

    private final URI target;
    private final HttpServer server;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final Deque<Fault> faults = new ConcurrentLinkedDeque<>();
    private final CountDownLatch closing = new CountDownLatch(1);
    final AtomicInteger injected = new AtomicInteger();

    FaultyApiProxy(URI target) throws IOException {
        this.target = target;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "faulty-api-proxy");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    /** The proxy's base URL with the target's path. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + target.getPath();
    }

    /** Rewrites a catalog URL of the target service to go through the proxy. */
    String rewrite(String catalogUrl) {
        String base = target.getScheme() + "://" + target.getAuthority();
        return catalogUrl != null && catalogUrl.startsWith(base)
                ? "http://127.0.0.1:" + server.getAddress().getPort() + catalogUrl.substring(base.length()) : catalogUrl;
    }

    void failNext(String method, String pathContains, int status, String body) {
        faults.add(new Fault(method, pathContains, status, body, false));
    }

    void hangNext(String method, String pathContains) {
        faults.add(new Fault(method, pathContains, 0, null, true));
    }

    private Fault take(String method, String path) {
        for (Fault f : faults) {
            if (f.method().equals(method) && path.contains(f.pathContains()) && faults.remove(f)) {
                return f;
            }
        }
        return null;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            String query = ex.getRequestURI().getRawQuery();
            // a fault may name a query parameter too (e.g. the marker of a listing's second page)
            Fault f = take(ex.getRequestMethod(), query == null ? path : path + "?" + query);
            byte[] body = ex.getRequestBody().readAllBytes();
            if (f != null) {
                injected.incrementAndGet();
                if (f.hang()) {
                    closing.await(10, TimeUnit.MINUTES); // no answer: the client's read timeout ends the call
                    return;
                }
                byte[] out = f.body().getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Content-Type", "application/json");
                if (f.status() == 429 || f.status() == 503) {
                    ex.getResponseHeaders().add("Retry-After", "1");
                }
                ex.sendResponseHeaders(f.status(), out.length);
                ex.getResponseBody().write(out);
                return;
            }
            URI to = URI.create(target.getScheme() + "://" + target.getAuthority() + path + (query == null ? "" : "?" + query));
            HttpRequest.Builder rb = HttpRequest.newBuilder(to).timeout(Duration.ofMinutes(2))
                    .method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            ex.getRequestHeaders().forEach((k, vs) -> {
                if (!HOP.contains(k.toLowerCase())) {
                    vs.forEach(v -> rb.header(k, v));
                }
            });
            HttpResponse<InputStream> res = client.send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
            res.headers().map().forEach((k, vs) -> {
                if (!HOP.contains(k.toLowerCase()) && !k.startsWith(":")) {
                    vs.forEach(v -> ex.getResponseHeaders().add(k, v));
                }
            });
            byte[] out;
            try (InputStream in = res.body()) {
                out = in.readAllBytes();
            }
            ex.sendResponseHeaders(res.statusCode(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(out);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    List<Fault> pending() {
        return List.copyOf(faults);
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
    }
}
