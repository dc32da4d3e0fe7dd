package dev.tollgate.pipeline.gerrit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** A local HTTP server answering what each test scripts, recording every request. */
final class FakeGerritHttp implements AutoCloseable {
    record Request(String method, String uri, String body, String authorization) {}

    record Answer(int status, String body, long delayMillis) {
        static Answer of(int status, String body) {
            return new Answer(status, body, 0);
        }
    }

    final HttpServer server;
    final List<Request> requests = new ArrayList<>();
    volatile Function<Request, Answer> handler = r -> Answer.of(404, "Not found");
    private final java.util.concurrent.ExecutorService handlers = java.util.concurrent.Executors.newCachedThreadPool();

    FakeGerritHttp() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(handlers);
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    synchronized List<Request> requests() {
        return new ArrayList<>(requests);
    }

    long count(String method, String pathPart) {
        return requests().stream().filter(r -> r.method.equals(method) && r.uri.contains(pathPart)).count();
    }

    private void handle(HttpExchange ex) throws IOException {
        Request r = new Request(ex.getRequestMethod(), ex.getRequestURI().toString(),
                new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8),
                ex.getRequestHeaders().getFirst("Authorization"));
        synchronized (this) {
            requests.add(r);
        }
        Answer a = handler.apply(r);
        if (a.delayMillis() > 0) {
            try {
                Thread.sleep(a.delayMillis()); // a slow server: the client's time-out is under test
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
        try {
            ex.sendResponseHeaders(a.status(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                ex.getResponseBody().write(body);
            }
        } catch (IOException gone) {
            // the client gave up first
        }
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
        handlers.shutdownNow(); // ends a handler still holding back a late answer
    }
}
