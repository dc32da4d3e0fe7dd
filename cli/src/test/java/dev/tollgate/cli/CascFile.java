package dev.tollgate.cli;

import static dev.tollgate.cli.MainTest.run;
import static org.junit.Assert.assertEquals;

import dev.tollgate.cli.MainTest.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.rules.TemporaryFolder;

/**
 * A test's JCasC file: a valid base (one entry per line, numbered in the test so that errors can be
 * named by line), variants of it with one line replaced, written to the test's temporary folder, and
 * what {@code tollgate validate} says about them. One per test instance; not thread-safe.
 */
final class CascFile {
    private final TemporaryFolder tmp;
    private final List<String> base;

    CascFile(TemporaryFolder tmp, List<String> base) {
        this.tmp = tmp;
        this.base = List.copyOf(base);
    }

    /** The base with line {@code line} (from 1) replaced by {@code text}; a copy the test may change further. */
    List<String> with(int line, String text) {
        List<String> l = new ArrayList<>(base);
        l.set(line - 1, text);
        return l;
    }

    /** The lines written to a new file. */
    Path write(List<String> lines) throws Exception {
        Path f = tmp.newFile().toPath();
        Files.writeString(f, String.join("\n", lines) + "\n");
        return f;
    }

    /** The base written to a new file. */
    Path write() throws Exception {
        return write(base);
    }

    /** The base with one line replaced, written to a new file. */
    Path writeWith(int line, String text) throws Exception {
        return write(with(line, text));
    }

    /** What {@code tollgate validate} prints for a valid file. */
    static String valid(Path f) {
        Result r = run("validate", f.toString());
        assertEquals(r.err(), 0, r.code());
        return r.out();
    }

    /** The error lines of {@code tollgate validate} for a file it refuses (exit 1, nothing on stdout). */
    static List<String> errors(Path f) {
        return ValidateJcascTest.errLines(run("validate", f.toString()));
    }
}
