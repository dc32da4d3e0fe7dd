package dev.tollgate.pipeline.gerrit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
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
 * An answer is read up to {@link #MAX_ANSWER_BYTES} and no further: a larger one is an error, not
 * a full heap. Thread-safe.
 */
public final class GerritRest {
    /**
     * The module's JSON reader, for stream lines and REST answers alike. Its string limit is the
     * event size limit, the same as the engine's event parser: an event the engine would process
     * is also one this module can read, and so deduplicate.
     */
    static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength(GerritSshConfig.MAX_EVENT_BYTES).build())
            .build()).build();
    private static final String XSSI_PREFIX = ")]}'";

    /**
     * The largest REST answer read: four events at the size limit, far above a page of 200
     * changes or a day of a busy site's events-log.
     */
    public static final int MAX_ANSWER_BYTES = 64 * 1024 * 1024;

    private final URI base;
    private final Supplier<HttpCredentials> credentials;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final int maxAnswerBytes;

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
        this(base, credentials, connectTimeout, requestTimeout, MAX_ANSWER_BYTES);
    }

    GerritRest(URI base, Supplier<HttpCredentials> credentials, Duration connectTimeout,
               Duration requestTimeout, int maxAnswerBytes) {
        String b = base.toString();
        this.base = URI.create(b.endsWith("/") ? b : b + "/");
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.requestTimeout = requestTimeout;
        if (maxAnswerBytes < 1) {
            throw new IllegalArgumentException("maxAnswerBytes must be positive: " + maxAnswerBytes);
        }
        this.maxAnswerBytes = maxAnswerBytes;
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

    /** The credentials the next request will use (for naming the user in a message; never shown whole). */
    HttpCredentials credentials() {
        return credentials.get();
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
        HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        byte[] body;
        try (InputStream in = r.body()) {
            // readNBytes grows with what arrives; it never allocates the limit up front
            body = in.readNBytes(maxAnswerBytes + 1);
        }
        if (body.length > maxAnswerBytes) {
            throw new IOException("Gerrit's answer to " + req.method() + " " + req.uri().getPath()
                    + " (HTTP " + r.statusCode() + ") is more than " + maxAnswerBytes + " bytes; not read");
        }
        return new Response(r.statusCode(), stripXssi(new String(body, StandardCharsets.UTF_8)));
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
