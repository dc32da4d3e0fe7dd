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

/** {@code tollgate validate} on the LXD clouds under {@code jenkins: clouds:}: read by the engine's records, problems on their lines. */
public class ValidateLxdTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    static final List<String> CLOUD = List.of(
            "jenkins:",                                          // 1
            "  numExecutors: 0",                                 // 2
            "  clouds:",                                         // 3
            "    - lxd:",                                        // 4
            "        name: another plugin's, left alone",        // 5
            "    - tollgateLxd:",                                // 6
            "        name: babune",                              // 7
            "        socketPath: /var/lib/lxd/unix.socket",      // 8
            "        project: ci",                               // 9
            "        instanceCap: 8",                            // 10
            "        templates:",                                // 11
            "          - name: debian-12",                       // 12
            "            labels: lxd debian-12",                 // 13
            "            image: debian-12-ci",                   // 14
            "            namePattern: lxd/debian-12/{n}",        // 15
            "            profiles: [default, ci]",               // 16
            "            config:",                               // 17
            "              - key: limits.cpu",                   // 18
            "                value: \"2\"",                      // 19
            "            devices:",                              // 20
            "              - name: cache",                       // 21
            "                type: disk",                        // 22
            "                options:",                          // 23
            "                  - key: path",                     // 24
            "                    value: /cache",                 // 25
            "            agentCommand: [/bin/sh, -c, exec java -jar /opt/agent.jar]",  // 26
            "            agentUser: 1000");                      // 27

    private final CascFile casc = new CascFile(tmp, CLOUD);

    @Test
    public void aCloudIsReadAndSummed() throws Exception {
        Path f = casc.write();
        Result r = run("validate", f.toString());
        assertEquals(r.err(), 0, r.code());
        assertEquals(f + ": valid JCasC configuration (jenkins.clouds.tollgateLxd): cloud babune at "
                + "/var/lib/lxd/unix.socket, 1 template(s): debian-12 debian-12-ci ephemeral one-shot [lxd debian-12]\n",
                r.out());
    }

    @Test
    public void badValuesAreErrorsOnTheirLines() throws Exception {
        Path f = casc.writeWith(15, "            namePattern: lxd/{os}");
        assertEquals(List.of(f + ":15: namePattern: has an unknown placeholder {os} (known: {cloud}, {template}, {n}, {id})",
                f + ":15: namePattern: needs {n} or {id}, so that two agents of the template never get one name"),
                CascFile.errors(f));
        f = casc.writeWith(8, "        socketPath: lxd.socket");
        assertEquals(List.of(f + ":8: socketPath: must be an absolute path such as /var/lib/lxd/unix.socket, got lxd.socket"),
                CascFile.errors(f));
        f = casc.writeWith(18, "              - key: environment.TOKEN");
        assertEquals(List.of(f + ":17: config: config key 'environment.TOKEN' would reach every process in the instance; "
                + "the agent gets its settings through its own environment"),
                CascFile.errors(f));
        f = casc.writeWith(24, "                  - key: type");
        assertEquals(List.of(f + ":24: key: the device's type is its own key, not an option"),
                CascFile.errors(f));
    }

    @Test
    /** A missing key is named at its cloud's line. */
    public void aRemoteDaemonNeedsItsCertificateAndPinAndVariablesStandForValues() throws Exception {
        Path f = casc.writeWith(8, "        url: https://lxd.example.org:8443");
        List<String> e = CascFile.errors(f);
        assertTrue(e.toString(), e.contains(f + ":6: credentialsId: a remote daemon needs the controller's client "
                + "certificate (a certificate credential the daemon trusts)"));
        assertTrue(e.toString(), e.contains(f + ":6: serverCertificateFingerprint: a remote daemon's certificate must be "
                + "pinned: its SHA-256 fingerprint as lxc info shows it (no pin, no connection)"));
        List<String> remote = casc.with(8, "        url: \"${LXD_URL}\"");
        remote.add(8, "        credentialsId: lxd-client");
        remote.add(9, "        serverCertificateFingerprint: \"${LXD_SERVER_FINGERPRINT}\"");
        Result r = run("validate", casc.write(remote).toString());
        assertEquals(r.err(), 0, r.code());
        assertTrue(r.out(), r.out().contains("cloud babune at ${LXD_URL} (credentials lxd-client, pinned)"));
    }

    @Test
    public void anUnknownKeyAndAMissingRequiredKeyAreNamed() throws Exception {
        Path f = casc.writeWith(27, "            agentUid: 1000");
        List<String> e = CascFile.errors(f);
        assertEquals(1, e.size());
        assertTrue(e.get(0), e.get(0).startsWith(f + ":27: agentUid: unknown key"));
        Path g = casc.writeWith(14, "            imag: debian-12-ci");
        e = CascFile.errors(g);
        assertTrue(e.toString(), e.stream().anyMatch(l -> l.startsWith(g + ":14: imag: unknown key")));
        assertTrue(e.toString(), e.stream().anyMatch(l -> l.contains("image: required")));
    }

    @Test
    public void twoCloudsOfOneNameAreRefused() throws Exception {
        List<String> two = new ArrayList<>(CLOUD);
        two.add("    - tollgateLxd: {name: babune, socketPath: /run/lxd.socket, templates: [{name: t, labels: x, "
                + "image: img, agentCommand: [/bin/agent]}]}");
        Path f = casc.write(two);
        assertEquals(List.of(f + ":1: name: two LXD clouds are named babune (after '/' and spaces become '-')"),
                CascFile.errors(f));
    }
}
