package dev.tollgate.libvirt;

import dev.tollgate.cloud.AgentTemplate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One libvirt cloud: a connection URI and its templates. Construction validates everything and throws
 * {@link IllegalArgumentException} listing every problem, so a bad configuration is refused when it is
 * loaded, not at the first launch.
 *
 * @param cloudName       the fingerprint's cloud name
 * @param uri             libvirt connection URI: {@code qemu:///system}, {@code qemu+ssh://host/system},
 *                        {@code qemu:///session}, {@code test:///default}...
 * @param templates       the same list the engine's {@code CloudSettings} gets
 * @param shutdownTimeout how long a guest may take to shut down after the ACPI request before the domain
 *                        is destroyed; zero = destroy at once
 */
public record LibvirtCloudConfig(String cloudName, String uri, List<AgentTemplate<LibvirtOptions>> templates,
                                 Duration shutdownTimeout) {
    public LibvirtCloudConfig {
        templates = templates == null ? List.of() : List.copyOf(templates);
        shutdownTimeout = shutdownTimeout == null ? Duration.ofMinutes(2) : shutdownTimeout;
        List<String> p = new ArrayList<>();
        if (cloudName == null || cloudName.isBlank()) {
            p.add("the cloud needs a name");
        }
        if (uri == null || !uri.matches("[a-z][a-z0-9+.-]*:/.*")) {
            p.add("uri must be a libvirt connection URI such as qemu:///system, got " + uri);
        }
        if (shutdownTimeout.isNegative()) {
            p.add("shutdownTimeout must not be negative, got " + shutdownTimeout);
        }
        Map<String, Integer> seen = new LinkedHashMap<>();
        Map<String, String> domainOwner = new LinkedHashMap<>();
        for (AgentTemplate<LibvirtOptions> t : templates) {
            p.addAll(t.options().problems("template '" + t.name() + "'"));
            if (seen.merge(t.name(), 1, Integer::sum) == 2) {
                p.add("template '" + t.name() + "' is defined twice");
            }
            for (String d : t.options().existingDomains()) {
                String other = domainOwner.putIfAbsent(d, t.name());
                if (other != null && !other.equals(t.name())) {
                    p.add("domain '" + d + "' is in templates '" + other + "' and '" + t.name() + "'");
                }
            }
        }
        if (!p.isEmpty()) {
            throw new IllegalArgumentException("invalid libvirt cloud configuration:\n  - " + String.join("\n  - ", p));
        }
    }

    public static LibvirtCloudConfig of(String cloudName, String uri, List<AgentTemplate<LibvirtOptions>> templates) {
        return new LibvirtCloudConfig(cloudName, uri, templates, null);
    }

    public LibvirtCloudConfig withShutdownTimeout(Duration d) {
        return new LibvirtCloudConfig(cloudName, uri, templates, d);
    }

    public Optional<AgentTemplate<LibvirtOptions>> template(String name) {
        return templates.stream().filter(t -> t.name().equals(name)).findFirst();
    }
}
