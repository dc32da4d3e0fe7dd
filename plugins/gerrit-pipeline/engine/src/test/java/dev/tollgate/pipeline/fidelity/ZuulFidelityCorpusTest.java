package dev.tollgate.pipeline.fidelity;

import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.tollgate.pipeline.layout.ConfigError;
import dev.tollgate.pipeline.layout.ConfigException;
import dev.tollgate.pipeline.layout.Layout;
import dev.tollgate.pipeline.layout.LayoutParser;
import dev.tollgate.pipeline.simulate.Outcomes;
import dev.tollgate.pipeline.simulate.Simulation;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.Test;

/**
 * Runs every case under {@code src/test/resources/zuul-fidelity/}: decisions Zuul 2.5 takes on a
 * layout and an event stream, written down from reading its sources. A case directory holds
 * {@code layout.yaml} and either
 * <ul>
 *   <li>{@code events.jsonl} (Gerrit stream-events lines) and {@code expected.jsonl} (the decision
 *       lines {@code tollgate simulate} prints), with an optional {@code results.txt} saying how
 *       builds end ({@code JOB=RESULT[,RESULT...]} per line, {@code *} for every other job; the
 *       default is SUCCESS), or</li>
 *   <li>{@code errors.txt}: the layout is refused, with exactly these {@code layout.yaml:LINE: ...}
 *       lines.</li>
 * </ul>
 * Each layout starts with a comment saying what the case shows and where in Zuul it comes from.
 */
public class ZuulFidelityCorpusTest {
    static final String ROOT = "zuul-fidelity";

    @Test
    public void everyCaseDecidesAsZuulDoes() throws Exception {
        List<Path> cases = cases();
        assertTrue("no cases found under " + ROOT, cases.size() >= 10);
        List<String> failures = new ArrayList<>();
        for (Path c : cases) {
            String problem = run(c);
            if (problem != null) {
                failures.add(c.getFileName() + ":\n" + problem);
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + cases.size() + " cases differ\n\n" + String.join("\n\n", failures));
        }
    }

    static List<Path> cases() throws IOException, URISyntaxException {
        Path root = Path.of(ZuulFidelityCorpusTest.class.getClassLoader().getResource(ROOT).toURI());
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(Files::isDirectory).sorted().toList();
        }
    }

    /** Null when the case passes, else what differs. */
    static String run(Path dir) throws IOException {
        String layoutText = Files.readString(dir.resolve("layout.yaml"));
        Path errorsFile = dir.resolve("errors.txt");
        if (Files.exists(errorsFile)) {
            List<String> expected = lines(Files.readString(errorsFile));
            try {
                LayoutParser.parse(layoutText, "layout.yaml");
                return "layout accepted, expected errors:\n  " + String.join("\n  ", expected);
            } catch (ConfigException e) {
                List<String> actual = e.errors().stream().map(ConfigError::toString).toList();
                return actual.equals(expected) ? null : diff(expected, actual);
            }
        }
        Layout layout;
        try {
            layout = LayoutParser.parse(layoutText, "layout.yaml");
        } catch (ConfigException e) {
            return "layout refused: " + e.getMessage();
        }
        Outcomes outcomes = Outcomes.all("SUCCESS");
        Path resultsFile = dir.resolve("results.txt");
        if (Files.exists(resultsFile)) {
            for (String rule : lines(Files.readString(resultsFile))) {
                outcomes = outcomes.with(rule);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (InputStream in = Files.newInputStream(dir.resolve("events.jsonl"))) {
            new Simulation(layout, outcomes, new PrintStream(out, true, StandardCharsets.UTF_8))
                    .replay(in, "events.jsonl", new PrintStream(err, true, StandardCharsets.UTF_8));
        }
        if (err.size() > 0) {
            return "stderr: " + err.toString(StandardCharsets.UTF_8);
        }
        List<String> expected = lines(Files.readString(dir.resolve("expected.jsonl")));
        List<String> actual = lines(out.toString(StandardCharsets.UTF_8));
        return actual.equals(expected) ? null : diff(expected, actual);
    }

    /** Non-blank lines that are not {@code #} comments. */
    static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        for (String l : text.split("\n")) {
            if (!l.isBlank() && !l.startsWith("#")) {
                out.add(l);
            }
        }
        return out;
    }

    static String diff(List<String> expected, List<String> actual) {
        StringBuilder sb = new StringBuilder();
        int n = Math.max(expected.size(), actual.size());
        for (int i = 0; i < n; i++) {
            String e = i < expected.size() ? expected.get(i) : "(nothing)";
            String a = i < actual.size() ? actual.get(i) : "(nothing)";
            if (!e.equals(a)) {
                sb.append("  line ").append(i + 1).append("\n    expected ").append(e).append("\n    actual   ")
                        .append(a).append('\n');
            }
        }
        return sb.toString();
    }
}
