package dev.tollgate.logs;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.LinkOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/** The build's console log, uploaded as one file at the top of the published folder. */
public record ConsoleLog(String name, InputStreamSource content) {
    public ConsoleLog {
        String problem = name == null ? "an empty name" : null;
        if (name != null) {
            // judge each part first, so '../x' is reported as '..' rather than as a slash
            for (String part : name.split("/", -1)) {
                problem = problem != null ? problem : RemoteNames.problemWithSegment(part);
            }
            problem = problem != null ? problem : RemoteNames.problemWithSegment(name);
        }
        if (problem != null) {
            throw new IllegalArgumentException("console log name '" + (name == null ? "" : RemoteNames.printable(name))
                    + "' contains " + problem + "; give a plain file name such as console.html");
        }
        Objects.requireNonNull(content, "console log content");
    }

    /**
     * The console log from a file. It is planned like a workspace file: read only if it is not a link
     * and is still the file that was planned, and no further than its size at planning.
     */
    public static ConsoleLog of(String name, Path file) {
        return new ConsoleLog(name, new FileContent(file));
    }

    public static ConsoleLog of(String name, byte[] content) {
        return new ConsoleLog(name, new BytesContent(content.clone()));
    }

    /** Content of a file; the plan replaces it by a checked opener of the same file. */
    record FileContent(Path file) implements InputStreamSource {
        FileContent {
            Objects.requireNonNull(file, "console log file");
        }

        @Override
        public InputStream open() throws IOException {
            return Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS);
        }
    }

    /** Content held in memory; its length is known before sending. */
    record BytesContent(byte[] bytes) implements InputStreamSource {
        @Override
        public InputStream open() {
            return new ByteArrayInputStream(bytes);
        }

        long length() {
            return bytes.length;
        }
    }
}
