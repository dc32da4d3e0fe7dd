package dev.tollgate.pipeline.gerrit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The little of Gerrit's REST API this module needs, over {@link HttpClient}: authenticated
 * ({@code /a/...}) GET and POST with HTTP basic auth, answers stripped of Gerrit's XSSI prefix
 * {@code )]}'}. HTTP/1.1 is forced: Gerrit does not speak h2c and the upgrade attempt only costs.
 */
public final class GerritRest {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final String XSSI_PREFIX = ")]}'";

    private final URI base;
    private final Supplier<HttpCredentials> credentials;
    private final HttpClient http;
    private final Duration requestTimeout;

    /** An answer: status and body (XSSI prefix removed). */
    public record Response(int status, String body) {
        public boolean ok() {
            return status / 100 == 2;
        }

        public JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    public GerritRest(URI base, Supplier<HttpCredentials> credentials, Duration connectTimeout,
                      Duration requestTimeout) {
        String b = base.toString();
        this.base = URI.create(b.endsWith("/") ? b : b + "/");
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.requestTimeout = requestTimeout;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    public GerritRest(URI base, Supplier<HttpCredentials> credentials) {
        this(base, credentials, Duration.ofSeconds(10), Duration.ofSeconds(30));
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    public URI base() {
        return base;
    }

    /** {@code path} is relative to the server root and starts with {@code a/}. */
    public Response get(String path) throws IOException, InterruptedException {
        return send(request(path).GET().build());
    }

    public Response post(String path, JsonNode body) throws IOException, InterruptedException {
        return send(request(path)
                .header("Content-Type", "application/json; charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body), StandardCharsets.UTF_8))
                .build());
    }

    public Response put(String path, JsonNode body) throws IOException, InterruptedException {
        return send(request(path)
                .header("Content-Type", "application/json; charset=UTF-8")
                .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body), StandardCharsets.UTF_8))
                .build());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path))
                .timeout(requestTimeout)
                .header("Accept", "application/json")
                .header("Authorization", credentials.get().basicAuthorization());
    }

    private Response send(HttpRequest req) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new Response(r.statusCode(), stripXssi(r.body()));
    }

    static String stripXssi(String body) {
        if (body != null && body.startsWith(XSSI_PREFIX)) {
            int nl = body.indexOf('\n');
            return nl < 0 ? "" : body.substring(nl + 1);
        }
        return body == null ? "" : body;
    }

    /** {@code project~number}, the change id form that stays unambiguous across projects. */
    static String changeId(String project, int change) {
        return encode(project) + "~" + change;
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public String toString() {
        return "GerritRest[" + base + "]";
    }
}
