package dev.tollgate.cli;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.tollgate.pipeline.layout.CascConfig;
import dev.tollgate.pipeline.layout.LayoutParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class MainTest {
    static final String EXAMPLE = "../examples/metaplugin-ci/";
    static final String LAYOUT = EXAMPLE + "layout.yaml";
    static final String EVENTS = EXAMPLE + "events.jsonl";

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    record Result(int code, String out, String err) {
        List<String> outLines() {
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        }
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    public void validateAcceptsTheSeedLayout() {
        Result r = run("validate", LAYOUT);
        assertEquals(0, r.code);
        assertEquals(LAYOUT + ": valid Zuul v2 layout: 1 pipeline(s), 1 project(s), 0 job definition(s), "
                + "1 project job(s)\n", r.out);
        assertEquals("", r.err);
    }

    @Test
    public void validateListsEveryErrorWithItsLine() throws Exception {
        Path bad = tmp.newFile("layout.yaml").toPath();
        Files.writeString(bad, String.join("\n",
                "pipelines:",
                "  - name: check",
                "    manager: DependentPipelineManager",
                "    trigger:",
                "      gerrit:",
                "        - event: comment-added",
                "          comment: recheck(?!-not)",
                "projects:",
                "  - name: openstack/neutron",
                "    gate:",
                "      - job",
                ""));
        Result r = run("validate", bad.toString());
        assertEquals(1, r.code);
        assertEquals("", r.out);
        assertEquals(List.of(
                bad + ":3: manager: DependentPipelineManager is not supported yet (only IndependentPipelineManager: "
                        + "no gating queue)",
                bad + ":7: comment: bad regex `recheck(?!-not)`: lookahead/lookbehind ((?=, (?!, (?<=, (?<!) is not "
                        + "supported: patterns run in linear time (RE2 syntax)",
                bad + ":10: gate: unknown pipeline `gate` (defined: check)"), List.of(r.err.split("\n")));
    }

    @Test
    public void importThenValidateRoundTrips() throws Exception {
        Result imported = run("import-zuul", LAYOUT);
        assertEquals(0, imported.code);
        assertTrue(imported.out.startsWith("unclassified:\n  tollgateGerritPipeline:\n"));
        Path casc = tmp.newFile("casc.yaml").toPath();
        Files.writeString(casc, imported.out);
        Result v = run("validate", casc.toString());
        assertEquals(0, v.code);
        assertEquals(casc + ": valid JCasC configuration (unclassified.tollgateGerritPipeline): 1 pipeline(s), "
                + "1 project(s), 0 job definition(s), 1 project job(s)\n", v.out);
        assertEquals(LayoutParser.parse(Path.of(LAYOUT)), CascConfig.parse(casc));
        // and simulate runs the same on both forms
        assertEquals(run("simulate", "--layout", LAYOUT, EVENTS).out, run("simulate", "--layout", casc.toString(), EVENTS).out);
    }

    static final String ITEM1 = "\"pipeline\":\"check\",\"project\":\"openstack/neutron\",\"change\":12345,\"patchset\":1";
    static final String ITEM2 = "\"pipeline\":\"check\",\"project\":\"openstack/neutron\",\"change\":12345,\"patchset\":2";
    static final String JOBS = "\"jobs\":[\"check-tempest-dsvm-metaplugin\"]";
    static final String OK = "\"labels\":{\"Verified\":1},\"message\":\"Build succeeded.\\n\\n"
            + "- check-tempest-dsvm-metaplugin : SUCCESS in 0s\\n\"";
    static final String MALFORMED = EVENTS + ":10: skipped malformed event: invalid JSON: Unexpected end-of-input in "
            + "field name\n";

    @Test
    public void simulateTheBundledExample() {
        Result r = run("simulate", "--layout", LAYOUT, EVENTS);
        assertEquals(0, r.code);
        assertEquals(List.of(
                "{\"event\":1,\"action\":\"enqueue\"," + ITEM1 + "," + JOBS + "}",
                "{\"event\":1,\"action\":\"report\"," + ITEM1 + "," + OK + "}",
                "{\"event\":3,\"action\":\"enqueue\"," + ITEM1 + "," + JOBS + "}",
                "{\"event\":3,\"action\":\"report\"," + ITEM1 + "," + OK + "}",
                "{\"event\":4,\"action\":\"enqueue\"," + ITEM2 + "," + JOBS + "}",
                "{\"event\":4,\"action\":\"report\"," + ITEM2 + "," + OK + "}",
                "{\"event\":6,\"action\":\"enqueue\"," + ITEM2 + "," + JOBS + "}",
                "{\"event\":6,\"action\":\"report\"," + ITEM2 + "," + OK + "}",
                "{\"event\":7,\"action\":\"enqueue\"," + ITEM2 + "," + JOBS + "}",
                "{\"event\":7,\"action\":\"report\"," + ITEM2 + "," + OK + "}"), r.outLines());
        assertEquals(MALFORMED, r.err);
    }

    @Test
    public void bytesThatAreNotUtf8DoNotStopTheReplay() throws Exception {
        java.nio.file.Path events = tmp.newFile("latin1.jsonl").toPath();
        java.util.List<String> lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of(EVENTS));
        try (java.io.OutputStream o = java.nio.file.Files.newOutputStream(events)) {
            o.write("{\"type\":\"comment-added\",\"comment\":\"caf\u00e9\"".getBytes(StandardCharsets.ISO_8859_1));
            o.write(new byte[] {(byte) 0xff, (byte) 0xfe, '\n'});
            o.write((lines.get(0) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        Result r = run("simulate", "--layout", LAYOUT, events.toString());
        assertEquals(0, r.code);
        assertEquals(2, r.outLines().size()); // line 2 still enqueued and reported
        assertTrue(r.err, r.err.startsWith(events + ":1: skipped malformed event"));
    }

    @Test
    public void simulateWithHoldShowsQueueRules() {
        Result r = run("simulate", "--layout", LAYOUT, "--hold", EVENTS);
        assertEquals(0, r.code);
        assertEquals(List.of(
                "{\"event\":1,\"action\":\"enqueue\"," + ITEM1 + "," + JOBS + "}",
                "{\"event\":4,\"action\":\"dequeue\"," + ITEM1 + "}",
                "{\"event\":4,\"action\":\"enqueue\"," + ITEM2 + "," + JOBS + "}",
                "{\"event\":5,\"action\":\"dequeue\"," + ITEM2 + "}",
                "{\"event\":6,\"action\":\"enqueue\"," + ITEM2 + "," + JOBS + "}"), r.outLines());
        assertEquals(MALFORMED, r.err);
    }

    @Test
    public void simulateFailureVotesZero() {
        Result r = run("simulate", "--result", "FAILURE", "--layout=" + LAYOUT, EVENTS);
        assertEquals(0, r.code);
        assertEquals("{\"event\":1,\"action\":\"report\"," + ITEM1 + ",\"labels\":{\"Verified\":0},\"message\":"
                + "\"Build failed. Leave a comment with 'metaplugin-recheck' to rerun a check. ('recheck' will be "
                + "ignored.)\\n\\n- check-tempest-dsvm-metaplugin : FAILURE in 0s\\n\"}", r.outLines().get(1));
    }

    @Test
    public void simulateBuildsThatEndWithoutAResult() {
        // the first build of the check job loses its agent, the relaunch fails: attempt 2 of 3
        Result r = run("simulate", "--layout", LAYOUT, "--job-result", "check-tempest-dsvm-metaplugin=NONE,FAILURE",
                EVENTS);
        assertEquals(0, r.code);
        assertEquals("{\"event\":1,\"action\":\"relaunch\"," + ITEM1 + ",\"job\":\"check-tempest-dsvm-metaplugin\","
                + "\"attempt\":2}", r.outLines().get(1));
        assertTrue(r.outLines().get(2), r.outLines().get(2).contains("- check-tempest-dsvm-metaplugin : FAILURE in 0s"));
        // every build without a result: three launches, then RETRY_LIMIT
        Result none = run("simulate", "--layout", LAYOUT, "--result", "NONE", EVENTS);
        assertEquals(0, none.code);
        assertTrue(none.outLines().get(2), none.outLines().get(2).contains("\"attempt\":3"));
        assertTrue(none.outLines().get(3), none.outLines().get(3).contains("- check-tempest-dsvm-metaplugin : RETRY_LIMIT\\n"));
    }

    @Test
    public void simulateIsDeterministic() {
        assertEquals(run("simulate", "--layout", LAYOUT, EVENTS), run("simulate", "--layout", LAYOUT, EVENTS));
    }

    @Test
    public void usageErrorsExitTwo() {
        assertEquals(2, run().code);
        assertEquals(2, run("frobnicate").code);
        assertTrue(run("frobnicate").err.startsWith("tollgate: unknown command `frobnicate`\nusage: tollgate"));
        assertEquals(2, run("validate").code);
        assertEquals(2, run("validate", "a", "b").code);
        assertEquals(2, run("import-zuul").code);
        assertEquals(2, run("simulate", EVENTS).code);
        assertEquals(2, run("simulate", "--layout", LAYOUT).code);
        assertEquals(2, run("simulate", "--layout").code);
        assertEquals(2, run("simulate", "--layout", LAYOUT, "--result", "UNSTABLE", EVENTS).code);
        assertEquals(2, run("simulate", "--layout", LAYOUT, "--fast", EVENTS).code);
        Result help = run("--help");
        assertEquals(0, help.code);
        assertTrue(help.out.contains("simulate --layout LAYOUT [--hold] [--result SUCCESS|FAILURE|NONE]\n"
                + "           [--job-result JOB=RESULT[,RESULT...]]... EVENTS"));
        assertEquals(2, run("simulate", "--layout", LAYOUT, "--job-result", "tempest", EVENTS).code);
        assertEquals(2, run("simulate", "--layout", LAYOUT, "--job-result=tempest=not a word", EVENTS).code);
    }

    @Test
    public void missingFilesExitOne() {
        Result r = run("validate", "no/such.yaml");
        assertEquals(1, r.code);
        assertEquals("no/such.yaml: no such file\n", r.err);
        assertEquals(1, run("simulate", "--layout", LAYOUT, "no/events.jsonl").code);
    }
}
