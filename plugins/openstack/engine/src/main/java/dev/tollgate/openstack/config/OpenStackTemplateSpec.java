package dev.tollgate.openstack.config;

import dev.tollgate.cloud.config.CloudTemplateSpec;
import dev.tollgate.common.config.Schema;
import java.util.List;

/**
 * One template of an OpenStack cloud, as JCasC and the web form write it: the engine's part (labels,
 * caps, Buildbot's timeouts, the agents' name pattern) and the OpenStack part ({@code OpenStackOptions})
 * side by side, in plain values. {@link OpenStackCloudSpec#problems()} checks it and
 * {@link OpenStackCloudSpec#agentTemplates()} builds the engine's {@code AgentTemplate<OpenStackOptions>}.
 *
 * @param name                    unique in the cloud; letters, digits, '.', '_', '-'
 * @param labels                  the agents' labels, separated by spaces
 * @param executors               per agent
 * @param instanceCap             most servers of this template at once; absent = no cap of its own
 * @param buildWaitTimeoutSeconds idle this long, the agent ends; 0 (the default) = right after its one
 *                                build, so every build gets a fresh server; negative = never for idleness
 * @param missingTimeoutSeconds   not connected this long after the request, the attempt has failed
 *                                (Buildbot's {@code missing_timeout})
 * @param maxUses                 end the agent after this many builds; 0 = no limit
 * @param namePattern             agents' names, which are also the servers' names ({cloud}, {template},
 *                                {n}, {id}; '/' becomes '-'); absent = {@code {cloud}-{template}-{id}}
 * @param flavor                  flavor name or id
 * @param image                   the image, by id, by name or by a rule
 * @param networks                network names or ids, in order; empty = Nova's choice
 * @param securityGroups          security group names; empty = the project's {@code default}
 * @param keyPair                 a Nova key pair's name
 * @param availabilityZone        absent = Nova's choice
 * @param configDrive             attach a config drive (clouds without a metadata service)
 * @param userData                cloud-init or a script that starts the agent; {@code {{agentName}}},
 *                                {@code {{templateName}}}, {@code {{JENKINS_URL}}}, {@code {{JENKINS_SECRET}}},
 *                                {@code {{JENKINS_AGENT_NAME}}} are filled in per launch
 * @param metadata                more server metadata (Buildbot's {@code meta}); keys starting
 *                                {@code tollgate:} are the fingerprint's
 * @param floatingIpPool          an external network to take a floating IP from for each server; absent = none
 * @param bootVolumeSizeGb        boot from a new volume of this size made from the image, deleted with
 *                                the server; absent = the image on the hypervisor's disk
 * @param remoteFs                the agent's root directory on the server, where Jenkins puts workspaces
 */
public record OpenStackTemplateSpec(@Schema.Required String name,
                                    @Schema.Required("the labels builds ask for") String labels,
                                    @Schema.Default("1") int executors,
                                    Integer instanceCap,
                                    @Schema.Default("0") int buildWaitTimeoutSeconds,
                                    @Schema.Default("1200") int missingTimeoutSeconds,
                                    @Schema.Default("0") int maxUses,
                                    String namePattern,
                                    @Schema.Required("a flavor name or id") String flavor,
                                    @Schema.Required("an id, a name, or a nameRegex / properties rule") OpenStackImageSpec image,
                                    List<String> networks,
                                    List<String> securityGroups,
                                    String keyPair,
                                    String availabilityZone,
                                    @Schema.Default("false") boolean configDrive,
                                    String userData,
                                    List<OpenStackPropertySpec> metadata,
                                    String floatingIpPool,
                                    Integer bootVolumeSizeGb,
                                    @Schema.Default("/home/jenkins/agent") String remoteFs)
        implements CloudTemplateSpec {
    public OpenStackTemplateSpec {
        networks = networks == null ? List.of() : List.copyOf(networks);
        securityGroups = securityGroups == null ? List.of() : List.copyOf(securityGroups);
        metadata = metadata == null ? List.of() : List.copyOf(metadata);
    }

    @Override
    public String toString() {
        // the user data may hold anything an administrator pasted: never in a log line
        return "OpenStackTemplateSpec[" + name + ", " + flavor + ", image " + image + ", labels=" + labels + "]";
    }
}
