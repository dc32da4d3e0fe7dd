package dev.tollgate.openstack;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.cloud.port.CloudException;
import dev.tollgate.cloud.port.CloudException.Kind;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Date;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import org.openstack4j.api.identity.EndpointURLResolver;
import org.openstack4j.model.identity.URLResolverParams;
import org.openstack4j.openstack.identity.internal.DefaultEndpointURLResolver;
import org.openstack4j.api.OSClient.OSClientV3;
import org.openstack4j.api.types.Facing;
import org.openstack4j.core.transport.Config;
import org.openstack4j.openstack.OSFactory;
import org.openstack4j.openstack.identity.v3.domain.KeystoneToken;

/**
 * A Keystone v3 token for the driver, and openstack4j clients built on it.
 *
 * <p>The token is got here (one {@code POST /v3/auth/tokens}), not by openstack4j's builder, because
 * openstack4j 3.12 has no application-credential method; both kinds of credential take the same path.
 * It is reused until five minutes before it expires (measured on the monotonic clock, since the
 * engine's clock may be a test's) or until a call answers 401.
 *
 * <p>Thread-safe. openstack4j keeps its session in a thread-local, so {@link #client()} builds a client
 * for the calling thread from the shared token each time (no HTTP call).
 */
final class KeystoneSession {
    private static final Duration MARGIN = Duration.ofMinutes(5);
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.UNWRAP_ROOT_VALUE, true)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final ObjectMapper PLAIN = new ObjectMapper();

    private final OpenStackCloudConfig config;
    private final HttpClient http;
    private final Config transport;
    private final Facing facing;
    private final LongSupplier nanoTime;
    private final Runnable onCall;

    private KeystoneToken token; // guarded by this
    private long renewAtNanos; // guarded by this

    KeystoneSession(OpenStackCloudConfig config, LongSupplier nanoTime, Runnable onCall) {
        this(config, nanoTime, onCall, null);
    }

    /** {@code endpoints} (null = none) rewrites each service URL the catalog gives (tests: through a fault-injecting proxy). */
    KeystoneSession(OpenStackCloudConfig config, LongSupplier nanoTime, Runnable onCall, UnaryOperator<String> endpoints) {
        this.config = config;
        this.nanoTime = nanoTime;
        this.onCall = onCall;
        this.http = HttpClient.newBuilder().connectTimeout(config.connectTimeout()).build();
        this.transport = Config.newConfig()
                .withConnectionTimeout((int) config.connectTimeout().toMillis())
                .withReadTimeout((int) config.readTimeout().toMillis());
        if (endpoints != null) {
            DefaultEndpointURLResolver catalog = new DefaultEndpointURLResolver();
            transport.withEndpointURLResolver(new EndpointURLResolver() {
                @Override
                public String findURLV2(URLResolverParams p) {
                    return endpoints.apply(catalog.findURLV2(p));
                }

                @Override
                public String findURLV3(URLResolverParams p) {
                    return endpoints.apply(catalog.findURLV3(p));
                }
            });
        }
        this.facing = switch (config.endpointInterface()) {
            case "internal" -> Facing.INTERNAL;
            case "admin" -> Facing.ADMIN;
            default -> Facing.PUBLIC;
        };
    }

    /** A client bound to the calling thread, on a token valid for at least a few more minutes. */
    OSClientV3 client() throws CloudException {
        KeystoneToken t = token();
        OSClientV3 os = OSFactory.clientFromToken(t, facing, transport);
        if (config.region() != null) {
            os.useRegion(config.region());
        }
        return os;
    }

    /** Forget the token (a call answered 401: revoked or expired early); the next call authenticates. */
    synchronized void invalidate() {
        token = null;
    }

    /** The project the token is scoped to (the application credential's own, or the configured one). */
    String projectId() throws CloudException {
        return token().getProject().getId();
    }

    /** The token (authenticating first if it is due): who the driver is, its project, and the catalog. */
    KeystoneToken current() throws CloudException {
        return token();
    }

    private synchronized KeystoneToken token() throws CloudException {
        if (token == null || nanoTime.getAsLong() - renewAtNanos >= 0) {
            token = authenticate();
            Date issued = token.getIssuedAt();
            Date expires = token.getExpires();
            long life = issued != null && expires != null ? expires.getTime() - issued.getTime() : Duration.ofHours(1).toMillis();
            long reuse = Math.max(Duration.ofMinutes(1).toMillis(), life - MARGIN.toMillis());
            renewAtNanos = nanoTime.getAsLong() + Duration.ofMillis(reuse).toNanos();
        }
        return token;
    }

    private KeystoneToken authenticate() throws CloudException {
        String url = config.authUrl().toString().replaceAll("/+$", "") + "/auth/tokens";
        HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(config.readTimeout())
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body())).build();
        HttpResponse<String> res;
        onCall.run();
        try {
            res = http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new CloudException(Kind.TRANSIENT, "Connection", "Keystone " + url + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CloudException(Kind.TRANSIENT, "Interrupted", "Keystone authentication interrupted", e);
        }
        if (res.statusCode() != 201 && res.statusCode() != 200) {
            CloudException mapped = OpenStackErrors.ofStatus("Keystone authentication as " + config.credentials(),
                    res.statusCode(), res.statusCode() == 401 ? "the credentials were refused" : shorten(res.body()), null);
            throw mapped;
        }
        String id = res.headers().firstValue("X-Subject-Token").orElseThrow(() -> new CloudException(Kind.TRANSIENT,
                "NoToken", "Keystone answered " + res.statusCode() + " without an X-Subject-Token header"));
        try {
            KeystoneToken t = JSON.readValue(res.body(), KeystoneToken.class);
            t.setId(id);
            t.setEndpoint(config.authUrl().toString().replaceAll("/+$", ""));
            if (t.getProject() == null) {
                throw new CloudException(Kind.PERMANENT, "Unscoped", "Keystone gave a token without a project scope for "
                        + config.credentials());
            }
            return t;
        } catch (IOException e) {
            throw new CloudException(Kind.TRANSIENT, "BadToken", "Keystone's token could not be read: " + e.getMessage(), e);
        }
    }

    private String body() {
        ObjectNode auth = PLAIN.createObjectNode();
        ObjectNode identity = auth.putObject("auth").putObject("identity");
        if (config.credentials() instanceof OpenStackCredentials.Password p) {
            identity.putArray("methods").add("password");
            ObjectNode user = identity.putObject("password").putObject("user");
            user.put("name", p.user()).put("password", p.password()).putObject("domain").put("name", p.userDomain());
            ObjectNode project = ((ObjectNode) auth.get("auth")).putObject("scope").putObject("project");
            project.put("name", p.project()).putObject("domain").put("name", p.projectDomain());
        } else if (config.credentials() instanceof OpenStackCredentials.ApplicationCredential a) {
            identity.putArray("methods").add("application_credential");
            identity.putObject("application_credential").put("id", a.id()).put("secret", a.secret());
        }
        return auth.toString();
    }

    private static String shorten(String s) {
        return s == null ? "" : s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
