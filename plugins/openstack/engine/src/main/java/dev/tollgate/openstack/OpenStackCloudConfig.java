package dev.tollgate.openstack;

import dev.tollgate.cloud.AgentTemplate;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One OpenStack cloud: where Keystone is, who the driver is, which region and endpoint interface, the
 * templates, and the driver's caching and timeouts. Construction validates everything and throws
 * {@link IllegalArgumentException} listing every problem, so a bad configuration is refused at load
 * time rather than at the first launch. {@link #toString()} never shows a secret.
 *
 * @param cloudName      the fingerprint's cloud name
 * @param authUrl        Keystone v3, e.g. {@code https://keystone.example.org:5000/v3}
 * @param credentials    a password or an application credential
 * @param region         the catalog region; null = the catalog's first endpoint of each service
 * @param endpointInterface {@code public} (default), {@code internal} or {@code admin}
 * @param templates      the cloud's templates; the same list goes to the engine's {@code CloudSettings}
 * @param lookupCacheTtl how long image, flavor, network and security group lookups are reused (a
 *                       replaced image is picked up after this)
 * @param connectTimeout TCP connect timeout of every call
 * @param readTimeout    how long one call may wait for its answer (a hung API becomes TRANSIENT)
 */
public record OpenStackCloudConfig(String cloudName, URI authUrl, OpenStackCredentials credentials, String region,
                                   String endpointInterface, List<AgentTemplate<OpenStackOptions>> templates,
                                   Duration lookupCacheTtl, Duration connectTimeout, Duration readTimeout) {
    public OpenStackCloudConfig {
        templates = templates == null ? List.of() : List.copyOf(templates);
        endpointInterface = endpointInterface == null ? "public" : endpointInterface;
        lookupCacheTtl = lookupCacheTtl == null ? Duration.ofMinutes(5) : lookupCacheTtl;
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(10) : connectTimeout;
        readTimeout = readTimeout == null ? Duration.ofSeconds(60) : readTimeout;
        List<String> p = new ArrayList<>();
        if (cloudName == null || cloudName.isBlank()) {
            p.add("the cloud needs a name");
        }
        if (authUrl == null || authUrl.getScheme() == null || authUrl.getHost() == null
                || !(authUrl.getScheme().equals("http") || authUrl.getScheme().equals("https"))) {
            p.add("authUrl must be Keystone's absolute http(s) URL, got " + authUrl);
        } else if (!authUrl.getPath().replaceAll("/+$", "").endsWith("/v3")) {
            p.add("authUrl must be Keystone's v3 URL (ending in /v3), got " + authUrl);
        }
        if (credentials == null) {
            p.add("credentials (a password or an application credential) are required");
        } else {
            p.addAll(credentials.problems("credentials"));
        }
        if (!List.of("public", "internal", "admin").contains(endpointInterface)) {
            p.add("endpointInterface must be public, internal or admin, got " + endpointInterface);
        }
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (AgentTemplate<OpenStackOptions> t : templates) {
            p.addAll(t.options().problems("template '" + t.name() + "'"));
            if (seen.merge(t.name(), 1, Integer::sum) == 2) {
                p.add("template '" + t.name() + "' is defined twice");
            }
        }
        for (Duration d : List.of(lookupCacheTtl, connectTimeout, readTimeout)) {
            if (d.isNegative()) {
                p.add("durations must not be negative, got " + d);
            }
        }
        if (connectTimeout.isZero() || readTimeout.isZero()) {
            p.add("connectTimeout and readTimeout must be positive: a call without a timeout can hang the cloud");
        }
        if (!p.isEmpty()) {
            throw new IllegalArgumentException("invalid OpenStack cloud configuration:\n  - " + String.join("\n  - ", p));
        }
    }

    public static OpenStackCloudConfig of(String cloudName, URI authUrl, OpenStackCredentials credentials, String region,
                                          List<AgentTemplate<OpenStackOptions>> templates) {
        return new OpenStackCloudConfig(cloudName, authUrl, credentials, region, null, templates, null, null, null);
    }

    public OpenStackCloudConfig withAuthUrl(URI v) {
        return new OpenStackCloudConfig(cloudName, v, credentials, region, endpointInterface, templates, lookupCacheTtl,
                connectTimeout, readTimeout);
    }

    public OpenStackCloudConfig withEndpointInterface(String v) {
        return new OpenStackCloudConfig(cloudName, authUrl, credentials, region, v, templates, lookupCacheTtl,
                connectTimeout, readTimeout);
    }

    public OpenStackCloudConfig withCredentials(OpenStackCredentials v) {
        return new OpenStackCloudConfig(cloudName, authUrl, v, region, endpointInterface, templates, lookupCacheTtl,
                connectTimeout, readTimeout);
    }

    public OpenStackCloudConfig withTimeouts(Duration connect, Duration read) {
        return new OpenStackCloudConfig(cloudName, authUrl, credentials, region, endpointInterface, templates,
                lookupCacheTtl, connect, read);
    }

    public OpenStackCloudConfig withLookupCacheTtl(Duration v) {
        return new OpenStackCloudConfig(cloudName, authUrl, credentials, region, endpointInterface, templates, v,
                connectTimeout, readTimeout);
    }

    public Optional<AgentTemplate<OpenStackOptions>> template(String name) {
        return templates.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    boolean anyFloatingIps() {
        return templates.stream().anyMatch(t -> t.options().usesFloatingIp());
    }

    @Override
    public String toString() {
        return "OpenStackCloudConfig[" + cloudName + ", " + authUrl + ", " + credentials + ", region=" + region
                + ", interface=" + endpointInterface + ", templates=" + templates.stream().map(AgentTemplate::name).toList() + "]";
    }
}
