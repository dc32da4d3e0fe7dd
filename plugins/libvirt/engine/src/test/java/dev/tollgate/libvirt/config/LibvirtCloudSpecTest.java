package dev.tollgate.libvirt.config;

import dev.tollgate.cloud.config.CloudProblem;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.CloudSettings;
import dev.tollgate.libvirt.LibvirtCloudConfig;
import dev.tollgate.libvirt.LibvirtOptions;
import java.time.Duration;
import java.util.List;
import org.junit.Test;

public class LibvirtCloudSpecTest {
    static final String XML = "<domain type='kvm'><name>{{name}}</name><memory unit='MiB'>{{memoryMib}}</memory>"
            + "<vcpu>{{vcpus}}</vcpu><os><type>hvm</type></os><devices><disk type='file' device='disk'>"
            + "<source file='{{disk}}'/><target dev='vda'/></disk></devices></domain>";

    static LibvirtTemplateSpec overlay(String name) {
        return new LibvirtTemplateSpec(name, "linux kvm", 1, null, 600, 1200, 0, null, XML, List.of(),
                "/var/lib/libvirt/images/base.qcow2", "default", null, 2048, 2, "ci", false, true);
    }

    static LibvirtTemplateSpec reuse(String name, String... domains) {
        return new LibvirtTemplateSpec(name, "linux", 1, null, 600, 1200, 0, null, null, List.of(domains), null, null,
                null, 1024, 1, "default", false, true);
    }

    static LibvirtCloudSpec cloud(String uri, LibvirtTemplateSpec... t) {
        return new LibvirtCloudSpec("kvm1", uri, List.of(t), 120, null, "2", 20, 300, 120, 300, 120, 1, 5, 300, 60);
    }

    @Test
    public void aGoodCloudBuildsTheEnginesObjects() {
        LibvirtCloudSpec s = cloud("qemu+ssh://ci@kvm1/system", overlay("small"), reuse("minions", "m1", "m2"));
        assertEquals(List.of(), s.problems());
        List<AgentTemplate<LibvirtOptions>> ts = s.agentTemplates();
        assertEquals(java.util.Set.of("linux", "kvm"), java.util.Set.copyOf(ts.get(0).labels()));
        assertEquals(2048, ts.get(0).options().memoryMib());
        assertEquals(List.of("m1", "m2"), ts.get(1).options().existingDomains());
        LibvirtCloudConfig c = s.libvirtConfig(ts);
        assertEquals("qemu+ssh://ci@kvm1/system", c.uri());
        assertEquals(Duration.ofSeconds(120), c.shutdownTimeout());
        CloudSettings settings = s.configure(CloudSettings.builder(s.engineName(), "ctl").templates(ts)).build();
        assertEquals(Duration.ofSeconds(300), settings.reaperGrace());
        assertTrue(s.summary(), s.summary().contains("small transient domain on an overlay of /var/lib/libvirt/images/base.qcow2"));
    }

    @Test
    public void everyProblemIsReportedAtItsKey() {
        LibvirtTemplateSpec bad = new LibvirtTemplateSpec("t", "linux", 1, null, 600, 1200, 0, null, "<domain><name>x</name>",
                List.of(), "relative.qcow2", null, -1, 0, 0, "default", false, true);
        LibvirtCloudSpec s = new LibvirtCloudSpec("kvm", "not a uri", List.of(bad, reuse("r", "a", "a")), -1, -2, "fast",
                0, 300, 120, 300, 120, 1, 5, 300, 60);
        List<String> keys = s.problems().stream().map(CloudProblem::key).distinct().sorted().toList();
        assertEquals(List.of("baseImage", "diskSizeGib", "domainXml", "existingDomains", "instanceCap", "memoryMib",
                "requestBurst", "requestsPerSecond", "shutdownTimeoutSeconds", "storagePool", "uri", "vcpus"), keys);
        LibvirtCloudSpec unnamed = new LibvirtCloudSpec(" ", "qemu:///system", List.of(overlay("t")), 120, null, "2", 20,
                300, 120, 300, 120, 1, 5, 300, 60);
        assertEquals(List.of("name"), unnamed.problems().stream().map(CloudProblem::key).toList());
        assertEquals("name", cloud("qemu:///system", overlay("t"), overlay("t")).problems().get(0).key());
        assertEquals("existingDomains", cloud("qemu:///system", reuse("a", "m1"), reuse("b", "m1")).problems().get(0).key());
        assertEquals("templates", cloud("qemu:///system").problems().get(0).key());
    }

    @Test
    public void variablesStandForValidValuesOnlyWhenAsked() {
        LibvirtCloudSpec s = cloud("${LIBVIRT_URI}", overlay("small"));
        assertEquals("uri", s.problems().get(0).key());
        assertEquals(List.of(), s.problemsWithVariables());
        assertEquals("uri", cloud("${LIBVIRT_URI:-nonsense}", overlay("small")).problemsWithVariables().get(0).key());
    }
}
