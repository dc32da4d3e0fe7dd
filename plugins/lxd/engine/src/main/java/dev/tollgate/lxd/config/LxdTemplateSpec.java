package dev.tollgate.lxd.config;

import dev.tollgate.cloud.config.CloudTemplateSpec;
import dev.tollgate.common.config.Schema;
import java.util.List;

/**
 * One template of an LXD cloud, as JCasC and the web form write it: the engine's part (labels, caps,
 * Buildbot's timeouts, the agents' name pattern) and the LXD part ({@code LxdOptions}) side by side,
 * in plain values. {@link LxdCloudSpec#problems()} checks it and {@link LxdCloudSpec#agentTemplates()}
 * builds the engine's {@code AgentTemplate<LxdOptions>}.
 *
 * @param name                    unique in the cloud; letters, digits, '.', '_', '-'
 * @param labels                  the agents' labels, separated by spaces
 * @param executors               per agent
 * @param instanceCap             most instances of this template at once; absent = no cap of its own
 * @param buildWaitTimeoutSeconds idle this long, the agent ends; 0 (the default) = right after its one
 *                                build, so every build gets a fresh instance; negative = never for idleness
 * @param missingTimeoutSeconds   not connected this long after the request, the attempt has failed
 * @param maxUses                 end the agent after this many builds; 0 = no limit
 * @param namePattern             agents' names ({cloud}, {template}, {n}, {id}; '/' becomes '-'); absent =
 *                                {@code {cloud}-{template}-{id}}
 * @param image                   image alias, or fingerprint (12 to 64 hex digits)
 * @param imageRemote             name of one of the cloud's {@code imageRemotes}; absent = the daemon's own images
 * @param type                    {@code container} or {@code virtual-machine}
 * @param profiles                LXD profiles, in order; empty = LXD's {@code default}
 * @param config                  instance config keys ({@code limits.cpu}, {@code security.nesting}, ...)
 * @param devices                 devices of the instances
 * @param ephemeral               LXD deletes the instance as soon as it stops
 * @param agentCommand            the agent's command line, one argument per entry, run by exec once the
 *                                instance runs ({@code {{agentName}}} filled in); its environment is the
 *                                agent's connection settings only. Or use cloudInitUserData
 * @param agentUser               uid (and gid) the agent runs as; 0 = root
 * @param agentCwd                the agent's working directory; absent = LXD's default
 * @param cloudInitUserData       cloud-init user data that starts the agent instead of exec
 *                                ({@code {{JENKINS_URL}}}, {@code {{JENKINS_SECRET}}}, {@code {{agentName}}}
 *                                filled in); it is stored in the instance's config, so prefer agentCommand
 * @param remoteFs                the agent's root directory in the instance, where Jenkins puts workspaces
 */
public record LxdTemplateSpec(@Schema.Required String name,
                              @Schema.Required("the labels builds ask for") String labels,
                              @Schema.Default("1") int executors,
                              Integer instanceCap,
                              @Schema.Default("0") int buildWaitTimeoutSeconds,
                              @Schema.Default("600") int missingTimeoutSeconds,
                              @Schema.Default("0") int maxUses,
                              String namePattern,
                              @Schema.Required("an image alias or fingerprint") String image,
                              String imageRemote,
                              @Schema.Default("container") String type,
                              List<String> profiles,
                              List<LxdConfigSpec> config,
                              List<LxdDeviceSpec> devices,
                              @Schema.Default("true") boolean ephemeral,
                              List<String> agentCommand,
                              @Schema.Default("0") int agentUser,
                              String agentCwd,
                              String cloudInitUserData,
                              @Schema.Default("/home/jenkins/agent") String remoteFs)
        implements CloudTemplateSpec {
    public LxdTemplateSpec {
        profiles = profiles == null ? List.of() : List.copyOf(profiles);
        config = config == null ? List.of() : List.copyOf(config);
        devices = devices == null ? List.of() : List.copyOf(devices);
        agentCommand = agentCommand == null ? List.of() : List.copyOf(agentCommand);
    }

    @Override
    public String toString() {
        // cloud-init user data and config values are the administrator's text: never in a log line
        return "LxdTemplateSpec[" + name + ", image " + image + (imageRemote == null ? "" : "@" + imageRemote)
                + ", labels=" + labels + "]";
    }
}
