package dev.tollgate.libvirt;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.tollgate.cloud.AgentTemplate;
import java.util.List;
import org.junit.Test;

public class LibvirtOptionsTest {
    private static final String XML = "<domain type='kvm'><name>{{name}}</name><devices><disk type='file'>"
            + "<source file='{{disk}}'/></disk></devices></domain>";

    private static List<String> problems(LibvirtOptions.Builder b) {
        return b.build().problems("template 't'");
    }

    @Test
    public void aGoodTemplateHasNoProblems() {
        assertEquals(List.of(), problems(LibvirtOptions.builder().domainXml(XML).baseImage("/images/base.qcow2")
                .storagePool("default")));
        assertEquals(List.of(), problems(LibvirtOptions.builder().existingDomains(List.of("minion1", "minion2"))));
    }

    @Test
    public void everyProblemIsListedAtOnceWithWhereItIs() {
        List<String> p = problems(LibvirtOptions.builder().domainXml("<domain><name>x</name>{{nmae}}</domain")
                .baseImage("base.qcow2").memoryMib(0).vcpus(-1).diskSizeGib(0));
        String all = String.join("\n", p);
        for (String expected : List.of("unknown placeholders [nmae]", "not well-formed", "must name the domain {{name}}",
                "must use {{disk}}", "needs the storagePool", "absolute path", "diskSizeGib", "memoryMib", "vcpus")) {
            assertTrue(all, all.contains(expected));
        }
        assertTrue(p.stream().allMatch(s -> s.startsWith("template 't': ")));
    }

    @Test
    public void reusedDomainsAreChecked() {
        String all = String.join("\n", problems(LibvirtOptions.builder().existingDomains(List.of("a", "a", "b/c"))
                .baseImage("/b.qcow2").storagePool("p").persistent(true)));
        assertTrue(all, all.contains("'a' is listed twice"));
        assertTrue(all, all.contains("must be domain names"));
        assertTrue(all, all.contains("a baseImage needs domainXml"));
        assertTrue(all, all.contains("always persistent"));
        assertTrue(problems(LibvirtOptions.builder().domainXml(XML).existingDomains(List.of("a"))).get(0)
                .contains("not both"));
    }

    @Test
    public void theCloudConfigRefusesBadUrisDuplicatesAndSharedDomains() {
        AgentTemplate<LibvirtOptions> a = AgentTemplate.builder("a").options(LibvirtOptions.builder()
                .existingDomains(List.of("m1")).build()).build();
        AgentTemplate<LibvirtOptions> b = AgentTemplate.builder("b").options(LibvirtOptions.builder()
                .existingDomains(List.of("m1")).build()).build();
        try {
            new LibvirtCloudConfig("", "not a uri", List.of(a, a, b), java.time.Duration.ofSeconds(-1));
            fail("accepted");
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            for (String expected : List.of("needs a name", "libvirt connection URI", "defined twice", "'m1' is in templates",
                    "shutdownTimeout")) {
                assertTrue(m, m.contains(expected));
            }
        }
        assertEquals("qemu+ssh://builder@kvm1/system", LibvirtCloudConfig.of("kvm", "qemu+ssh://builder@kvm1/system",
                List.of(a)).uri());
    }

    @Test
    public void toStringNamesTheModeNotTheXml() {
        String s = LibvirtOptions.builder().domainXml(XML).baseImage("/b.qcow2").storagePool("p").build().toString();
        assertTrue(s, s.contains("overlay of /b.qcow2"));
        assertTrue(s, !s.contains("<domain"));
    }
}
