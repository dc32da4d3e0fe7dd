package dev.tollgate.lxd;

import dev.tollgate.cloud.DriverOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An LXD template's own settings: what instance to make and how its agent starts.
 *
 * @param image        image alias, or its fingerprint (12 to 64 hex digits)
 * @param imageRemote  name of an image server in {@link LxdCloudConfig#imageRemotes()}, or null for
 *                     the daemon's own images
 * @param virtualMachine true for a VM ({@code type: virtual-machine}); false for a container
 * @param profiles     profiles in order (empty: LXD's {@code default})
 * @param config       instance config ({@code limits.cpu}, {@code limits.memory}, {@code security.nesting},
 *                     ...); {@code user.tollgate.*} is the fingerprint's and refused here, and so is
 *                     {@code environment.*} (it would reach every process, builds included)
 * @param devices      devices by name, each a map of its keys ({@code type: disk, path: ..., source: ...})
 * @param ephemeral    the instance is deleted by LXD as soon as it stops
 * @param agentCommand the agent's command line, run with exec once the instance is up; each
 *                     {@code {{agentName}}} is replaced. It gets the agent's connection settings (and
 *                     {@code TOLLGATE_AGENT_NAME}) as its environment and nothing else of the controller.
 *                     Empty when {@code cloudInitUserData} starts the agent
 * @param agentUser    uid the agent runs as (0 = root)
 * @param agentCwd     the agent's working directory, or null for LXD's default
 * @param cloudInitUserData cloud-init user data instead of exec, for images with cloud-init; each
 *                     {@code {{NAME}}} is replaced by the agent's connection setting of that name and
 *                     {@code {{agentName}}} by the agent name. It is stored in the instance's config
 *                     ({@code cloud-init.user-data}), readable by whoever can read the config: prefer exec
 */
public record LxdOptions(String image, String imageRemote, boolean virtualMachine, List<String> profiles,
                         Map<String, String> config, Map<String, Map<String, String>> devices, boolean ephemeral,
                         List<String> agentCommand, int agentUser, String agentCwd, String cloudInitUserData)
        implements DriverOptions {

    static final String RESERVED_PREFIX = "user.tollgate.";
    private static final Pattern FINGERPRINT = Pattern.compile("[0-9a-f]{12,64}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    public LxdOptions {
        profiles = profiles == null ? List.of() : List.copyOf(profiles);
        config = config == null ? Map.of() : Map.copyOf(config);
        Map<String, Map<String, String>> d = new LinkedHashMap<>();
        if (devices != null) {
            devices.forEach((k, v) -> d.put(k, v == null ? Map.of() : Map.copyOf(v)));
        }
        devices = Map.copyOf(d);
        agentCommand = agentCommand == null ? List.of() : List.copyOf(agentCommand);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** True when {@link #image} names an image by its fingerprint rather than an alias. */
    public boolean imageIsFingerprint() {
        return image != null && FINGERPRINT.matcher(image.toLowerCase(Locale.ROOT)).matches();
    }

    @Override
    public List<String> problems(String where) {
        List<String> p = new ArrayList<>();
        if (image == null || image.isBlank()) {
            p.add(where + ": image (alias or fingerprint) is required");
        }
        for (String pr : profiles) {
            if (pr == null || !NAME.matcher(pr).matches()) {
                p.add(where + ": profile name '" + pr + "' is not a valid LXD name");
            }
        }
        for (String k : config.keySet()) {
            if (k.startsWith(RESERVED_PREFIX)) {
                p.add(where + ": config key '" + k + "' is reserved for the fingerprint");
            } else if (k.startsWith("environment.")) {
                p.add(where + ": config key '" + k + "' would reach every process in the instance; "
                        + "the agent gets its settings through its own environment");
            } else if (k.startsWith("cloud-init.") || k.startsWith("user.user-data")) {
                p.add(where + ": config key '" + k + "' is set from cloudInitUserData");
            }
        }
        devices.forEach((name, keys) -> {
            if (!NAME.matcher(name).matches()) {
                p.add(where + ": device name '" + name + "' is not a valid LXD name");
            }
            if (!keys.containsKey("type")) {
                p.add(where + ": device '" + name + "' needs a type (disk, nic, ...)");
            }
        });
        boolean cloudInit = cloudInitUserData != null && !cloudInitUserData.isBlank();
        if (agentCommand.isEmpty() && !cloudInit) {
            p.add(where + ": agentCommand or cloudInitUserData is required (nothing would start the agent)");
        }
        if (!agentCommand.isEmpty() && cloudInit) {
            p.add(where + ": give agentCommand or cloudInitUserData, not both (two agents would start)");
        }
        if (agentUser < 0) {
            p.add(where + ": agentUser must be a uid (0 or more), was " + agentUser);
        }
        return p;
    }

    @Override
    public String toString() {
        // cloud-init user data may carry secrets once rendered, and config values are the user's: keys only
        return "LxdOptions[image=" + image + (imageRemote != null ? "@" + imageRemote : "") + (virtualMachine ? ", vm" : "")
                + ", profiles=" + profiles + ", config=" + config.keySet() + ", devices=" + devices.keySet()
                + (ephemeral ? ", ephemeral" : "") + ", agent=" + (agentCommand.isEmpty() ? "cloud-init" : "exec") + "]";
    }

    public static final class Builder {
        private String image;
        private String imageRemote;
        private boolean vm;
        private List<String> profiles = List.of();
        private Map<String, String> config = Map.of();
        private Map<String, Map<String, String>> devices = Map.of();
        private boolean ephemeral;
        private List<String> agentCommand = List.of();
        private int agentUser;
        private String agentCwd;
        private String cloudInit;

        public Builder image(String v) { image = v; return this; }
        public Builder imageRemote(String v) { imageRemote = v; return this; }
        public Builder virtualMachine(boolean v) { vm = v; return this; }
        public Builder profiles(List<String> v) { profiles = v; return this; }
        public Builder config(Map<String, String> v) { config = v; return this; }
        public Builder devices(Map<String, Map<String, String>> v) { devices = v; return this; }
        public Builder ephemeral(boolean v) { ephemeral = v; return this; }
        public Builder agentCommand(List<String> v) { agentCommand = v; return this; }
        public Builder agentCommand(String... v) { agentCommand = List.of(v); return this; }
        public Builder agentUser(int v) { agentUser = v; return this; }
        public Builder agentCwd(String v) { agentCwd = v; return this; }
        public Builder cloudInitUserData(String v) { cloudInit = v; return this; }

        public LxdOptions build() {
            return new LxdOptions(image, imageRemote, vm, profiles, config, devices, ephemeral, agentCommand, agentUser,
                    agentCwd, cloudInit);
        }
    }
}
