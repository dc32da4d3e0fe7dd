package dev.tollgate.pipeline.bridge;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test data: described stream-events lines. */
final class StreamLines {
    record Line(String description, String json) {
    }

    private StreamLines() {
    }

    /** The cases in equivalent-events.txt: a '#' line describes the JSON line after it. */
    static List<Line> equivalentEvents() throws IOException {
        List<Line> out = new ArrayList<>();
        try (InputStream in = StreamLines.class.getResourceAsStream("equivalent-events.txt")) {
            if (in == null) {
                throw new IOException("equivalent-events.txt missing from the test resources");
            }
            String description = null;
            for (String l : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (l.startsWith("#")) {
                    description = l.substring(1).trim();
                } else if (!l.isBlank()) {
                    out.add(new Line(description, l));
                    description = null;
                }
            }
        }
        return out;
    }

    /** The bundled recorded stream of the metaplugin-ci example, when the checkout has it. */
    static List<Line> metapluginExample() throws IOException {
        Path file = Path.of("../../../examples/metaplugin-ci/events.jsonl");
        List<Line> out = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                out.add(new Line("examples/metaplugin-ci/events.jsonl:" + (i + 1), lines.get(i)));
            }
        }
        return out;
    }
}
