package dev.tollgate.pipeline.layout;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Input limits of the configuration readers, and how refused regexes are reported. */
public class ConfigInputTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    static final String HEAD = String.join("\n",
            "pipelines:",                                   // 1
            "  - name: check",                              // 2
            "    manager: IndependentPipelineManager",      // 3
            "    trigger:",                                 // 4
            "      gerrit:",                                // 5
            "        - event: comment-added",               // 6
            "");

    /** Before any limit, this pattern exhausted the heap while the layout was read. */
    @Test
    public void aRegexThatWouldExhaustTheHeapIsReportedWithFileAndLine() {
        assertEquals(List.of("l.yaml:7: comment: bad regex `((a{1000}){1000}){1000}`: counted repetitions nested "
                        + "inside each other make 1000000 copies, more than the limit of 1000 (RE2 compiles x{n} as n "
                        + "copies of x)"),
                layoutErrors(HEAD + "          comment: '((a{1000}){1000}){1000}'\n"));
        assertEquals(List.of("c.yaml:7: comments: bad regex `((a{1000}){1000}){1000}`: counted repetitions nested "
                        + "inside each other make 1000000 copies, more than the limit of 1000 (RE2 compiles x{n} as n "
                        + "copies of x)"),
                cascErrors(String.join("\n",
                        "unclassified:",
                        "  tollgateGerritPipeline:",
                        "    pipelines:",
                        "      - name: check",
                        "        manager: IndependentPipelineManager",
                        "        triggers:",
                        "          - {events: [comment-added], comments: ['((a{1000}){1000}){1000}']}",
                        "")));
    }

    @Test
    public void aLongRefusedRegexIsShownByItsStart() {
        String pattern = "(".repeat(5000) + ")".repeat(5000);
        assertEquals(List.of("l.yaml:7: comment: bad regex `" + "(".repeat(60) + "...` (10000 characters): the "
                        + "pattern is 10000 characters long, more than the limit of 4096"),
                layoutErrors(HEAD + "          comment: '" + pattern + "'\n"));
    }

    /** A 3 MB comment line took SnakeYAML 4 s and 800 MB before it refused the file. */
    @Test
    public void oversizedTextIsRefusedBeforeParsing() {
        String big = HEAD + ("# " + "x".repeat(1000) + "\n").repeat(3 * 1024);
        assertEquals(List.of("l.yaml:1: the configuration is " + big.length() + " characters long, more than the "
                + "limit of 2097152"), layoutErrors(big));
        assertEquals(List.of("c.yaml:1: the configuration is " + big.length() + " characters long, more than the "
                + "limit of 2097152"), cascErrors(big));
    }

    @Test
    public void anOverlongLineIsRefusedWithItsNumber() {
        String text = HEAD + "          comment: recheck\n# " + "x".repeat(ConfigInput.MAX_LINE) + "\n";
        assertEquals(List.of("l.yaml:8: the line is 65538 characters long, more than the limit of 65536"),
                layoutErrors(text));
        String fits = HEAD + "          comment: recheck\n# " + "x".repeat(ConfigInput.MAX_LINE - 2) + "\n";
        assertEquals(List.of(), layoutErrors(fits));
    }

    /** A file over the limit is refused by its size, without reading it (this one is 3 GiB, sparse). */
    @Test
    public void anOversizedFileIsRefusedWithoutReadingIt() throws Exception {
        Path huge = tmp.newFile("huge.yaml").toPath();
        try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(3L << 30);
        }
        for (ThrowingParse parse : List.<ThrowingParse>of(LayoutParser::parse, CascConfig::parse)) {
            try {
                parse.parse(huge);
                fail("accepted");
            } catch (ConfigException e) {
                assertEquals(huge + ":1: the file is 3221225472 bytes, more than the limit of 2097152",
                        e.getMessage());
            }
        }
    }

    @Test
    public void bytesThatAreNotUtf8AreRefusedWithTheirLine() throws Exception {
        Path latin1 = tmp.newFile("latin1.yaml").toPath();
        Files.write(latin1, (HEAD + "          comment: caf\u00e9\n").getBytes(StandardCharsets.ISO_8859_1));
        try {
            LayoutParser.parse(latin1);
            fail("accepted");
        } catch (ConfigException e) {
            assertEquals(latin1 + ":7: not UTF-8 text (byte " + (HEAD.length() + 22) + " of the file)",
                    e.getMessage());
        }
    }

    interface ThrowingParse {
        Layout parse(Path p) throws Exception;
    }

    static List<String> layoutErrors(String text) {
        try {
            LayoutParser.parse(text, "l.yaml");
            return List.of();
        } catch (ConfigException e) {
            return e.errors().stream().map(ConfigError::toString).collect(Collectors.toList());
        }
    }

    static List<String> cascErrors(String text) {
        try {
            CascConfig.parse(text, "c.yaml");
            return List.of();
        } catch (ConfigException e) {
            return e.errors().stream().map(ConfigError::toString).collect(Collectors.toList());
        }
    }
}
