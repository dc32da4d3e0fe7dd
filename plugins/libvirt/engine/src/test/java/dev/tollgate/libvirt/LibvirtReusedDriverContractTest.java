package dev.tollgate.libvirt;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The driver contract with reused domains: eight shut-off domains defined beforehand (as with
 * virt-manager), taken by agents in turn and handed back, still defined, without the driver's metadata.
 * Injected create errors hit the start, after the domain was marked: it must be handed back unmarked.
 */
public class LibvirtReusedDriverContractTest extends LibvirtDriverContractTest {
    private static final List<String> MINIONS = IntStream.rangeClosed(1, 8).mapToObj(i -> "minion" + i).toList();

    @Override
    protected LibvirtOptions options(TestDriverPeer peer) throws Exception {
        for (String m : MINIONS) {
            String xml = DomainXml.fill(TestDriverPeer.DOMAIN_XML, Map.of("name", m, "disk", "/var/lib/" + m + ".img",
                    "memoryMib", "256", "vcpus", "1", "network", "default", "mac", LibvirtDriver.macFor(m)));
            peer.connect.domainDefineXML(xml).free();
        }
        return LibvirtOptions.builder().existingDomains(MINIONS).build();
    }

    @Override
    protected String lastCreateCall() {
        return "start";
    }

    @Override
    protected List<String> keptDomains() {
        return MINIONS;
    }
}
