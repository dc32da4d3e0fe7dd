package dev.tollgate.openstack;

import dev.tollgate.cloud.DriverOptions;
import dev.tollgate.cloud.port.Fingerprint;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The OpenStack part of a cloud template: what Nova's create-server call needs. An
 * {@code AgentTemplate<OpenStackOptions>} carries it beside the engine's part (labels, caps, timeouts).
 *
 * @param flavor           flavor name or id
 * @param image            which image to boot (fixed id, by name, or a rule over the image list)
 * @param networks         network names or ids, in order; empty = Nova's choice (the project's only network)
 * @param securityGroups   security group names; empty = the project's default group
 * @param keyPair          Nova key pair name; null = none
 * @param availabilityZone null = Nova's choice
 * @param configDrive      attach a config drive (for clouds without a metadata service)
 * @param userDataTemplate cloud-init / shell script with {@code {{agentName}}} and {@code {{KEY}}}
 *                         placeholders filled from the launch's agent environment; null = none
 * @param metadata         server metadata (Buildbot's {@code meta}); the fingerprint is added to it
 * @param floatingIpPool   external network name or id to take a floating IP from; null = no floating IP
 * @param bootVolumeSizeGb boot from a new volume of this size made from the image, deleted with the
 *                         server; null = boot from the image on the hypervisor's disk
 */
public record OpenStackOptions(String flavor, ImageSelector image, List<String> networks, List<String> securityGroups,
                               String keyPair, String availabilityZone, boolean configDrive, String userDataTemplate,
                               Map<String, String> metadata, String floatingIpPool, Integer bootVolumeSizeGb)
        implements DriverOptions {
    /** Nova refuses user data above 65535 bytes once base64-encoded. */
    public static final int MAX_USER_DATA_BASE64 = 65535;
    /** Nova's default metadata quota is 128 items; the fingerprint and attachment keys take 7. */
    public static final int MAX_USER_METADATA = 121;

    public OpenStackOptions {
        networks = networks == null ? List.of() : List.copyOf(networks);
        securityGroups = securityGroups == null ? List.of() : List.copyOf(securityGroups);
        metadata = metadata == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    public boolean usesFloatingIp() {
        return floatingIpPool != null;
    }

    @Override
    public List<String> problems(String w) {
        List<String> p = new ArrayList<>();
        if (flavor == null || flavor.isBlank()) {
            p.add(w + ": a flavor (name or id) is required");
        }
        if (image == null) {
            p.add(w + ": an image (id, name or rule) is required");
        } else {
            p.addAll(image.problems(w + ": image"));
        }
        if (networks.stream().anyMatch(n -> n == null || n.isBlank())) {
            p.add(w + ": network names must not be blank");
        }
        if (usesFloatingIp() && networks.isEmpty()) {
            p.add(w + ": a floating IP needs the network its port is made on: list at least one network");
        }
        if (floatingIpPool != null && floatingIpPool.isBlank()) {
            p.add(w + ": floatingIpPool must name an external network");
        }
        if (securityGroups.stream().anyMatch(g -> g == null || g.isBlank())) {
            p.add(w + ": security group names must not be blank");
        }
        if (bootVolumeSizeGb != null && bootVolumeSizeGb < 1) {
            p.add(w + ": bootVolumeSizeGb must be at least 1, got " + bootVolumeSizeGb);
        }
        if (userDataTemplate != null
                && (userDataTemplate.getBytes(StandardCharsets.UTF_8).length + 2) / 3 * 4 > MAX_USER_DATA_BASE64) {
            p.add(w + ": user data is larger than Nova's 64 KB limit (base64)");
        }
        if (metadata.size() > MAX_USER_METADATA) {
            p.add(w + ": at most " + MAX_USER_METADATA + " metadata items (Nova's quota is 128; the fingerprint takes 7)");
        }
        metadata.forEach((k, v) -> {
            if (k == null || !k.matches("[a-zA-Z0-9-_:. ]{1,255}")) {
                p.add(w + ": metadata key '" + k + "' must be 1-255 letters, digits or -_:. and spaces");
            } else if (k.startsWith("tollgate:")) {
                p.add(w + ": metadata key '" + k + "' is reserved for the fingerprint");
            }
            if (v == null || v.length() > 255) {
                p.add(w + ": metadata '" + k + "' needs a value of at most 255 characters");
            }
        });
        return p;
    }

    @Override
    public String toString() {
        // the user data template may hold pasted secrets: keep it out of logs
        return "OpenStackOptions[" + flavor + ", " + image + ", networks=" + networks
                + (floatingIpPool != null ? ", floating IP from " + floatingIpPool : "")
                + (bootVolumeSizeGb != null ? ", boot volume " + bootVolumeSizeGb + " GB" : "") + "]";
    }

    /** Keys the driver adds beside {@link Fingerprint#toTags()}: the floating IP and port made for the server. */
    static final String FLOATING_IP = "tollgate:floating-ip";
    static final String PORT = "tollgate:port";

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private String flavor;
        private ImageSelector image;
        private List<String> networks = List.of();
        private List<String> securityGroups = List.of();
        private String keyPair;
        private String availabilityZone;
        private boolean configDrive;
        private String userDataTemplate;
        private Map<String, String> metadata = Map.of();
        private String floatingIpPool;
        private Integer bootVolumeSizeGb;

        private Builder() {
        }

        public Builder flavor(String v) { flavor = v; return this; }
        public Builder image(ImageSelector v) { image = v; return this; }
        public Builder networks(List<String> v) { networks = v; return this; }
        public Builder securityGroups(List<String> v) { securityGroups = v; return this; }
        public Builder keyPair(String v) { keyPair = v; return this; }
        public Builder availabilityZone(String v) { availabilityZone = v; return this; }
        public Builder configDrive(boolean v) { configDrive = v; return this; }
        public Builder userDataTemplate(String v) { userDataTemplate = v; return this; }
        public Builder metadata(Map<String, String> v) { metadata = v; return this; }
        public Builder floatingIpPool(String v) { floatingIpPool = v; return this; }
        public Builder bootVolumeSizeGb(Integer v) { bootVolumeSizeGb = v; return this; }

        public OpenStackOptions build() {
            return new OpenStackOptions(flavor, image, networks, securityGroups, keyPair, availabilityZone, configDrive,
                    userDataTemplate, metadata, floatingIpPool, bootVolumeSizeGb);
        }
    }
}
