package dev.tollgate.lxd;

import dev.tollgate.cloud.AgentTemplate;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One LXD cloud: the daemon, its templates (the same list the engine's {@code CloudSettings} gets) and
 * the image servers templates may name.
 *
 * @param cloudName        as in the engine's settings (goes into fingerprints)
 * @param endpoint         the daemon
 * @param templates        templates with their {@link LxdOptions}
 * @param project          LXD project, or null for {@code default}
 * @param imageRemotes     image servers by name, e.g. {@code images} for
 *                         {@code https://images.linuxcontainers.org} (simplestreams)
 * @param requestTimeout   longest wait for one API answer; default 30 s
 * @param operationTimeout longest wait for an operation (create from an image may download it); default 5 min
 */
public record LxdCloudConfig(String cloudName, LxdEndpoint endpoint, List<AgentTemplate<LxdOptions>> templates,
                             String project, Map<String, ImageRemote> imageRemotes, Duration requestTimeout,
                             Duration operationTimeout) {

    /** An image server: URL and protocol ({@code simplestreams} or {@code lxd}). */
    public record ImageRemote(URI url, String protocol) {
        public ImageRemote {
            Objects.requireNonNull(url, "url");
            protocol = protocol == null ? "simplestreams" : protocol;
        }
    }

    public LxdCloudConfig {
        Objects.requireNonNull(endpoint, "endpoint");
        templates = List.copyOf(templates);
        imageRemotes = imageRemotes == null ? Map.of() : Map.copyOf(imageRemotes);
        requestTimeout = requestTimeout == null ? Duration.ofSeconds(30) : requestTimeout;
        operationTimeout = operationTimeout == null ? Duration.ofMinutes(5) : operationTimeout;
        List<String> p = new ArrayList<>();
        for (AgentTemplate<LxdOptions> t : templates) {
            String r = t.options().imageRemote();
            if (r != null && !imageRemotes.containsKey(r)) {
                p.add("template '" + t.name() + "': image remote '" + r + "' is not configured");
            }
        }
        if (!p.isEmpty()) {
            throw new IllegalArgumentException("LXD cloud '" + cloudName + "': " + String.join("; ", p));
        }
    }

    public static LxdCloudConfig of(String cloudName, LxdEndpoint endpoint, List<AgentTemplate<LxdOptions>> templates) {
        return new LxdCloudConfig(cloudName, endpoint, templates, null, Map.of(), null, null);
    }

    public LxdCloudConfig withEndpoint(LxdEndpoint e) {
        return new LxdCloudConfig(cloudName, e, templates, project, imageRemotes, requestTimeout, operationTimeout);
    }

    public LxdCloudConfig withImageRemotes(Map<String, ImageRemote> r) {
        return new LxdCloudConfig(cloudName, endpoint, templates, project, r, requestTimeout, operationTimeout);
    }

    public LxdCloudConfig withProject(String p) {
        return new LxdCloudConfig(cloudName, endpoint, templates, p, imageRemotes, requestTimeout, operationTimeout);
    }

    public LxdCloudConfig withTimeouts(Duration request, Duration operation) {
        return new LxdCloudConfig(cloudName, endpoint, templates, project, imageRemotes, request, operation);
    }

    public Optional<AgentTemplate<LxdOptions>> template(String name) {
        return templates.stream().filter(t -> t.name().equals(name)).findFirst();
    }
}
