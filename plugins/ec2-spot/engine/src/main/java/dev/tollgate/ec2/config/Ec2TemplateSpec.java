package dev.tollgate.ec2.config;

import dev.tollgate.cloud.config.CloudTemplateSpec;
import dev.tollgate.common.config.Schema;
import java.util.List;

/**
 * One template of an EC2 spot cloud, as JCasC and the web form write it: the engine's part (labels,
 * caps, Buildbot's timeouts, the agents' name pattern) and the EC2 part side by side, in plain values.
 * {@link Ec2CloudSpec#problems()} checks it and {@link Ec2CloudSpec#agentTemplates()} builds the
 * engine's {@code AgentTemplate<Ec2Options>}.
 *
 * @param name                     unique in the cloud; letters, digits, '.', '_', '-'
 * @param labels                   the agents' labels, separated by spaces
 * @param executors                per agent
 * @param instanceCap              most instances of this template at once; absent = no cap of its own
 * @param buildWaitTimeoutSeconds  Buildbot's build_wait_timeout: idle this long, the agent ends; 0 =
 *                                 after its one build; negative = never for idleness
 * @param missingTimeoutSeconds    not connected this long after the request, the attempt has failed
 * @param maxUses                  end the agent after this many builds; 0 = no limit
 * @param namePattern              agents' names, e.g. {@code aws/fedora-20/zfs-head/{n}} (placeholders
 *                                 {cloud}, {template}, {n}, {id}; '/' becomes '-'); absent =
 *                                 {@code {cloud}-{template}-{id}}
 * @param instanceType             e.g. {@code m5.large}
 * @param image                    the AMI, by id or selected
 * @param subnetIds                {@code subnet-...}; launches rotate over them (and their zones)
 * @param availabilityZone         without subnets: the zone, e.g. {@code us-west-2a}
 * @param securityGroupIds         {@code sg-...}
 * @param keyName                  an EC2 key pair's name
 * @param iamInstanceProfile       an instance profile's ARN or name
 * @param userData                 cloud-init or a script; {@code {{agentName}}}, {@code {{templateName}}},
 *                                 {@code {{JENKINS_URL}}}, {@code {{JENKINS_SECRET}}},
 *                                 {@code {{JENKINS_AGENT_NAME}}} are filled in per launch
 * @param blockDevices             EBS volumes created with the instance
 * @param attachVolumes            existing EBS volumes attached once it runs
 * @param elasticIpAllocationId    {@code eipalloc-...} associated once it runs
 * @param tags                     more tags on the instances and their volumes
 * @param spot                     the spot bid; absent = on-demand instances
 * @param onDemandHourlyPrice      USD per hour of an on-demand instance, for the cost column
 */
public record Ec2TemplateSpec(@Schema.Required String name,
                              @Schema.Required("the labels builds ask for") String labels,
                              @Schema.Default("1") int executors,
                              Integer instanceCap,
                              @Schema.Default("600") int buildWaitTimeoutSeconds,
                              @Schema.Default("1200") int missingTimeoutSeconds,
                              @Schema.Default("0") int maxUses,
                              String namePattern,
                              @Schema.Required String instanceType,
                              @Schema.Required("an imageId, or owners / tagFilters / a regex") Ec2ImageSpec image,
                              List<String> subnetIds,
                              String availabilityZone,
                              List<String> securityGroupIds,
                              String keyName,
                              String iamInstanceProfile,
                              String userData,
                              List<Ec2BlockDeviceSpec> blockDevices,
                              List<Ec2VolumeSpec> attachVolumes,
                              String elasticIpAllocationId,
                              List<Ec2TagSpec> tags,
                              Ec2SpotSpec spot,
                              String onDemandHourlyPrice) implements CloudTemplateSpec {
    public Ec2TemplateSpec {
        subnetIds = subnetIds == null ? List.of() : List.copyOf(subnetIds);
        securityGroupIds = securityGroupIds == null ? List.of() : List.copyOf(securityGroupIds);
        blockDevices = blockDevices == null ? List.of() : List.copyOf(blockDevices);
        attachVolumes = attachVolumes == null ? List.of() : List.copyOf(attachVolumes);
        tags = tags == null ? List.of() : List.copyOf(tags);
    }

    @Override
    public String toString() {
        // the user data may hold anything an administrator pasted: never in a log line
        return "Ec2TemplateSpec[" + name + ", " + instanceType + ", labels=" + labels + "]";
    }
}
