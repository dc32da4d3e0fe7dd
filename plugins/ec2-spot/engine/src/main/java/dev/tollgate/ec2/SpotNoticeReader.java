package dev.tollgate.ec2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads EC2's spot interruption notice on the instance itself, from the instance metadata service
 * with IMDSv2 (the launch requires it): {@code PUT /latest/api/token} with
 * {@code X-aws-ec2-metadata-token-ttl-seconds} for a session token, then
 * {@code GET /latest/meta-data/spot/instance-action} with {@code X-aws-ec2-metadata-token}. 404 means
 * no notice; 200 carries {@code {"action":"terminate","time":"2026-11-28T11:02:00Z"}}. No EC2 API call
 * and no credentials: this is what the agent's side runs every few seconds, handing the result to the
 * controller's {@code CloudEngine.interruptionNoticed} (a notice) or {@code interruptionWatchReport}
 * (none).
 *
 * <p>Every request has a connect and a response timeout, so a read never hangs; a failure is an
 * {@link IOException} naming the step. The session token is kept until shortly before its TTL ends
 * (by the injected clock) and fetched again when the service answers 401. Thread-safe: reads are
 * serialised, so concurrent callers share one token.
 */
public final class SpotNoticeReader {
    /** The link-local address of the instance metadata service on every EC2 instance. */
    public static final URI INSTANCE_METADATA = URI.create("http://169.254.169.254");
    static final String TOKEN_PATH = "/latest/api/token";
    static final String NOTICE_PATH = "/latest/meta-data/spot/instance-action";
    static final String TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds";
    static final String TOKEN_HEADER = "X-aws-ec2-metadata-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the notice says: the action EC2 will take (terminate, stop, hibernate) and when. */
    public record Notice(String action, Instant time) {
        public Notice {
            Objects.requireNonNull(action, "action");
            Objects.requireNonNull(time, "time");
        }
    }

    private final URI endpoint;
    private final Duration timeout;
    private final Duration tokenTtl;
    private final Clock clock;
    private final HttpClient http;
    private String token;
    private Instant tokenUntil = Instant.MIN;

    /**
     * @param endpoint the metadata service ({@link #INSTANCE_METADATA} on an instance)
     * @param timeout  for connecting and for each response; the service answers in milliseconds, so 1-2 s
     * @param tokenTtl the session token's life asked for, 1 s to 6 h
     */
    public SpotNoticeReader(URI endpoint, Duration timeout, Duration tokenTtl, Clock clock) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.tokenTtl = Objects.requireNonNull(tokenTtl, "tokenTtl");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        if (tokenTtl.getSeconds() < 1 || tokenTtl.getSeconds() > 21600) {
            throw new IllegalArgumentException("tokenTtl must be 1 s to 6 h, was " + tokenTtl);
        }
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    /** On the instance: the real service, 2 s timeouts, 6-hour tokens, the system clock. */
    public static SpotNoticeReader onInstance() {
        return new SpotNoticeReader(INSTANCE_METADATA, Duration.ofSeconds(2), Duration.ofHours(6), Clock.systemUTC());
    }

    /** The notice if EC2 has given one, empty if not (404). */
    public synchronized Optional<Notice> read() throws IOException {
        HttpResponse<String> r = getNotice(token());
        if (r.statusCode() == 401) { // the token expired or the service restarted: one fresh token
            token = null;
            r = getNotice(token());
        }
        return switch (r.statusCode()) {
            case 404 -> Optional.empty();
            case 200 -> Optional.of(parse(r.body()));
            default -> throw new IOException("instance metadata " + NOTICE_PATH + " answered HTTP " + r.statusCode());
        };
    }

    private String token() throws IOException {
        Instant now = clock.instant();
        if (token != null && now.isBefore(tokenUntil)) {
            return token;
        }
        HttpRequest put = HttpRequest.newBuilder(endpoint.resolve(TOKEN_PATH)).timeout(timeout)
                .header(TTL_HEADER, Long.toString(tokenTtl.getSeconds()))
                .PUT(HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> r = send(put, "token");
        if (r.statusCode() != 200 || r.body().isBlank()) {
            throw new IOException("instance metadata " + TOKEN_PATH + " answered HTTP " + r.statusCode()
                    + (r.statusCode() == 200 ? " without a token" : ""));
        }
        token = r.body().strip();
        // renew a little early (a tenth of the TTL) so a token never expires between PUT and GET
        tokenUntil = now.plus(tokenTtl.minus(tokenTtl.dividedBy(10)));
        return token;
    }

    private HttpResponse<String> getNotice(String t) throws IOException {
        HttpRequest get = HttpRequest.newBuilder(endpoint.resolve(NOTICE_PATH)).timeout(timeout)
                .header(TOKEN_HEADER, t).GET().build();
        return send(get, "notice");
    }

    private HttpResponse<String> send(HttpRequest req, String step) throws IOException {
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading the instance metadata " + step, e);
        } catch (IOException e) {
            throw new IOException("instance metadata " + step + " at " + endpoint + " failed: " + e, e);
        }
    }

    static Notice parse(String body) throws IOException {
        JsonNode n;
        try {
            n = JSON.readTree(body);
        } catch (IOException e) {
            throw new IOException("malformed spot notice (not JSON)", e);
        }
        if (n == null || !n.path("action").isTextual() || !n.path("time").isTextual()) {
            throw new IOException("malformed spot notice: action and time are required");
        }
        try {
            return new Notice(n.get("action").asText(), Instant.parse(n.get("time").asText()));
        } catch (DateTimeParseException e) {
            throw new IOException("malformed spot notice time: " + e.getParsedString(), e);
        }
    }
}
