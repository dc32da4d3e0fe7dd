package dev.tollgate.checks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The repository these checks read: tests run in checks/, the files are one level up. Stateless. */
final class Repository {
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    private Repository() {}

    static Path file(String relative) {
        return ROOT.resolve(relative);
    }

    /** The files under a directory of the repository whose names end so, sorted; fails when there are none. */
    static List<Path> files(String dir, String suffix) {
        try (Stream<Path> s = Files.walk(file(dir))) {
            List<Path> found = s.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().endsWith(suffix))
                    .sorted().toList();
            if (found.isEmpty()) {
                throw new AssertionError("no *" + suffix + " under " + file(dir));
            }
            return found;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The path as the repository names it, e.g. job-dsl/metaplugin_ci.groovy. */
    static String name(Path p) {
        return ROOT.relativize(p).toString();
    }
}
