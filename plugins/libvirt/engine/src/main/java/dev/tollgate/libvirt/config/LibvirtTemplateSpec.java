package dev.tollgate.libvirt.config;

import dev.tollgate.cloud.config.CloudTemplateSpec;
import dev.tollgate.common.config.Schema;
import java.util.List;

/**
 * One template of a libvirt cloud as JCasC writes it and the Jenkins plugin's describable holds it:
 * the engine's part (labels, caps, Buildbot's timeouts, name pattern) and the driver's
 * ({@code LibvirtOptions}): a new domain per agent from {@code domainXml}, optionally on a fresh
 * overlay of {@code baseImage}, or one of the {@code existingDomains} in turn. Immutable.
 *
 * @param name                     unique in the cloud
 * @param labels                   the agents' labels, separated by spaces
 * @param executors                per agent
 * @param instanceCap              most domains of this template at once; absent = no cap of its own
 * @param buildWaitTimeoutSeconds  Buildbot's build_wait_timeout: idle this long, the agent ends; 0 =
 *                                 after one build; negative = never
 * @param missingTimeoutSeconds    not connected this long after the start, the attempt has failed
 * @param maxUses                  end the agent after this many builds; 0 = no limit
 * @param namePattern              agents' names ({@code {cloud}}, {@code {template}}, {@code {n}},
 *                                 {@code {id}}); absent = {@code {cloud}-{template}-{id}}
 * @param domainXml                the domain XML template, with {@code {{name}} {{disk}} {{memoryMib}}
 *                                 {{vcpus}} {{network}} {{mac}}}; absent in the reused-domains mode
 * @param existingDomains          predefined domains agents take in turn; empty in the new-domain mode
 * @param baseImage                absolute path of the base qcow2 each agent gets an overlay of
 * @param storagePool              the pool the overlays are made in
 * @param diskSizeGib              the overlay's virtual size; absent = the base image's
 * @param memoryMib                {@code {{memoryMib}}}
 * @param vcpus                    {@code {{vcpus}}}
 * @param network                  {@code {{network}}}: a libvirt network's name
 * @param persistent               define + start, undefine at the end; false = one transient create
 * @param smbiosAgentEnv           hand the agent's name and connection values (controller URL, secret)
 *                                 to the guest as SMBIOS OEM strings
 */
public record LibvirtTemplateSpec(@Schema.Required String name,
                                  @Schema.Required("the labels builds ask for") String labels,
                                  @Schema.Default("1") int executors,
                                  Integer instanceCap,
                                  @Schema.Default("600") int buildWaitTimeoutSeconds,
                                  @Schema.Default("1200") int missingTimeoutSeconds,
                                  @Schema.Default("0") int maxUses,
                                  String namePattern,
                                  String domainXml,
                                  List<String> existingDomains,
                                  String baseImage,
                                  String storagePool,
                                  Integer diskSizeGib,
                                  @Schema.Default("1024") int memoryMib,
                                  @Schema.Default("1") int vcpus,
                                  @Schema.Default("default") String network,
                                  @Schema.Default("false") boolean persistent,
                                  @Schema.Default("true") boolean smbiosAgentEnv)
        implements CloudTemplateSpec {
    public LibvirtTemplateSpec {
        existingDomains = existingDomains == null ? List.of() : List.copyOf(existingDomains);
    }
}
