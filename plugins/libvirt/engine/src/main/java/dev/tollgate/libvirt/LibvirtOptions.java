package dev.tollgate.libvirt;

import dev.tollgate.cloud.DriverOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The libvirt part of a cloud template. An {@code AgentTemplate<LibvirtOptions>} carries it beside the
 * engine's part (labels, caps, timeouts). Two ways to get a machine per agent:
 * <ul>
 *   <li><b>a new domain per agent</b> ({@code domainXml}): the XML template is filled in (placeholders
 *   {@code {{name}} {{disk}} {{memoryMib}} {{vcpus}} {{network}} {{mac}}}, values XML-escaped) and the
 *   domain is created transient, or defined and started when {@code persistent}, and undefined at the
 *   end. With a {@code baseImage}, every agent gets a fresh disk: a qcow2 overlay volume backed by the
 *   base image, made in {@code storagePool} and deleted when the agent ends ({@code {{disk}}} is its path);</li>
 *   <li><b>reused domains</b> ({@code existingDomains}): domains defined beforehand (e.g. with
 *   virt-manager); an agent takes one that is shut off and not taken, and gives it back shut off.</li>
 * </ul>
 *
 * @param domainXml      the domain XML template (root {@code <domain>}); null in the reused-domains mode
 * @param existingDomains names of predefined domains to take turns on; empty in the new-domain mode
 * @param baseImage      path of the base qcow2 image the overlays grow from; null = no per-agent disk
 * @param storagePool    the pool the overlays are made in (a {@code dir} pool, for example)
 * @param diskSizeGib    the overlay's virtual size; null = the base image's
 * @param memoryMib      {@code {{memoryMib}}}
 * @param vcpus          {@code {{vcpus}}}
 * @param network        {@code {{network}}}: the libvirt network's name
 * @param persistent     define + start, undefine at the end (true); or one transient create (false)
 * @param smbiosAgentEnv hand the agent name and {@code LaunchSpec.agentEnv} to the guest as SMBIOS OEM
 *                       strings ({@code tollgate:KEY=VALUE}); false = the guest learns only its name
 *                       (the domain name, e.g. as its DHCP host name)
 */
public record LibvirtOptions(String domainXml, List<String> existingDomains, String baseImage, String storagePool,
                             Integer diskSizeGib, int memoryMib, int vcpus, String network, boolean persistent,
                             boolean smbiosAgentEnv) implements DriverOptions {

    public LibvirtOptions {
        existingDomains = existingDomains == null ? List.of() : List.copyOf(existingDomains);
    }

    public boolean reusesDomains() {
        return !existingDomains.isEmpty();
    }

    @Override
    public String toString() {
        // the XML template is configuration, not a secret, but it is long: name the mode instead
        return "LibvirtOptions[" + (reusesDomains() ? "reuse " + existingDomains
                : (persistent ? "persistent" : "transient") + " domain" + (baseImage != null ? ", overlay of " + baseImage
                + " in pool " + storagePool : "")) + "]";
    }

    @Override
    public List<String> problems(String w) {
        List<String> p = new ArrayList<>();
        boolean xml = domainXml != null && !domainXml.isBlank();
        if (xml == reusesDomains()) {
            p.add(w + ": give either domainXml (a new domain per agent) or existingDomains (reused domains), not "
                    + (xml ? "both" : "neither"));
        }
        if (xml) {
            Set<String> unknown = DomainXml.unknownPlaceholders(domainXml);
            if (!unknown.isEmpty()) {
                p.add(w + ": domainXml has unknown placeholders " + unknown + "; known: " + DomainXml.PLACEHOLDERS);
            }
            try {
                DomainXml.withAgent(DomainXml.fill(domainXml, sampleValues()), new DomainXml.Owned(
                        new dev.tollgate.cloud.port.Fingerprint("c", "c", "t", "a", java.time.Instant.EPOCH), null), Map.of());
            } catch (IllegalArgumentException e) {
                p.add(w + ": domainXml: " + e.getMessage());
            }
            if (!DomainXml.uses(domainXml, "name")) {
                p.add(w + ": domainXml must name the domain {{name}} (the agent's name): two agents cannot share a domain name");
            }
            if (baseImage != null && !DomainXml.uses(domainXml, "disk")) {
                p.add(w + ": domainXml must use {{disk}} for the overlay of the base image");
            }
        }
        if (reusesDomains()) {
            if (baseImage != null) {
                p.add(w + ": a baseImage needs domainXml (a reused domain keeps its own disks)");
            }
            if (persistent) {
                p.add(w + ": reused domains are always persistent; leave persistent unset");
            }
            Map<String, Integer> seen = new HashMap<>();
            for (String d : existingDomains) {
                if (d == null || d.isBlank() || d.contains("/")) {
                    p.add(w + ": existingDomains must be domain names, got '" + d + "'");
                } else if (seen.merge(d, 1, Integer::sum) == 2) {
                    p.add(w + ": domain '" + d + "' is listed twice");
                }
            }
        }
        if (baseImage != null && (storagePool == null || storagePool.isBlank())) {
            p.add(w + ": a baseImage needs the storagePool its overlays are made in");
        }
        if (baseImage != null && !baseImage.startsWith("/")) {
            p.add(w + ": baseImage must be an absolute path, got " + baseImage);
        }
        if (diskSizeGib != null && diskSizeGib <= 0) {
            p.add(w + ": diskSizeGib must be positive, got " + diskSizeGib);
        }
        if (memoryMib <= 0) {
            p.add(w + ": memoryMib must be positive, got " + memoryMib);
        }
        if (vcpus <= 0) {
            p.add(w + ": vcpus must be positive, got " + vcpus);
        }
        return p;
    }

    private static Map<String, String> sampleValues() {
        return Map.of("name", "agent-1", "disk", "/var/lib/libvirt/images/agent-1.qcow2", "memoryMib", "1024",
                "vcpus", "1", "network", "default", "mac", "52:54:00:00:00:01");
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private String domainXml;
        private List<String> existingDomains = List.of();
        private String baseImage;
        private String storagePool;
        private Integer diskSizeGib;
        private int memoryMib = 1024;
        private int vcpus = 1;
        private String network = "default";
        private boolean persistent;
        private boolean smbiosAgentEnv = true;

        private Builder() {
        }

        public Builder domainXml(String v) { domainXml = v; return this; }
        public Builder existingDomains(List<String> v) { existingDomains = v; return this; }
        public Builder baseImage(String v) { baseImage = v; return this; }
        public Builder storagePool(String v) { storagePool = v; return this; }
        public Builder diskSizeGib(Integer v) { diskSizeGib = v; return this; }
        public Builder memoryMib(int v) { memoryMib = v; return this; }
        public Builder vcpus(int v) { vcpus = v; return this; }
        public Builder network(String v) { network = v; return this; }
        public Builder persistent(boolean v) { persistent = v; return this; }
        public Builder smbiosAgentEnv(boolean v) { smbiosAgentEnv = v; return this; }

        public LibvirtOptions build() {
            return new LibvirtOptions(domainXml, existingDomains, baseImage, storagePool, diskSizeGib, memoryMib, vcpus,
                    network, persistent, smbiosAgentEnv);
        }
    }
}
