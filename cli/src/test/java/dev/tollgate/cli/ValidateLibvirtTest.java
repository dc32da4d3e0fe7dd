package dev.tollgate.cli;

import static dev.tollgate.cli.MainTest.run;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.tollgate.cli.MainTest.Result;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code tollgate validate} on the libvirt clouds under {@code jenkins: clouds:}: read by the libvirt
 * engine's records (without libvirt itself on the class path), problems on their lines.
 */
public class ValidateLibvirtTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    static final List<String> CLOUD = List.of(
            "jenkins:",                                                   // 1
            "  clouds:",                                                  // 2
            "    - tollgateLibvirt:",                                     // 3
            "        name: kvm1",                                         // 4
            "        uri: qemu+ssh://jenkins@kvm1/system",                // 5
            "        instanceCap: 4",                                     // 6
            "        templates:",                                         // 7
            "          - name: debian",                                   // 8
            "            labels: kvm debian",                             // 9
            "            namePattern: kvm1/debian/{n}",                   // 10
            "            buildWaitTimeoutSeconds: 0",                     // 11
            "            domainXml: |",                                   // 12
            "              <domain type='kvm'>",                          // 13
            "                <name>{{name}}</name>",                      // 14
            "                <memory unit='MiB'>{{memoryMib}}</memory>",  // 15
            "                <devices><disk type='file' device='disk'>",  // 16
            "                  <source file='{{disk}}'/><target dev='vda'/>", // 17
            "                </disk></devices>",                          // 18
            "              </domain>",                                    // 19
            "            baseImage: /var/lib/libvirt/images/debian.qcow2", // 20
            "            storagePool: default",                           // 21
            "            memoryMib: 2048",                                // 22
            "          - name: minions",                                  // 23
            "            labels: kvm reuse",                              // 24
            "            existingDomains: [minion1, minion2]");           // 25

    private final CascFile casc = new CascFile(tmp, CLOUD);

    @Test
    public void aCloudIsReadAndSummed() throws Exception {
        Path f = casc.write();
        Result r = run("validate", f.toString());
        assertEquals(r.err(), 0, r.code());
        assertEquals(f + ": valid JCasC configuration (jenkins.clouds.tollgateLibvirt): cloud kvm1 at "
                + "qemu+ssh://jenkins@kvm1/system, 2 template(s): debian transient domain on an overlay of "
                + "/var/lib/libvirt/images/debian.qcow2 [kvm debian], minions reusing [minion1, minion2] [kvm reuse]\n",
                r.out());
    }

    @Test
    public void badValuesAreErrorsOnTheirLines() throws Exception {
        Path f = casc.writeWith(10, "            namePattern: kvm1/{os}");
        assertEquals(List.of(f + ":10: namePattern: has an unknown placeholder {os} (known: {cloud}, {template}, {n}, {id})",
                f + ":10: namePattern: needs {n} or {id}, so that two agents of the template never get one name"),
                CascFile.errors(f));
        f = casc.writeWith(5, "        uri: kvm1.example.org");
        assertEquals(List.of(f + ":5: uri: must be a libvirt connection URI such as qemu:///system or "
                + "qemu+ssh://host/system, got kvm1.example.org"), CascFile.errors(f));
        f = casc.writeWith(20, "            baseImage: debian.qcow2");
        assertEquals(List.of(f + ":20: baseImage: must be an absolute path, got debian.qcow2"),
                CascFile.errors(f));
        f = casc.writeWith(14, "                <name>agent</name>");
        assertEquals(List.of(f + ":12: domainXml: must name the domain {{name}} (the agent's name): two "
                + "agents cannot share a domain name"), CascFile.errors(f));
        f = casc.writeWith(22, "            memoryMib: lots");
        List<String> e = CascFile.errors(f);
        assertEquals(e.toString(), 1, e.size());
        assertTrue(e.toString(), e.get(0).startsWith(f + ":22: memoryMib: "));
    }

    @Test
    public void theTwoModesAreExclusiveAndDomainsBelongToOneTemplate() throws Exception {
        List<String> both = new ArrayList<>(CLOUD);
        both.add("            baseImage: /var/lib/libvirt/images/x.qcow2");
        Path f = casc.write(both);
        List<String> e = CascFile.errors(f);
        assertTrue(e.toString(), e.contains(f + ":26: baseImage: a baseImage needs domainXml (a reused domain keeps its own disks)"));
        List<String> shared = new ArrayList<>(CLOUD);
        shared.add("          - {name: more, labels: kvm, existingDomains: [minion2]}");
        f = casc.write(shared);
        assertEquals(List.of(f + ":26: existingDomains: domain 'minion2' is in templates 'minions' and 'more'"),
                CascFile.errors(f));
    }

    @Test
    public void aVariableStandsForAValidValueAndTwoCloudsOfOneNameAreRefused() throws Exception {
        Path f = casc.writeWith(5, "        uri: \"${LIBVIRT_URI}\"");
        assertEquals(run("validate", f.toString()).err(), 0, run("validate", f.toString()).code());
        List<String> two = new ArrayList<>(CLOUD);
        two.add("    - tollgateLibvirt: {name: kvm1, uri: \"qemu:///system\", templates: [{name: t, labels: x, "
                + "existingDomains: [d1]}]}");
        f = casc.write(two);
        assertEquals(List.of(f + ":1: name: two libvirt clouds are named kvm1 (after '/' and spaces become '-')"),
                CascFile.errors(f));
    }
}
