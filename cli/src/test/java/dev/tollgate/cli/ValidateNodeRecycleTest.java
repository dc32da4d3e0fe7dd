package dev.tollgate.cli;

import static dev.tollgate.cli.MainTest.assertNoStackTrace;
import static dev.tollgate.cli.MainTest.run;
import static org.junit.Assert.assertEquals;

import dev.tollgate.cli.MainTest.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@code tollgate validate} on the node-recycle section: its rules checked on their lines. */
public class ValidateNodeRecycleTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path file(String... lines) throws Exception {
        Path f = tmp.newFile().toPath();
        Files.writeString(f, String.join("\n", lines) + "\n");
        return f;
    }

    private static List<String> errors(Result r) {
        assertEquals(r.err(), 1, r.code());
        assertEquals("", r.out());
        assertNoStackTrace(r);
        return List.of(r.err().split("\n"));
    }

    @Test
    public void theSeedsRuleIsValid() throws Exception {
        Path f = file(
                "unclassified:",
                "  tollgateNodeRecycle:",
                "    rules:",
                "      - label: devstack_slave",
                "        mode: REBOOT",
                "        rebootCommand: sudo shutdown -r +1",
                "      - label: gpu && !devstack_slave",
                "        mode: OFFLINE",
                "        results: [FAILURE, ABORTED]");
        Result r = run("validate", f.toString());
        assertEquals(r.err(), 0, r.code());
        assertEquals(f + ": valid JCasC configuration (unclassified.tollgateNodeRecycle): 2 rule(s): devstack_slave: "
                + "REBOOT `sudo shutdown -r +1`, gpu && !devstack_slave: OFFLINE\n", r.out());
    }

    @Test
    public void everyProblemIsOnItsLine() throws Exception {
        Path f = file(
                "unclassified:",                              // 1
                "  tollgateNodeRecycle:",                     // 2
                "    rules:",                                 // 3
                "      - label: devstack_slave -> a -> b",    // 4
                "        mode: REBOOT",                       // 5
                "      - label: '\"unclosed'",                // 6
                "        mode: reboot",                       // 7
                "      - label: spot",                        // 8
                "        mode: REBOOT",                       // 9
                "        rebootCommand: sudo shutdown -r +10",// 10
                "        reconnectTimeoutMinutes: 5",         // 11
                "        commandTimout: 30",                  // 12
                "      - mode: OFFLINE",                      // 13
                "        results: [FAILURE, LOST]",           // 14
                "      - label: \" spot\"",                  // 15
                "        mode: NONE");                        // 16
        // in line order; a rule without its label is not read, so its results are not checked
        assertEquals(List.of(
                f + ":4: label: invalid label expression `devstack_slave -> a -> b`: `->` cannot follow another `->` at "
                        + "the same level; add parentheses, e.g. (a -> b) -> c (at character 21)",
                f + ":6: label: invalid label expression `\"unclosed`: the quoted label is not closed with `\"` (at "
                        + "character 1)",
                f + ":7: mode: unknown mode `reboot`; use one of REBOOT, OFFLINE, REPLACE, NONE",
                f + ":11: reconnectTimeoutMinutes: reconnect timeout 5 min does not cover the reboot delay in the command "
                        + "(10 min) plus boot time; use more than 11 min (default 15 min)",
                f + ":12: commandTimout: unknown key in rules (expected one of: label, mode, rebootCommand, "
                        + "reconnectTimeoutMinutes, disconnectTimeoutMinutes, commandTimeoutSeconds, results)",
                f + ":13: label: required",
                f + ":15: label: a second rule for `spot`: only the first would ever apply; keep one"),
                errors(run("validate", f.toString())));
    }

    @Test
    public void typesAreChecked() throws Exception {
        Path f = file(
                "unclassified:",
                "  tollgateNodeRecycle:",
                "    rules:",
                "      - label: a",
                "        mode: REBOOT",
                "        commandTimeoutSeconds: soon",
                "        results: FAILURE");
        assertEquals(List.of(
                f + ":6: commandTimeoutSeconds: expected an integer, got `soon`",
                f + ":7: results: expected a list, got `FAILURE`"), errors(run("validate", f.toString())));
    }
}
