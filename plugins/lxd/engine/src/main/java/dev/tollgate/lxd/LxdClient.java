package dev.tollgate.lxd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.tollgate.cloud.port.CloudException;
import dev.tollgate.cloud.port.CloudException.Kind;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * LXD's REST API over a {@link LxdTransport}: the JSON envelope ({@code sync}, {@code async} with its
 * operation, {@code error}), waiting for operations ({@code GET /1.0/operations/{id}/wait}, one
 * request per operation: no event stream to keep open), and LXD's errors as {@link CloudException}s.
 * Counts its requests per kind for benchmarks and tests.
 *
 * <p>Thread-safe.
 */
public final class LxdClient implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private final LxdTransport transport;
    private final Duration requestTimeout;
    private final String project;
    private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();

    /**
     * @param project LXD project the instances live in, or null for the default project
     */
    public LxdClient(LxdTransport transport, Duration requestTimeout, String project) {
        this.transport = transport;
        this.requestTimeout = requestTimeout;
        this.project = project;
    }

    /** A sync answer's {@code metadata}. */
    public JsonNode get(String path) throws CloudException {
        return call("GET", path, null, requestTimeout).path("metadata");
    }

    /**
     * Sends a request LXD answers with an operation (or sync), waits up to {@code wait} for the
     * operation to end and returns the operation's metadata (or the sync metadata).
     */
    public JsonNode callAndWait(String method, String path, Object body, Duration wait) throws CloudException {
        JsonNode env = call(method, path, body, requestTimeout);
        if (!"async".equals(env.path("type").asText())) {
            return env.path("metadata");
        }
        return waitFor(env.path("operation").asText(), wait);
    }

    /** Sends a request and returns the envelope: for async calls that the caller does not wait for. */
    public JsonNode call(String method, String path, Object body) throws CloudException {
        return call(method, path, body, requestTimeout);
    }

    /** Waits for the operation at {@code opPath} to end; a failed operation is a CloudException. */
    public JsonNode waitFor(String opPath, Duration wait) throws CloudException {
        long secs = Math.max(1, wait.toSeconds());
        String path = opPath + "/wait?timeout=" + secs;
        Answer a = exchange("GET", path, null, wait.plus(requestTimeout));
        if (a.status() < 300 && "error".equals(a.envelope().path("type").asText())) {
            // Incus answers the wait for a failed operation with HTTP 200 and an error envelope holding the
            // operation's err (LXD: a sync envelope whose metadata has status Failure). The wait itself
            // worked, so the operation's message decides, not the envelope's error_code (500)
            String err = a.envelope().path("error").asText("operation failed");
            throw new CloudException(operationFailureKind(err), "OperationFailed", "LXD operation failed: " + err);
        }
        JsonNode op = checked("GET", path, a).path("metadata");
        String status = op.path("status").asText();
        if ("Success".equals(status)) {
            return op;
        }
        if ("Running".equals(status) || "Pending".equals(status)) {
            throw new CloudException(Kind.TRANSIENT, "OperationTimeout",
                    op.path("description").asText("LXD operation") + " still " + status + " after " + secs + " s");
        }
        String err = op.path("err").asText(status);
        throw new CloudException(operationFailureKind(err), "OperationFailed",
                op.path("description").asText("LXD operation") + " failed: " + err);
    }

    private JsonNode call(String method, String path, Object body, Duration timeout) throws CloudException {
        return checked(method, path, exchange(method, path, body, timeout));
    }

    /** An answer read whole: its HTTP status and JSON envelope (a null node for an empty body). */
    private record Answer(int status, JsonNode envelope) {
    }

    /** Sends one request and reads its answer; trouble reaching the daemon or a non-JSON answer throws. */
    private Answer exchange(String method, String path, Object body, Duration timeout) throws CloudException {
        calls.computeIfAbsent(method + " " + shape(path), k -> new LongAdder()).increment();
        byte[] json;
        try {
            json = body == null ? null : JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new CloudException(Kind.PERMANENT, "BadRequest", "cannot write the LXD request: " + e.getMessage(), e);
        }
        LxdTransport.Response r;
        try {
            r = transport.send(method, withProject(path), json, timeout);
        } catch (javax.net.ssl.SSLHandshakeException e) {
            // a certificate that does not match the pin, or a client certificate the daemon rejects
            throw new CloudException(Kind.PERMANENT, "TLS", "TLS handshake with " + transport.describe()
                    + " failed: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new CloudException(Kind.TRANSIENT, null, method + " " + path + " to " + transport.describe()
                    + " failed: " + e, e);
        }
        JsonNode env;
        try {
            env = r.body().length == 0 ? NullNode.getInstance() : JSON.readTree(r.body());
        } catch (IOException e) {
            throw new CloudException(r.status() >= 500 ? Kind.TRANSIENT : Kind.PERMANENT, "HTTP " + r.status(),
                    method + " " + path + ": LXD answered HTTP " + r.status() + " without JSON", e);
        }
        return new Answer(r.status(), env);
    }

    /** The envelope of a successful answer; an error status or envelope is a CloudException. */
    private static JsonNode checked(String method, String path, Answer a) throws CloudException {
        JsonNode env = a.envelope();
        if (a.status() >= 300 || "error".equals(env.path("type").asText())) {
            int code = env.path("error_code").asInt(a.status());
            String msg = env.path("error").asText("HTTP " + a.status());
            throw new CloudException(kindOf(code, msg), "HTTP " + code, method + " " + path + ": " + msg);
        }
        return env;
    }

    /** LXD answers errors with an HTTP status and a message; the status carries the meaning. */
    static Kind kindOf(int status, String message) {
        if (status == 404) {
            return Kind.NOT_FOUND;
        }
        if (status == 429) {
            return Kind.THROTTLED;
        }
        if (status == 507 || message.toLowerCase(java.util.Locale.ROOT).contains("no space left")) {
            return Kind.CAPACITY;
        }
        if (status >= 500 || status == 408) {
            return Kind.TRANSIENT;
        }
        return Kind.PERMANENT; // 400 bad config, 403 not trusted, 409 conflicts the caller handles
    }

    /** A failed operation: its message is all LXD gives. */
    static Kind operationFailureKind(String err) {
        String e = err.toLowerCase(java.util.Locale.ROOT);
        if (e.contains("no space left") || e.contains("quota")) {
            return Kind.CAPACITY;
        }
        if (e.contains("not found")) {
            return Kind.PERMANENT; // an image or profile that is not there: configuration
        }
        if (e.contains("timeout") || e.contains("timed out") || e.contains("connection")) {
            return Kind.TRANSIENT;
        }
        return Kind.PERMANENT;
    }

    private String withProject(String path) {
        if (project == null || path.startsWith("/1.0/operations/")) {
            return path;
        }
        return path + (path.contains("?") ? "&" : "?") + "project=" + URLEncoder.encode(project, StandardCharsets.UTF_8);
    }

    /** The path without instance names or operation ids, so counts group by kind of call. */
    private static String shape(String path) {
        java.util.regex.Matcher rec = java.util.regex.Pattern.compile("[?&](recursion=\\d+)").matcher(path);
        String p = path.replaceAll("\\?.*$", "") + (rec.find() ? "?" + rec.group(1) : "");
        p = p.replaceAll("^/1\\.0/operations/[^/]+", "/1.0/operations/{id}");
        p = p.replaceAll("^/1\\.0/instances/[^/]+", "/1.0/instances/{name}");
        return p;
    }

    /** Requests made so far, by method and path shape. */
    public Map<String, Long> calls() {
        Map<String, Long> out = new java.util.TreeMap<>();
        calls.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    public long totalCalls() {
        return calls.values().stream().mapToLong(LongAdder::sum).sum();
    }

    public String endpoint() {
        return transport.describe();
    }

    static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public void close() {
        transport.close();
    }
}
