package dev.tollgate.cli;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.tollgate.pipeline.event.EventParser;
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

    // ------------------------------------------------------------------ bad input: a message, never a stack trace

    static void assertOneCleanError(Result r, String expectedErr) {
        assertEquals(r.err, 1, r.code);
        assertEquals("", r.out);
        assertEquals(expectedErr + "\n", r.err);
    }

    static void assertNoStackTrace(Result r) {
        assertFalse(r.err, r.err.contains("\tat ") || r.err.contains("Exception") || r.err.contains("internal error"));
    }

    /** The same file handed to every command that reads a configuration. */
    List<Result> everyCommandOn(Path layout) {
        return List.of(run("validate", layout.toString()), run("import-zuul", layout.toString()),
                run("simulate", "--layout", layout.toString(), EVENTS));
    }

    Path layoutWithComment(String pattern) throws Exception {
        Path f = tmp.newFile().toPath();
        Files.writeString(f, String.join("\n",
                "pipelines:",
                "  - name: check",
                "    manager: IndependentPipelineManager",
                "    trigger:",
                "      gerrit:",
                "        - event: comment-added",
                "          comment: '" + pattern + "'",
                "projects:",
                "  - name: openstack/neutron",
                "    check:",
                "      - check-tempest-dsvm-metaplugin",
                ""));
        return f;
    }

    /** Before the limits: an OutOfMemoryError (with a stack trace) after minutes of compiling. */
    @Test
    public void aRegexThatWouldExhaustTheHeapIsOneLineWithItsPlace() throws Exception {
        Path f = layoutWithComment("((a{1000}){1000}){1000}");
        for (Result r : everyCommandOn(f)) {
            assertOneCleanError(r, f + ":7: comment: bad regex `((a{1000}){1000}){1000}`: counted repetitions nested "
                    + "inside each other make 1000000 copies, more than the limit of 1000 (RE2 compiles x{n} as n "
                    + "copies of x)");
        }
    }

    /** Before the limits: StackOverflowError and a raw stack trace. */
    @Test
    public void deeplyNestedGroupsAreOneLine() throws Exception {
        Path f = layoutWithComment("(".repeat(1000) + "a" + ")".repeat(1000));
        for (Result r : everyCommandOn(f)) {
            assertOneCleanError(r, f + ":7: comment: bad regex `" + "(".repeat(60) + "...` (2001 characters): groups "
                    + "are nested more than 100 deep");
        }
        Path deeper = layoutWithComment("(".repeat(20_000) + "a" + ")".repeat(20_000));
        assertOneCleanError(run("validate", deeper.toString()), deeper + ":7: comment: bad regex `" + "(".repeat(60)
                + "...` (40001 characters): the pattern is 40001 characters long, more than the limit of 4096");
    }

    @Test
    public void missingUnreadableAndDirectoryInputsAreOneLine() throws Exception {
        Path dir = tmp.newFolder("a-directory").toPath();
        for (Result r : everyCommandOn(Path.of("no/such.yaml"))) {
            assertOneCleanError(r, "no/such.yaml: no such file");
        }
        for (Result r : everyCommandOn(dir)) {
            assertOneCleanError(r, dir + ": cannot read: Is a directory");
        }
        assertOneCleanError(run("simulate", "--layout", LAYOUT, dir.toString()), dir + ": cannot read: Is a directory");
    }

    /** Before: Files.readString failed with OutOfMemoryError ("Required array size too large"). */
    @Test
    public void aHugeFileIsRefusedByItsSize() throws Exception {
        Path huge = tmp.newFile("huge.yaml").toPath();
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(3L << 30); // sparse: takes no disk
        }
        for (Result r : everyCommandOn(huge)) {
            assertOneCleanError(r, huge + ":1: the file is 3221225472 bytes, more than the limit of 2097152");
        }
        // a device has no size: it is read up to the limit
        assertOneCleanError(run("validate", "/dev/zero"), "/dev/zero:1: the file is longer than the limit of 2097152 "
                + "bytes");
    }

    /** A 3 MB comment line took 4 s and 800 MB of heap before it was refused. */
    @Test
    public void anOverlongLineIsRefusedBeforeParsing() throws Exception {
        Path f = tmp.newFile("long-line.yaml").toPath();
        Files.writeString(f, "pipelines: []\n# " + "x".repeat(3_000_000) + "\n");
        for (Result r : everyCommandOn(f)) {
            assertOneCleanError(r, f + ":1: the file is 3000017 bytes, more than the limit of 2097152");
        }
        Files.writeString(f, "pipelines: []\n# " + "x".repeat(1_000_000) + "\n");
        for (Result r : everyCommandOn(f)) {
            assertOneCleanError(r, f + ":2: the line is 1000002 characters long, more than the limit of 65536");
        }
    }

    @Test
    public void binaryGarbageIsOneLine() throws Exception {
        byte[] garbage = new byte[64 * 1024];
        new java.util.Random(4).nextBytes(garbage);
        Path random = tmp.newFile("random.yaml").toPath();
        Files.write(random, garbage);
        for (Result r : everyCommandOn(random)) {
            assertEquals(1, r.code);
            assertTrue(r.err, r.err.startsWith(random + ":1: not UTF-8 text (byte "));
            assertNoStackTrace(r);
        }
        Path nuls = tmp.newFile("nuls.yaml").toPath(); // valid UTF-8, not YAML
        Files.write(nuls, new byte[4096]);
        for (Result r : everyCommandOn(nuls)) {
            assertOneCleanError(r, nuls + ":1: invalid YAML: special characters are not allowed");
        }
        Path events = tmp.newFile("random.jsonl").toPath();
        Files.write(events, garbage);
        Result r = run("simulate", "--layout", LAYOUT, events.toString());
        assertEquals(0, r.code);
        assertEquals("", r.out);
        assertTrue(r.err, r.err.startsWith(events + ":1: skipped malformed event: "));
        assertNoStackTrace(r);
    }

    /** An event line over EventParser.MAX_EVENT_BYTES is reported and skipped; the replay goes on. */
    @Test
    public void anOversizedEventLineIsSkippedAndTheReplayGoesOn() throws Exception {
        Path events = tmp.newFile("big.jsonl").toPath();
        List<String> lines = Files.readAllLines(Path.of(EVENTS));
        String big = "{\"type\":\"comment-added\",\"comment\":\"" + "x".repeat(EventParser.MAX_EVENT_BYTES) + "\"}";
        Files.writeString(events, big + "\n" + lines.get(0) + "\n");
        Result r = run("simulate", "--layout", LAYOUT, events.toString());
        assertEquals(0, r.code);
        assertEquals(events + ":1: skipped: the line is " + big.length() + " bytes, more than the limit of 1048576 "
                + "bytes for one event\n", r.err);
        assertEquals(List.of(
                "{\"event\":2,\"action\":\"enqueue\"," + ITEM1 + "," + JOBS + "}",
                "{\"event\":2,\"action\":\"report\"," + ITEM1 + "," + OK + "}"), r.outLines());
    }

    /**
     * Before: a 100 MB event line under a 64 MB heap ended in OutOfMemoryError and a stack trace.
     * The tool runs in its own JVM with that heap, reading the events from its standard input.
     */
    @Test(timeout = 120_000) // a hang guard only
    public void aHundredMegabyteLineUnderASmallHeapIsSkipped() throws Exception {
        Path out = tmp.newFile("out").toPath();
        Path err = tmp.newFile("err").toPath();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "simulate", "--layout", LAYOUT, "/dev/stdin")
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try (java.io.OutputStream in = p.getOutputStream()) {
            byte[] chunk = "x".repeat(1 << 20).getBytes(StandardCharsets.UTF_8);
            in.write("{\"type\":\"comment-added\",\"comment\":\"".getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < 100; i++) {
                in.write(chunk);
            }
            in.write("\"}\n".getBytes(StandardCharsets.UTF_8));
            in.write((Files.readAllLines(Path.of(EVENTS)).get(0) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            // the tool died before reading everything: its exit code and output tell why
        }
        int code = p.waitFor();
        String errText = Files.readString(err);
        assertEquals(errText, 0, code);
        assertEquals("/dev/stdin:1: skipped: the line is 104857637 bytes, more than the limit of 1048576 bytes for one "
                + "event\n", errText);
        assertEquals("{\"event\":2,\"action\":\"enqueue\"," + ITEM1 + "," + JOBS + "}\n"
                + "{\"event\":2,\"action\":\"report\"," + ITEM1 + "," + OK + "}\n", Files.readString(out));
    }

    /** Zuul fires `^metaplugin-recheck$` on a comment that ends with a newline (Python's $). */
    @Test
    public void aDollarAnchoredTriggerFiresOnACommentEndingWithANewline() throws Exception {
        Path layout = layoutWithComment("^metaplugin-recheck$");
        Path events = tmp.newFile("recheck.jsonl").toPath();
        String event = "{\"type\":\"comment-added\",\"change\":{\"project\":\"openstack/neutron\",\"branch\":"
                + "\"master\",\"number\":12345},\"patchSet\":{\"number\":1},\"author\":{\"username\":\"bob\"},"
                + "\"comment\":\"%s\"}";
        Files.writeString(events, String.format(event, "metaplugin-recheck\\n") + "\n"
                + String.format(event, "metaplugin-recheck\\n\\nthanks") + "\n");
        Result r = run("simulate", "--layout", layout.toString(), "--hold", events.toString());
        assertEquals(r.err, 0, r.code);
        assertEquals(List.of("{\"event\":1,\"action\":\"enqueue\"," + ITEM1 + "," + JOBS + "}"), r.outLines());
    }
}
