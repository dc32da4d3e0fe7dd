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

/** {@code tollgate validate} on the OpenStack clouds under {@code jenkins: clouds:}: read by the engine's records, problems on their lines. */
public class ValidateOpenStackTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    static final List<String> CLOUD = List.of(
            "jenkins:",                                                    // 1
            "  clouds:",                                                   // 2
            "    - openstack:",                                            // 3
            "        name: another plugin's, left alone",                  // 4
            "    - tollgateOpenStack:",                                    // 5
            "        name: rax",                                           // 6
            "        authUrl: https://keystone.example.org:5000/v3",       // 7
            "        credentialsId: openstack-ci",                         // 8
            "        project: ci",                                         // 9
            "        region: RegionOne",                                   // 10
            "        maxConcurrentBoots: 3",                               // 11
            "        templates:",                                          // 12
            "          - name: debian-12",                                 // 13
            "            labels: openstack debian-12",                     // 14
            "            flavor: m1.large",                                // 15
            "            image:",                                          // 16
            "              nameRegex: ^debian-12-",                        // 17
            "              properties:",                                   // 18
            "                - key: tollgate_role",                        // 19
            "                  value: agent",                              // 20
            "            networks: [agents]",                              // 21
            "            floatingIpPool: public",                          // 22
            "            metadata:",                                       // 23
            "              - key: purpose",                                // 24
            "                value: ci-agent");                            // 25

    private final CascFile casc = new CascFile(tmp, CLOUD);

    @Test
    public void aCloudIsReadAndSummed() throws Exception {
        Path f = casc.write();
        Result r = run("validate", f.toString());
        assertEquals(r.err(), 0, r.code());
        assertEquals(f + ": valid JCasC configuration (jenkins.clouds.tollgateOpenStack): cloud rax at "
                + "https://keystone.example.org:5000/v3 region RegionOne (credentials openstack-ci in project ci), at most 3 "
                + "booting, 1 template(s): debian-12 m1.large image newest matching '^debian-12-' with [tollgate_role] "
                + "floating IP from public one-shot [openstack debian-12]\n", r.out());
    }

    @Test
    public void badValuesAreErrorsOnTheirLines() throws Exception {
        Path f = casc.writeWith(7, "        authUrl: https://keystone.example.org:5000/v2.0");
        assertEquals(List.of(f + ":7: authUrl: must be Keystone's v3 URL (ending in /v3), got "
                + "https://keystone.example.org:5000/v2.0"), CascFile.errors(f));
        f = casc.writeWith(17, "              nameRegex: \"(\"");
        List<String> e = CascFile.errors(f);
        assertEquals(e.toString(), 1, e.size());
        assertTrue(e.get(0), e.get(0).startsWith(f + ":17: nameRegex: "));
        f = casc.writeWith(24, "              - key: tollgate:agent");
        assertEquals(List.of(f + ":24: key: keys starting tollgate: are the fingerprint's"), CascFile.errors(f));
        f = casc.writeWith(21, "            networks: []");
        assertEquals(List.of(f + ":22: floatingIpPool: a floating IP is bound to a port on the template's first network: "
                + "list at least one network"), CascFile.errors(f));
        f = casc.writeWith(11, "        maxConcurrentBoots: 0");
        assertEquals(List.of(f + ":11: maxConcurrentBoots: must be at least 1, got 0"), CascFile.errors(f));
    }

    @Test
    public void anApplicationCredentialTakesNoProjectAndVariablesStandForValues() throws Exception {
        List<String> app = casc.with(9, "        authentication: applicationCredential");
        Path f = casc.write(app);
        Result r = run("validate", f.toString());
        assertEquals(r.err(), 0, r.code());
        assertTrue(r.out(), r.out().contains("(application credential openstack-ci)"));
        List<String> both = new ArrayList<>(app);
        both.add(9, "        project: ci");
        Path g = casc.write(both);
        assertEquals(List.of(g + ":10: project: is for a password; an application credential carries its own project"),
                CascFile.errors(g));
        Path h = casc.writeWith(7, "        authUrl: \"${OS_AUTH_URL}\"");
        Result vars = run("validate", h.toString());
        assertEquals(vars.err(), 0, vars.code());
    }

    @Test
    public void anUnknownKeyAndAMissingRequiredKeyAreNamed() throws Exception {
        Path f = casc.writeWith(15, "            flavour: m1.large");
        List<String> e = CascFile.errors(f);
        assertTrue(e.toString(), e.stream().anyMatch(l -> l.startsWith(f + ":15: flavour: unknown key")));
        assertTrue(e.toString(), e.stream().anyMatch(l -> l.contains("flavor: required")));
    }

    @Test
    public void twoCloudsOfOneNameAreRefused() throws Exception {
        List<String> two = new ArrayList<>(CLOUD);
        two.add("    - tollgateOpenStack: {name: rax, authUrl: \"https://k.example.org/v3\", credentialsId: c, project: p, "
                + "templates: [{name: t, labels: x, flavor: m1, image: {name: debian}}]}");
        Path f = casc.write(two);
        assertEquals(List.of(f + ":1: name: two OpenStack clouds are named rax (after '/' and spaces become '-')"),
                CascFile.errors(f));
    }
}
