package dev.tollgate.cli;

import static dev.tollgate.cli.MainTest.run;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.tollgate.cli.MainTest.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@code tollgate validate} on the scp-logs plugin's section, {@code unclassified: tollgateScpLogs:}. */
public class ValidateScpLogsTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    static final List<String> SECTION = List.of(
            "unclassified:",                                          // 1
            "  tollgateScpLogs:",                                     // 2
            "    hosts:",                                             // 3
            "      - name: log-server",                               // 4
            "        host: \"${LOG_SERVER:-log-server}\"",            // 5
            "        port: 22",                                       // 6
            "        rootPath: /var/www/html/metaplugin-ci",          // 7
            "        user: ciuser",                                   // 8
            "        credentialsId: log-server-ssh",                  // 9
            "        hostKey: \"${LOG_SERVER_HOST_KEY}\"",            // 10
            "        urlBase: http://log-server/metaplugin-ci",       // 11
            "      - name: archive",                                  // 12
            "        host: archive.example.org",                      // 13
            "        rootPath: /srv/logs",                            // 14
            "        user: logs",                                     // 15
            "        credentialsId: archive-password",                // 16
            "        hostKey: " + ValidateJcascTest.KEY,              // 17
            "        urlBase: https://archive.example.org/logs/");    // 18

    private Path file(List<String> lines) throws Exception {
        Path f = tmp.newFile().toPath();
        Files.writeString(f, String.join("\n", lines) + "\n");
        return f;
    }

    private static List<String> errors(Result r) {
        assertEquals(r.err(), 1, r.code());
        MainTest.assertNoStackTrace(r);
        return List.of(r.err().split("\n"));
    }

    @Test
    public void theSectionAloneIsAValidFile() throws Exception {
        Path f = file(SECTION);
        Result r = run("validate", f.toString());
        assertEquals(r.err(), 0, r.code());
        assertEquals(f + ": valid JCasC configuration (unclassified.tollgateScpLogs): 2 log host(s) (log-server, "
                + "archive)\n", r.out());
    }

    @Test
    public void nextToThePipelinesEachSectionHasItsLine() throws Exception {
        List<String> lines = new ArrayList<>(ValidateJcascTest.HEAD);
        lines.addAll(ValidateJcascTest.SECTION);
        lines.addAll(SECTION.subList(1, SECTION.size()));
        Path f = file(lines);
        Result r = run("validate", f.toString());
        assertEquals(r.err(), 0, r.code());
        String[] out = r.out().split("\n");
        assertEquals(2, out.length);
        assertTrue(out[0], out[0].startsWith(f + ": valid JCasC configuration (unclassified.tollgateGerritPipeline): "));
        assertEquals(f + ": valid JCasC configuration (unclassified.tollgateScpLogs): 2 log host(s) (log-server, "
                + "archive)", out[1]);
    }

    @Test
    public void eachHostsProblemsAreOnTheirLines() throws Exception {
        List<String> lines = new ArrayList<>(SECTION);
        lines.set(5, "        port: 70000");
        lines.set(6, "        rootPath: var/www/html/metaplugin-ci");
        lines.set(10, "        urlBase: ftp://log-server/metaplugin-ci");
        lines.set(11, "      - name: log-server");
        lines.set(14, "        username: logs");
        lines.set(16, "        hostKey: ssh-ed25519 not-a-key");
        Path f = file(lines);
        assertEquals(List.of(
                f + ":6: port: port 70000 is outside 1-65535",
                f + ":7: rootPath: root path 'var/www/html/metaplugin-ci' must be an absolute path on the server",
                f + ":11: urlBase: URL base 'ftp://log-server/metaplugin-ci' must be an absolute http(s) URL "
                        + "(LOG_URL_BASE)",
                f + ":12: user: required: the login name on the log server",
                f + ":15: username: unknown key in hosts (expected one of: name, host, port, rootPath, user, "
                        + "credentialsId, hostKey, urlBase)"),
                errors(run("validate", f.toString())).subList(0, 5));
    }

    @Test
    public void aDuplicateNameAndABadKeyAreReportedAtTheSecondHost() throws Exception {
        List<String> lines = new ArrayList<>(SECTION);
        lines.set(11, "      - name: log-server");
        lines.set(16, "        hostKey: ssh-ed25519 not-a-key");
        Path f = file(lines);
        List<String> e = errors(run("validate", f.toString()));
        assertEquals(e.toString(), 2, e.size());
        assertEquals(f + ":12: name: duplicate log host `log-server` (the 1st host has that name already)", e.get(0));
        assertTrue(e.get(1), e.get(1).startsWith(f + ":17: hostKey: host key 'ssh-ed25519 not-a-key' is neither an "
                + "OpenSSH public key line nor a SHA256 fingerprint"));
    }

    @Test
    public void aHostWithoutAHostKeyIsRefused() throws Exception {
        List<String> lines = new ArrayList<>(SECTION.subList(0, 9));
        lines.add("        urlBase: http://log-server/metaplugin-ci");
        Path f = file(lines);
        assertEquals(List.of(f + ":4: hostKey: required: the log server's public host key, pinned (from "
                + "`ssh-keyscan -t ed25519 HOST`)"), errors(run("validate", f.toString())));
    }
}
